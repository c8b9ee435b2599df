#!/usr/bin/env bash
# Cross-builds the county server for arm64 (Phytium, Kunpeng) with Debian's cross compiler and
# multiarch OpenSSL, packs it, checks the package, and runs the binary under qemu:
#
#   county/packaging/cross-arm64.sh [out-dir]      # default $CARGO_TARGET_DIR/packages
#
# Installs (apt-get, as root or through sudo): the arm64 architecture, gcc-aarch64-linux-gnu,
# libssl-dev:arm64, qemu-user-static; the Rust target with rustup. Not part of ./dev.sh test
# (a second full build of the server's dependencies).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/xianglin-target}"
out="${1:-$CARGO_TARGET_DIR/packages}"
sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  "${sudo[@]}" dpkg --add-architecture arm64
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update
fi
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends \
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross libssl-dev:arm64 qemu-user-static file
rustup target add aarch64-unknown-linux-gnu

target=aarch64-unknown-linux-gnu
CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
  CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar \
  PKG_CONFIG_ALLOW_CROSS=1 PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig \
  cargo build --release --target "$target" -p xianglin-county
binary="$CARGO_TARGET_DIR/$target/release/xianglin-county"
package="$(county/packaging/build-deb.sh "$binary" "$out" arm64)"

dpkg-deb -I "$package"
[[ "$(dpkg-deb -f "$package" Architecture)" == arm64 ]] || { echo "$package is not arm64" >&2; exit 1; }
extracted="$(mktemp -d)"
trap 'rm -rf "$extracted"' EXIT
dpkg-deb -x "$package" "$extracted"
file "$extracted/usr/bin/xianglin-county" | tee /dev/stderr | grep -q 'ARM aarch64' ||
  { echo "the packaged binary is not an arm64 executable" >&2; exit 1; }
# Run under qemu with arm64's libraries: it answers, and makes a county database.
qemu=(qemu-aarch64-static -L /usr/aarch64-linux-gnu)
export LD_LIBRARY_PATH=/usr/lib/aarch64-linux-gnu
"${qemu[@]}" "$extracted/usr/bin/xianglin-county" --version
printf 'database = "%s/county.sqlite"\n' "$extracted" >"$extracted/county.toml"
"${qemu[@]}" "$extracted/usr/bin/xianglin-county" --config "$extracted/county.toml" init 2>/dev/null
[[ -s "$extracted/county.sqlite" ]] || { echo "the arm64 server made no database under qemu" >&2; exit 1; }
echo "arm64 county server: $package ($(stat -c %s "$package") bytes), runs under qemu"
