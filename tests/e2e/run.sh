#!/usr/bin/env bash
# Drives the built app in a real window: the registry from welcome page to one elder, then
# patrol visits (due list, recording a routine and an urgent visit, coverage), a restart, and a
# second computer enrolling with the real county server; at the end, a scan of every file the
# apps and the server wrote (their logs included) for the demo's names, ID numbers and phones.
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

# The county server for the sync spec: the real binary beside the app, on the demo township,
# with a one-time code for 白沙村's caseworker; a second, empty data directory enrolls with it.
county="${XIANGLIN_COUNTY_BIN:-$(dirname "$app")/xianglin-county}"
demo="${XIANGLIN_DEMO_BIN:-$(dirname "$app")/xianglin-demo}"
for binary in "$county" "$demo"; do
  [[ -x "$binary" ]] || { echo "no $(basename "$binary") at $binary: cargo build --workspace --all-targets" >&2; exit 1; }
done
county_dir="$(mktemp -d -t xianglin-e2e-county.XXXXXX)"
printf 'database = "%s/county.sqlite"\n' "$county_dir" >"$county_dir/county.toml"
# The update key this build of the app trusts, for `release add` (update.spec).
if [[ -n "${XIANGLIN_UPDATE_PUBLIC_KEY:-}" ]]; then
  printf 'release_key = "%s"\n' "$XIANGLIN_UPDATE_PUBLIC_KEY" >>"$county_dir/county.toml"
fi
export XIANGLIN_COUNTY_RELEASES="$county_dir/county.releases"
"$demo" county "$county_dir/county.sqlite" >/dev/null 2>"$county_dir/init.log"
XIANGLIN_ENROLL_CODE="$("$county" --config "$county_dir/county.toml" code --role caseworker --places 360733105201 --name 白沙村探访员 2>/dev/null | sed -n 's/^code //p')"
export XIANGLIN_ENROLL_CODE
# A colleague in the same village, who will first sign in on that computer with a code the
# county issues while the computer is locked (the sync spec asks the server for it online).
XIANGLIN_COLLEAGUE="$("$county" --config "$county_dir/county.toml" code --role caseworker --places 360733105201 --name 邱玉兰 2>/dev/null | sed -n 's/^user //p')"
export XIANGLIN_COLLEAGUE XIANGLIN_COUNTY_BIN="$county" XIANGLIN_COUNTY_CONFIG="$county_dir/county.toml" XIANGLIN_DEMO_BIN="$demo"
county_port=18440
XIANGLIN_COUNTY_LISTEN="127.0.0.1:$county_port" "$county" --config "$county_dir/county.toml" serve 2>"$county_dir/serve.log" &
county_pid=$!
export XIANGLIN_COUNTY_URL="http://127.0.0.1:$county_port"
XIANGLIN_SECOND_DATA_DIR="$(mktemp -d -t xianglin-e2e-second.XXXXXX)"
export XIANGLIN_SECOND_DATA_DIR
# A third computer, the county reviewer's, enrolls last and reads the county's device list.
XIANGLIN_THIRD_DATA_DIR="$(mktemp -d -t xianglin-e2e-third.XXXXXX)"
export XIANGLIN_THIRD_DATA_DIR
# A "USB stick" a backup is copied onto, and an empty computer that restores it.
XIANGLIN_BACKUP_STICK="$(mktemp -d -t xianglin-e2e-stick.XXXXXX)"
XIANGLIN_RESTORE_DATA_DIR="$(mktemp -d -t xianglin-e2e-restored.XXXXXX)"
export XIANGLIN_BACKUP_STICK XIANGLIN_RESTORE_DATA_DIR

# Every run starts on a computer without data, so the welcome page shows. XIANGLIN_E2E_DATA_DIR
# names an empty folder for it that the run leaves in place (the package test purges the
# installed app afterwards and checks the folder is untouched).
if [[ -n "${XIANGLIN_E2E_DATA_DIR:-}" ]]; then
  [[ -d "$XIANGLIN_E2E_DATA_DIR" && -z "$(ls -A "$XIANGLIN_E2E_DATA_DIR")" ]] ||
    { echo "XIANGLIN_E2E_DATA_DIR must be an empty folder" >&2; exit 1; }
  XIANGLIN_DATA_DIR="$XIANGLIN_E2E_DATA_DIR"
  data_dir_to_remove=""
else
  XIANGLIN_DATA_DIR="$(mktemp -d -t xianglin-e2e.XXXXXX)"
  data_dir_to_remove="$XIANGLIN_DATA_DIR"
fi
export XIANGLIN_DATA_DIR
# Exported and printed files land here, where the specs open them.
XIANGLIN_EXPORT_DIR="$(mktemp -d -t xianglin-e2e-export.XXXXXX)"
export XIANGLIN_EXPORT_DIR

# The apps' own log (tauri-driver passes their stderr on) is scanned with their files at the end.
"$driver" --port 4444 >"$county_dir/app.log" 2>&1 &
driver_pid=$!
trap 'kill "$driver_pid" "$county_pid" 2>/dev/null; wait "$driver_pid" "$county_pid" 2>/dev/null; rm -rf ${data_dir_to_remove:+"$data_dir_to_remove"} "$XIANGLIN_EXPORT_DIR" "$XIANGLIN_SECOND_DATA_DIR" "$XIANGLIN_THIRD_DATA_DIR" "$XIANGLIN_BACKUP_STICK" "$XIANGLIN_RESTORE_DATA_DIR" "$county_dir"' EXIT

for _ in $(seq 1 100); do
  (exec 3<>/dev/tcp/127.0.0.1/4444) 2>/dev/null && break
  sleep 0.1
done
(exec 3<>/dev/tcp/127.0.0.1/4444) 2>/dev/null || { echo "tauri-driver did not listen on 4444" >&2; exit 1; }
for _ in $(seq 1 100); do
  (exec 3<>/dev/tcp/127.0.0.1/$county_port) 2>/dev/null && break
  sleep 0.1
done
(exec 3<>/dev/tcp/127.0.0.1/$county_port) 2>/dev/null || { echo "the county server did not listen on $county_port:" >&2; cat "$county_dir/serve.log" >&2; exit 1; }

status=0
XIANGLIN_APP="$app" node "$here/run.mjs" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- the apps' log (last 40 lines) ---"
  tail -n 40 "$county_dir/app.log"
fi

# Nothing personal in clear in any file the apps and the server wrote, their logs included.
kill "$county_pid" 2>/dev/null || true
wait "$county_pid" 2>/dev/null || true
"$demo" needles >"$county_dir/needles.txt" 2>/dev/null
node "$here/scan.mjs" "$county_dir/needles.txt" "$XIANGLIN_DATA_DIR" "$XIANGLIN_SECOND_DATA_DIR" "$XIANGLIN_THIRD_DATA_DIR" \
  "$XIANGLIN_BACKUP_STICK" "$XIANGLIN_RESTORE_DATA_DIR" "$county_dir" || status=1
exit "$status"
