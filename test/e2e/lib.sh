# Shared steps of test/e2e/run.sh and test/e2e/demo.sh (sourced, not run).
# Everything they install goes to $ROOT/.e2e (git-ignored) and is reused on the next run.
CODE_SERVER_VERSION=4.139.1   # pinned: the test payload route uses VS Code internals (smoke-test driver)
PLAYWRIGHT_VERSION=1.65.1

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
E2E="$ROOT/.e2e"
TOOLS="$E2E/cs"                              # scratch npm folder: code-server + playwright-core
CODE_SERVER="$TOOLS/node_modules/.bin/code-server"
VSIX=${E2E_VSIX:-"$ROOT/dist/iptables-vscode.vsix"}   # E2E_VSIX: test another package
EXT_ID=iptables-lint.iptables-vscode
RESULTS="$ROOT/test-results/e2e"

e2e_now() { date +%s.%N; }
e2e_since() { awk -v a="$1" -v b="$(e2e_now)" 'BEGIN { printf "%.1f", b - a }'; }
e2e_log() { echo "e2e: $*" >&2; }

# Node 24 (code-server's install script accepts no other) and npm pointed at its headers.
e2e_use_node() {
  if [ ! -x "$ROOT/.tools/node/bin/node" ]; then "$ROOT/dev" node -v >/dev/null; fi
  export PATH="$ROOT/.tools/node/bin:$ROOT/node_modules/.bin:$PATH"
  # ~/.npmrc here says nodedir=/usr (Node 20 headers); native modules must build against Node 24.
  export npm_config_nodedir="$ROOT/.tools/node" npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
}

# Debian packages (chromium, libkrb5-dev for code-server's kerberos module, CJK fonts), idempotent.
e2e_debian_deps() {
  "$ROOT/dev" deps e2e
  [ -x /usr/bin/chromium ] || { e2e_log "chromium is missing (run ./dev deps e2e as root)"; return 1; }
}

e2e_install_tools() {
  local stamp="$TOOLS/.installed-$CODE_SERVER_VERSION-$PLAYWRIGHT_VERSION"
  [ -f "$stamp" ] && [ -x "$CODE_SERVER" ] && return 0
  local t; t=$(e2e_now)
  e2e_log "installing code-server@$CODE_SERVER_VERSION and playwright-core@$PLAYWRIGHT_VERSION into $TOOLS (about 2 minutes, once)"
  mkdir -p "$TOOLS"
  [ -f "$TOOLS/package.json" ] || printf '{ "name": "e2e-tools", "private": true }\n' > "$TOOLS/package.json"
  if ! (cd "$TOOLS" && npm install --no-save --loglevel=error "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION" > "$TOOLS/install.log" 2>&1); then
    tail -30 "$TOOLS/install.log" >&2; e2e_log "npm install failed (log: $TOOLS/install.log)"; return 1
  fi
  touch "$stamp"
  e2e_log "tools installed in $(e2e_since "$t") s"
}

# Packages the extension (npm run package -> dist/iptables-vscode.vsix) unless E2E_SKIP_PACKAGE=1.
e2e_package() {
  if [ "${E2E_SKIP_PACKAGE:-}" = 1 ] && [ -f "$VSIX" ]; then return 0; fi
  local t; t=$(e2e_now)
  (cd "$ROOT" && npm run --silent package > "$E2E/package.log" 2>&1) || { cat "$E2E/package.log" >&2; e2e_log "npm run package failed"; return 1; }
  local files=""
  command -v unzip >/dev/null && files=", $(unzip -l "$VSIX" | tail -1 | awk '{print $2}') files"
  e2e_log "packaged ${VSIX#$ROOT/}: $(stat -c %s "$VSIX") bytes$files, in $(e2e_since "$t") s"
}

# Fresh code-server profile in $1 with the vsix installed; prints nothing.
e2e_profile() {
  local dir=$1
  rm -rf "$dir"; mkdir -p "$dir/udd/User" "$dir/exts"
  cat > "$dir/udd/User/settings.json" <<'JSON'
{
  "telemetry.telemetryLevel": "off",
  "workbench.startupEditor": "none",
  "workbench.enableExperiments": false,
  "workbench.tips.enabled": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "chat.disableAIFeatures": true,
  "security.workspace.trust.enabled": false,
  "update.mode": "none",
  "git.enabled": false
}
JSON
  "$CODE_SERVER" --config /dev/null --user-data-dir "$dir/udd" --extensions-dir "$dir/exts" \
    --install-extension "$VSIX" > "$dir/install-extension.log" 2>&1 \
    || { cat "$dir/install-extension.log" >&2; return 1; }
}

# Folder of the installed extension inside profile $1 (its files are exactly what the vsix shipped).
e2e_installed_ext() { find "$1/exts" -maxdepth 1 -type d -name "$EXT_ID-*" | head -1; }

e2e_free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# Starts code-server for profile $1 on port $2 opening folder $3; extra args after that.
# Sets CS_PID (leader of its own process group: kill -- -$CS_PID stops it with its extension host).
e2e_start_code_server() {
  local dir=$1 port=$2 folder=$3; shift 3
  # env -u PORT: code-server takes its port from $PORT over --bind-addr.
  setsid env -u PORT "$CODE_SERVER" --config /dev/null --user-data-dir "$dir/udd" --extensions-dir "$dir/exts" \
    --bind-addr "127.0.0.1:$port" --auth none --disable-telemetry --disable-update-check \
    --disable-workspace-trust --disable-getting-started-override --reconnection-grace-time 10 \
    --vscode-option enable-smoke-test-driver "$@" "$folder" > "$dir/code-server.log" 2>&1 < /dev/null &
  CS_PID=$!
  local end=$((SECONDS + 60))
  until curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; do
    if ! kill -0 "$CS_PID" 2>/dev/null || [ $SECONDS -gt $end ]; then
      local st=0; kill -0 "$CS_PID" 2>/dev/null || { wait "$CS_PID" || st=$?; }
      cat "$dir/code-server.log" >&2; e2e_log "code-server did not start (pid $CS_PID, exit status $st)"; return 1
    fi
    sleep 0.1
  done
}

# Stops the process group $1 and waits until none of its processes is left.
e2e_stop_group() {
  local pgid=$1
  [ -n "$pgid" ] || return 0
  kill -TERM -- "-$pgid" 2>/dev/null || return 0
  local end=$((SECONDS + 10))
  while kill -0 -- "-$pgid" 2>/dev/null; do
    if [ $SECONDS -gt $end ]; then kill -KILL -- "-$pgid" 2>/dev/null; sleep 0.2; break; fi
    sleep 0.1
  done
  if kill -0 -- "-$pgid" 2>/dev/null; then e2e_log "process group $pgid still has processes"; return 1; fi
}

# Lets `--locale ja` take effect. code-server switches its display language only to a language that an
# installed language pack provides, and Microsoft's Japanese pack comes from a marketplace these machines
# cannot reach. So we register a pack with no translations: VS Code's own UI stays English, but
# vscode.env.language becomes "ja", which is what our extension reads (manifest strings from
# package.nls.ja.json, runtime strings from l10n/, server messages via initializationOptions.locale).
e2e_register_ja() {
  local dir=$1 tr="$1/ja-stub/main.i18n.json"
  mkdir -p "$(dirname "$tr")"
  printf '{ "version": "1.0.0", "contents": {} }\n' > "$tr"
  cat > "$dir/udd/languagepacks.json" <<JSON
{ "ja": { "hash": "e2e-ja-stub-1", "label": "日本語",
  "extensions": [{ "extensionIdentifier": { "id": "e2e.ja-stub" }, "version": "0.0.1" }],
  "translations": { "vscode": "$tr" } } }
JSON
}
