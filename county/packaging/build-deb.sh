#!/usr/bin/env bash
# Packs a built xianglin-county binary as a Debian package with its systemd unit:
#
#   county/packaging/build-deb.sh <path/to/xianglin-county> <out-dir> [amd64|arm64]
#
# Installs /usr/bin/xianglin-county, /lib/systemd/system/xianglin-county.service and the
# default /etc/xianglin-county/county.toml (a conffile); postinst makes the system user
# xianglin-county, /var/lib/xianglin-county (data) and /etc/xianglin-county/keys. Prints the
# package's path.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
binary="${1:?usage: build-deb.sh <xianglin-county binary> <out-dir> [arch]}"
out="${2:?usage: build-deb.sh <xianglin-county binary> <out-dir> [arch]}"
arch="${3:-$(dpkg --print-architecture)}"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$here/../../Cargo.toml" | head -n 1)"
[[ -n "$version" ]] || { echo "no version in the workspace's Cargo.toml" >&2; exit 1; }

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
install -D -m 0755 "$binary" "$stage/usr/bin/xianglin-county"
# Debug sections off (a debug build carries hundreds of MB of them); symbols stay for backtraces.
objcopy=objcopy
[[ "$arch" == "$(dpkg --print-architecture)" ]] || objcopy="$(dpkg-architecture -a "$arch" -q DEB_HOST_GNU_TYPE 2>/dev/null)-objcopy"
"$objcopy" --strip-debug "$stage/usr/bin/xianglin-county"
install -D -m 0644 "$here/xianglin-county.service" "$stage/lib/systemd/system/xianglin-county.service"
install -D -m 0644 "$here/county.toml" "$stage/etc/xianglin-county/county.toml"
install -D -m 0644 "$here/../../README.md" "$stage/usr/share/doc/xianglin-county/README.md"
install -d "$stage/DEBIAN"
install -m 0755 "$here/postinst" "$here/prerm" "$here/postrm" "$stage/DEBIAN/"
echo /etc/xianglin-county/county.toml >"$stage/DEBIAN/conffiles"
cat >"$stage/DEBIAN/control" <<CONTROL
Package: xianglin-county
Version: $version
Architecture: $arch
Maintainer: 乡邻 <xianglin@localhost>
Section: net
Priority: optional
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Depends: libc6 (>= 2.36), libssl3, libgcc-s1, adduser
Suggests: postgresql
Description: 乡邻 county server: station PCs enroll and sync here
 The county server of Xianglin (乡邻): welfare stations' PCs enroll with a
 one-time code and sync their records (automerge changes) with it, online or
 by USB file. Keeps one SQLite file by default, or PostgreSQL for several
 counties. Runs as the system service xianglin-county.
CONTROL
mkdir -p "$out"
package="$out/xianglin-county_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$package" >/dev/null
echo "$package"
