#!/usr/bin/env bash
# Xianglin's two commands, for a fresh Debian 12 machine or a developer's:
#
#   ./dev.sh demo   install what is missing, build, and open the app (first start offers the demo county)
#   ./dev.sh test   install what is missing, build once, and run every test (CI runs this)
#
# System packages come from Debian (apt-get, as root or through sudo), UI packages from npm
# (`npm ci`), tauri-driver from crates.io. Builds go to $CARGO_TARGET_DIR (default
# ~/.cache/xianglin-target) so that repeated runs on one machine stay warm.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/xianglin-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

SYSTEM_PACKAGES=(
  libwebkit2gtk-4.1-dev build-essential libssl-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  xvfb xauth webkit2gtk-driver fonts-noto-cjk poppler-utils imagemagick faketime python3-msoffcrypto-tool p7zip-full
  postgresql
  # the packages' checks: desktop entries, the window from the menu, the server's health
  desktop-file-utils x11-utils curl
)

# The dates where calendars break: the 1st and the last day of a month, 1 January, 29 February of
# a leap year, 31 December at 23:59. The tests run again at each under libfaketime, a clock that
# ticks on from that moment (monotonic timers stay real, or thread pools and timeouts stall).
FAKE_DATES=("2027-03-01 08:00:00" "2027-04-30 16:30:00" "2027-01-01 09:00:00" "2028-02-29 10:00:00" "2026-12-31 23:59:00")

step() { printf '\n== %s ==\n' "$*"; }

# The workspace's test binaries (unit tests, scenarios), built by `cargo test --no-run`: one line
# each, its crate's directory and the binary, tab-separated.
test_binaries() {
  cargo test --workspace --lib --bins --tests --no-run --message-format=json-render-diagnostics |
    node -e '
      const lines = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean)
      for (const message of lines.map((line) => JSON.parse(line))) {
        if (message.reason === "compiler-artifact" && message.executable && message.profile.test) {
          console.log(`${require("path").dirname(message.manifest_path)}\t${message.executable}`)
        }
      }'
}

# Every Rust test binary and the Vitest suite at each of FAKE_DATES. The binaries run directly
# (not through cargo, which would judge file times by the fake clock), each from its crate's
# directory as `cargo test` runs it; Vitest runs beside them on the other core.
test_at_dates() {
  # The faketime wrapper names its semaphore by its process id; one killed earlier leaves it
  # behind, and a later wrapper given the same id then refuses to start. Clear those of dead
  # processes.
  local stale
  for stale in /dev/shm/sem.faketime_sem_* /dev/shm/faketime_shm_*; do
    [[ -e "$stale" ]] || continue
    kill -0 "${stale##*_}" 2>/dev/null || rm -f "$stale"
  done
  local binaries
  mapfile -t binaries < <(test_binaries)
  [[ ${#binaries[@]} -gt 0 ]] || { echo "no test binaries found" >&2; return 1; }
  local vitest_log
  vitest_log="$(mktemp)"
  for at in "${FAKE_DATES[@]}"; do
    step "at $at (faketime): every Rust test binary and the UI unit tests"
    local started=$SECONDS line crate binary vitest_pid
    (cd ui && FAKETIME_DONT_FAKE_MONOTONIC=1 exec faketime -f "@$at" npx vitest run --silent) >"$vitest_log" 2>&1 &
    vitest_pid=$!
    for line in "${binaries[@]}"; do
      IFS=$'\t' read -r crate binary <<<"$line"
      (cd "$crate" && FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "@$at" "$binary" -q) || {
        echo "failed at $at: $binary" >&2
        kill "$vitest_pid" 2>/dev/null
        return 1
      }
    done
    wait "$vitest_pid" || { cat "$vitest_log"; echo "UI unit tests failed at $at" >&2; return 1; }
    grep -E "Test Files|Tests " "$vitest_log"
    echo "tests at $at: $((SECONDS - started)) s"
  done
  rm -f "$vitest_log"
}


# A throwaway PostgreSQL cluster for the county server's tests: made in a temporary directory,
# listening on 127.0.0.1 at a free port, stopped and deleted when this script exits. The tests
# find it at XIANGLIN_TEST_POSTGRES and make a database each.
start_test_postgres() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [[ -x "$bin/initdb" ]] || { echo "PostgreSQL's server is not installed (Debian package postgresql)" >&2; return 1; }
  TEST_POSTGRES_DIR="$(mktemp -d /tmp/xianglin-postgres.XXXXXX)"
  TEST_POSTGRES_AS=()
  # initdb refuses to run as root: the cluster then runs as the postgres user.
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres "$TEST_POSTGRES_DIR"
    TEST_POSTGRES_AS=(runuser -u postgres --)
  fi
  TEST_POSTGRES_BIN="$bin"
  trap stop_test_postgres EXIT
  local port
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  "${TEST_POSTGRES_AS[@]}" "$bin/initdb" -D "$TEST_POSTGRES_DIR/data" -U xianglin -A trust -E UTF8 --locale=C --no-sync \
    >"$TEST_POSTGRES_DIR/initdb.log" 2>&1 || { cat "$TEST_POSTGRES_DIR/initdb.log" >&2; return 1; }
  # fsync off: a test cluster dies with the run; nothing in it needs to survive a power cut.
  "${TEST_POSTGRES_AS[@]}" "$bin/pg_ctl" -D "$TEST_POSTGRES_DIR/data" -l "$TEST_POSTGRES_DIR/server.log" -w \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $TEST_POSTGRES_DIR -c fsync=off -c max_connections=400" start >/dev/null
  export XIANGLIN_TEST_POSTGRES="postgres://xianglin@127.0.0.1:$port"
  echo "test PostgreSQL cluster at 127.0.0.1:$port"
}

stop_test_postgres() {
  [[ -n "${TEST_POSTGRES_DIR:-}" ]] || return 0
  "${TEST_POSTGRES_AS[@]}" "$TEST_POSTGRES_BIN/pg_ctl" -D "$TEST_POSTGRES_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$TEST_POSTGRES_DIR"
}

install_system_packages() {
  local missing=()
  for package in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
  done
  [[ ${#missing[@]} -eq 0 ]] && return
  step "installing system packages: ${missing[*]}"
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  # Another apt process may hold the lock for a while on a fresh machine: wait for it.
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
}

install_node_packages() {
  step "npm ci (ui, tests/e2e)"
  (cd ui && npm ci --no-audit --no-fund)
  # --ignore-scripts: webdriverio's optional driver packages would try to download binaries.
  (cd tests/e2e && npm ci --no-audit --no-fund --ignore-scripts)
}

install_tauri_driver() {
  command -v tauri-driver >/dev/null 2>&1 || [[ -x "$HOME/.cargo/bin/tauri-driver" ]] && return
  step "cargo install tauri-driver"
  cargo install tauri-driver --locked
}

install_tauri_cli() {
  [[ -x "$HOME/.cargo/bin/cargo-tauri" ]] && "$HOME/.cargo/bin/cargo-tauri" --version | grep -q '^tauri-cli 2\.' && return
  step "cargo install tauri-cli (Tauri's bundler, the 2.x line)"
  cargo install tauri-cli --version '^2' --locked
}

# The update signing key of development builds (`cargo tauri signer generate`, no password),
# kept outside the repository; its public half is built into the app
# (XIANGLIN_UPDATE_PUBLIC_KEY), so the tests can sign an update the app accepts. A release for
# stations is built with the vendor's public key instead, its secret key kept offline.
SIGNING_DIR="${XIANGLIN_SIGNING_DIR:-$HOME/.local/share/xianglin-dev/signing}"
make_signing_key() {
  [[ -s "$SIGNING_DIR/update.key.pub" ]] && return
  step "an update signing key for development builds ($SIGNING_DIR)"
  mkdir -p "$SIGNING_DIR" && chmod 700 "$SIGNING_DIR"
  CI=true "$HOME/.cargo/bin/cargo-tauri" signer generate --ci --password "" --write-keys "$SIGNING_DIR/update.key" >/dev/null
}
use_signing_key() {
  if [[ -s "$SIGNING_DIR/update.key.pub" ]]; then
    XIANGLIN_UPDATE_PUBLIC_KEY="$(cat "$SIGNING_DIR/update.key.pub")"
    export XIANGLIN_UPDATE_PUBLIC_KEY
  fi
}

# The two packages, from the one debug build the tests use: the app by Tauri's bundler
# (`tauri bundle` packs what `cargo build` made, it builds nothing), the county server with its
# systemd unit by county/packaging/build-deb.sh. They land in $CARGO_TARGET_DIR/packages.
build_packages() {
  step "packages: the app (Tauri's bundler) and the county server (.deb with its systemd unit)"
  # Debug sections off the app's binary before it is packed (they are most of its 700 MB);
  # its symbols stay, for backtraces.
  objcopy --strip-debug "$CARGO_TARGET_DIR/debug/xianglin"
  rm -f "$CARGO_TARGET_DIR/debug/bundle/deb/"*.deb
  (cd src-tauri && "$HOME/.cargo/bin/cargo-tauri" bundle --debug --bundles deb)
  mkdir -p "$CARGO_TARGET_DIR/packages"
  rm -f "$CARGO_TARGET_DIR/packages/"*.deb
  cp "$CARGO_TARGET_DIR/debug/bundle/deb/"xianglin_*_amd64.deb "$CARGO_TARGET_DIR/packages/"
  county/packaging/build-deb.sh "$CARGO_TARGET_DIR/debug/xianglin-county" "$CARGO_TARGET_DIR/packages"
  # The same app as the next patch version, signed with the development key: the update the
  # end-to-end test has the county offer the installed app.
  local version next
  version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
  next="${version%.*}.$((${version##*.} + 1))"
  (cd src-tauri && "$HOME/.cargo/bin/cargo-tauri" bundle --debug --bundles deb --config "{\"version\":\"$next\"}")
  mkdir -p "$CARGO_TARGET_DIR/packages/update"
  rm -f "$CARGO_TARGET_DIR/packages/update/"*
  mv "$CARGO_TARGET_DIR/debug/bundle/deb/xianglin_${next}_amd64.deb" "$CARGO_TARGET_DIR/packages/update/"
  "$HOME/.cargo/bin/cargo-tauri" signer sign --private-key-path "$SIGNING_DIR/update.key" --password "" \
    --app-version "$next" "$CARGO_TARGET_DIR/packages/update/xianglin_${next}_amd64.deb" >/dev/null
  export XIANGLIN_UPDATE_PACKAGE="$CARGO_TARGET_DIR/packages/update/xianglin_${next}_amd64.deb"
  export XIANGLIN_UPDATE_SIGNATURE="$XIANGLIN_UPDATE_PACKAGE.sig"
  ls -l "$CARGO_TARGET_DIR/packages" "$CARGO_TARGET_DIR/packages/update"
}

build_app() {
  step "building the UI (type check + bundle)"
  (cd ui && npm run build)
  step "building the workspace (one dev profile for the app and every test)"
  cargo build --workspace --all-targets
}

case "${1:-}" in
  demo)
    install_system_packages
    (cd ui && npm ci --no-audit --no-fund)
    # With the key the tests made, if they ran here (one build for both; without one, this
    # build refuses every update).
    use_signing_key
    build_app
    export XIANGLIN_DATA_DIR="${XIANGLIN_DATA_DIR:-$HOME/.local/share/xianglin-demo}"
    step "opening the app (data in $XIANGLIN_DATA_DIR; on first start choose 打开演示县)"
    if [[ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
      echo "no display: starting under a virtual one (xvfb-run); use a desktop session to see the window" >&2
      exec xvfb-run -a -s "-screen 0 1280x800x24" "$CARGO_TARGET_DIR/debug/xianglin"
    fi
    exec "$CARGO_TARGET_DIR/debug/xianglin"
    ;;
  test)

    install_system_packages
    install_node_packages
    install_tauri_driver
    install_tauri_cli
    make_signing_key
    use_signing_key
    build_app
    step "a PostgreSQL cluster for the county server's tests"
    start_test_postgres
    step "UI unit tests (vitest)"
    (cd ui && npm test)
    step "Rust tests: unit, scenarios, TypeScript bindings up to date"
    cargo test --workspace
    test_at_dates
    build_packages
    step "the app's package: installed with apt, started from its menu entry"
    xvfb-run -a -s "-screen 0 1280x800x24" bash tests/package/run.sh app-install \
      "$CARGO_TARGET_DIR/packages/"xianglin_*_amd64.deb target/e2e
    step "end to end in a real window (Xvfb + tauri-driver + WebKitWebDriver), on the installed app"
    # The run keeps its first computer's data directory, to check that purging keeps it too.
    e2e_data="$(mktemp -d -t xianglin-e2e-installed.XXXXXX)"
    XIANGLIN_E2E_DATA_DIR="$e2e_data" XIANGLIN_COUNTY_BIN="$CARGO_TARGET_DIR/debug/xianglin-county" \
      XIANGLIN_DEMO_BIN="$CARGO_TARGET_DIR/debug/xianglin-demo" PATH="$HOME/.cargo/bin:$PATH" \
      xvfb-run -a -s "-screen 0 1280x800x24" bash tests/e2e/run.sh /usr/bin/xianglin
    step "the app's package purged: the user's data stays"
    bash tests/package/run.sh app-purge "$e2e_data"
    rm -rf "$e2e_data"
    step "the county server's package: installed, served as its unit says, purged"
    bash tests/package/run.sh county "$CARGO_TARGET_DIR/packages/"xianglin-county_*.deb

    ;;
  *)
    echo "usage: ./dev.sh demo | ./dev.sh test" >&2
    exit 2
    ;;
esac
