#!/usr/bin/env bash
# `./dev demo`: VS Code (code-server) in your browser with the extension installed and examples/ open.
# Installs what it needs into .e2e/ (once), packages the extension, starts code-server on 127.0.0.1 and
# waits until Ctrl+C. With CI=true or DEMO_EXIT=1 it instead checks in headless Chromium that the page
# loads and the extension shows its diagnostics, then exits (0 = works).
#   DEMO_PORT=8080 (default: a free port)   DEMO_LOCALE=ja (messages in Japanese)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PROFILE="$E2E/demo-profile"
FOLDER="$ROOT/examples"
LOCALE=${DEMO_LOCALE:-en}
CS_PID="" DRV_PID=""
cleanup() {
  [ -n "$DRV_PID" ] && e2e_stop_group "$DRV_PID" || true
  [ -n "$CS_PID" ] && e2e_stop_group "$CS_PID" || true
}
trap cleanup EXIT
trap 'echo; e2e_log "stopping"; exit 0' INT TERM

e2e_use_node
e2e_debian_deps
e2e_install_tools
e2e_package
e2e_profile "$PROFILE"
[ "$LOCALE" = ja ] && e2e_register_ja "$PROFILE"

port=${DEMO_PORT:-$(e2e_free_port)}
e2e_start_code_server "$PROFILE" "$port" "$FOLDER" --locale "$LOCALE"
payload=$(node -e 'console.log(encodeURIComponent(JSON.stringify([["openFile", process.argv[1]]])))' "vscode-remote://127.0.0.1:$port$FOLDER/packet_filter.sh")
folder_q=$(node -e 'console.log(encodeURIComponent(process.argv[1]))' "$FOLDER")

if [ "${CI:-}" = true ] || [ "${DEMO_EXIT:-}" = 1 ]; then
  setsid env PORT="$port" WS_FOLDER="$FOLDER" RUN_LABEL=demo SHOTS_DIR="$RESULTS" NODE_PATH="$TOOLS/node_modules" \
    node "$ROOT/test/e2e/driver.cjs" demo < /dev/null &
  DRV_PID=$!
  rc=0; wait "$DRV_PID" || rc=$?
  exit $rc
fi

cat <<EOF

  VS Code with the iptables extension is running (code-server, display language: $LOCALE).
  Open in your browser:

    http://127.0.0.1:$port/?folder=$folder_q&payload=$payload

  From another machine, forward the port first:  ssh -L $port:127.0.0.1:$port <this host>
  Stop with Ctrl+C.

EOF
wait "$CS_PID"
