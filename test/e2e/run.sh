#!/usr/bin/env bash
# End-to-end tests in a real VS Code: code-server (pinned) in headless Chromium, with the packaged
# extension (dist/iptables-vscode.vsix) installed. Two runs: display language English, then Japanese.
# Each run: a UI pass (Problems panel and hover screenshots) and the extension-host suite
# (test/e2e/suite) through the smoke-test driver's payload. Installs what it needs into .e2e/ (once).
#   bash test/e2e/run.sh            (or: ./dev test:e2e)
#   E2E_LANGS="en" E2E_SKIP_PACKAGE=1 VERBOSE=1 bash test/e2e/run.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"

T_ALL=$(e2e_now)
LANGS=${E2E_LANGS:-en ja}
PROFILE="$E2E/profile"
CS_PID="" DRV_PID="" SUMMARY="" passed=0 failed=0 skipped=0
cleanup() {
  local rc=$?
  [ -n "$DRV_PID" ] && e2e_stop_group "$DRV_PID" || true
  [ -n "$CS_PID" ] && e2e_stop_group "$CS_PID" || true
  # Aborted before the end (setup, packaging, code-server): still close with a countable line.
  if [ -z "$SUMMARY" ]; then echo "not ok - e2e run aborted (exit $rc)"; echo "$passed passed, $((failed + 1)) failed, $skipped skipped"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

e2e_use_node
t=$(e2e_now); e2e_debian_deps; e2e_install_tools
[ -d "$ROOT/node_modules/vscode-languageclient" ] || (cd "$ROOT" && npm ci --loglevel=error)
e2e_log "setup checked in $(e2e_since "$t") s"

t=$(e2e_now); e2e_package; node "$ROOT/test/e2e/build-suite.mjs"
e2e_log "package + suite build: $(e2e_since "$t") s"

t=$(e2e_now); e2e_profile "$PROFILE"; e2e_register_ja "$PROFILE"
EXT_DIR=$(e2e_installed_ext "$PROFILE")
[ -n "$EXT_DIR" ] || { e2e_log "the extension did not install"; exit 1; }
# The suite must sit inside the extension's folder: VS Code hands `require('vscode')` the API object of
# the extension that contains the requiring file (vscode.l10n then reads this extension's bundles).
cp -r "$E2E/build/suite" "$EXT_DIR/e2e-suite"
e2e_log "fresh profile with the vsix installed in $(e2e_since "$t") s ($EXT_DIR)"

mkdir -p "$RESULTS"; rm -f "$RESULTS"/*.png "$RESULTS"/suite-*.txt
count() { # adds the outcome lines of results file $1 to the totals
  local p f s
  p=$(grep -c '^ok - ' "$1" || true); f=$(grep -c '^not ok - ' "$1" || true); s=$(grep -c '^skip - ' "$1" || true)
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}
# Runs the driver in its own process group (so a stuck Chromium can be stopped) and returns its status.
drive() {
  setsid env "${DRIVER_ENV[@]}" node "$ROOT/test/e2e/driver.cjs" "$1" < /dev/null &
  DRV_PID=$!
  local rc=0; wait "$DRV_PID" || rc=$?
  e2e_stop_group "$DRV_PID" || true; DRV_PID=""
  return $rc
}

for lang in $LANGS; do
  ws="$E2E/ws-$lang"; rm -rf "$ws"; mkdir -p "$ws"
  cp "$ROOT/examples/packet_filter.sh" "$ROOT/examples/rules.v4" "$ws/"
  res="$RESULTS/suite-$lang.txt"; rm -f "$res"
  port=$(e2e_free_port)
  t=$(e2e_now)
  E2E_RESULTS_FILE="$res" E2E_EXPECT_LANGUAGE="$lang" e2e_start_code_server "$PROFILE" "$port" "$ws" --locale "$lang"
  e2e_log "[$lang] code-server listening on 127.0.0.1:$port after $(e2e_since "$t") s"
  # For driver.cjs (not exported: code-server itself would take PORT as its port).
  DRIVER_ENV=(PORT="$port" WS_FOLDER="$ws" RUN_LABEL="$lang" SHOTS_DIR="$RESULTS" NODE_PATH="$TOOLS/node_modules"
    EXT_DEV_PATH="$EXT_DIR" EXT_TESTS_PATH="$EXT_DIR/e2e-suite/index.cjs")

  t=$(e2e_now)
  if drive ui; then echo "ok - [$lang] UI: squiggles, Problems panel, hover" >> "$res.ui"; else echo "not ok - [$lang] UI pass" >> "$res.ui"; fi
  e2e_log "[$lang] UI pass: $(e2e_since "$t") s"

  t=$(e2e_now)
  rc=0; drive suite || rc=$?   # the cases' outcomes are in $res; run() writes the summary line last
  e2e_log "[$lang] extension-host suite: $(e2e_since "$t") s"

  e2e_stop_group "$CS_PID"; CS_PID=""
  touch "$res"
  if ! grep -q '^[0-9]* passed, [0-9]* failed' "$res" || { [ "$rc" != 0 ] && ! grep -q '^not ok' "$res"; }; then
    echo "not ok - [$lang] the suite did not finish (driver exit $rc; see ${PROFILE#$ROOT/}/code-server.log)" >> "$res"
  fi
  sed "s/^/  [$lang] /" "$res.ui" "$res" | grep -v '^  \[..\] [0-9]* passed' || true
  count "$res.ui"; count "$res"; rm -f "$res.ui"
done

# Nothing of ours may outlive the run: code-server, its extension host, the language server, Chromium.
if stray=$(pgrep -a -f "$PROFILE|e2e-chromium-" 2>/dev/null) && [ -n "$stray" ]; then
  echo "not ok - stray processes left:"; echo "$stray"; failed=$((failed + 1))
else
  passed=$((passed + 1)); echo "ok - no stray processes"
fi
e2e_log "screenshots in ${RESULTS#$ROOT/}: $(cd "$RESULTS" && ls *.png 2>/dev/null | tr '\n' ' ')"
e2e_log "total $(e2e_since "$T_ALL") s"
SUMMARY="$passed passed, $failed failed, $skipped skipped"
echo "$SUMMARY"
[ "$failed" -eq 0 ]
