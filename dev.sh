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
  xvfb xauth webkit2gtk-driver fonts-noto-cjk poppler-utils imagemagick
)

step() { printf '\n== %s ==\n' "$*"; }

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
    build_app
    step "UI unit tests (vitest)"
    (cd ui && npm test)
    step "Rust tests: unit, scenarios, TypeScript bindings up to date"
    cargo test --workspace
    step "end to end in a real window (Xvfb + tauri-driver + WebKitWebDriver)"
    PATH="$HOME/.cargo/bin:$PATH" xvfb-run -a -s "-screen 0 1280x800x24" bash tests/e2e/run.sh "$CARGO_TARGET_DIR/debug/xianglin"

    ;;
  *)
    echo "usage: ./dev.sh demo | ./dev.sh test" >&2
    exit 2
    ;;
esac
