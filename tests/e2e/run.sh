#!/usr/bin/env bash
# Drives the built app in a real window: the registry from welcome page to one elder, then
# patrol visits (due list, recording a routine and an urgent visit, coverage).
#
#   xvfb-run -a -s "-screen 0 1280x800x24" bash tests/e2e/run.sh [path/to/xianglin]
#
# Needs tauri-driver (`cargo install tauri-driver --locked`) and WebKitWebDriver
# (Debian's webkit2gtk-driver). Screenshots land in target/e2e/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
app="${1:-${CARGO_TARGET_DIR:-$here/../../target}/debug/xianglin}"
driver="${TAURI_DRIVER:-$HOME/.cargo/bin/tauri-driver}"

[[ -x "$app" ]] || { echo "no app binary at $app: build it with cargo build -p xianglin-app" >&2; exit 1; }
app="$(realpath "$app")"
[[ -x "$driver" ]] || { echo "no tauri-driver at $driver: cargo install tauri-driver --locked" >&2; exit 1; }
[[ -n "${DISPLAY:-}" ]] || { echo "no display: run under xvfb-run -a" >&2; exit 1; }

# --ignore-scripts: webdriverio's optional browser-driver packages would try to download binaries.
[[ -d "$here/node_modules" ]] || npm ci --prefix "$here" --ignore-scripts --no-audit --no-fund

# Every run starts on a computer without data, so the welcome page shows.
XIANGLIN_DATA_DIR="$(mktemp -d -t xianglin-e2e.XXXXXX)"
export XIANGLIN_DATA_DIR
# Exported and printed files land here, where the specs open them.
XIANGLIN_EXPORT_DIR="$(mktemp -d -t xianglin-e2e-export.XXXXXX)"
export XIANGLIN_EXPORT_DIR

"$driver" --port 4444 &
driver_pid=$!
trap 'kill "$driver_pid" 2>/dev/null; wait "$driver_pid" 2>/dev/null; rm -rf "$XIANGLIN_DATA_DIR" "$XIANGLIN_EXPORT_DIR"' EXIT

for _ in $(seq 1 100); do
  (exec 3<>/dev/tcp/127.0.0.1/4444) 2>/dev/null && break
  sleep 0.1
done
(exec 3<>/dev/tcp/127.0.0.1/4444) 2>/dev/null || { echo "tauri-driver did not listen on 4444" >&2; exit 1; }

XIANGLIN_APP="$app" node "$here/run.mjs"
