#!/usr/bin/env bash
# The packages as a station PC and a county server get them: installed with apt on this
# machine (as root or through sudo), started the way users start them, and purged again.
#
#   tests/package/run.sh app-install <xianglin_*.deb> <screenshot-dir>   # under a display (xvfb-run)
#   tests/package/run.sh app-purge <data-dir>                            # the user's data must stay
#   tests/package/run.sh county <xianglin-county_*.deb>
#
# app-install checks the package's files (binary, desktop entry named 乡邻, icon, the UOS/deepin
# /opt/apps/cn.xianglin.app entries), installs it, then starts the app from its installed menu
# entry's Exec line and times it to its first window. Figures go to stdout as `figure <name> <value>`.
set -euo pipefail

sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
fail() { echo "package check failed: $*" >&2; exit 1; }
now_ms() { date +%s%3N; }
appid=cn.xianglin.app
title="乡邻 · 乡镇养老服务"

app_install() {
  local deb shots
  deb="$(realpath "${1:?the app package}")"
  shots="${2:?a folder for screenshots}"
  mkdir -p "$shots"
  [[ -n "${DISPLAY:-}" ]] || fail "no display: run under xvfb-run -a"

  local version files
  version="$(dpkg-deb -f "$deb" Version)"
  [[ "$(dpkg-deb -f "$deb" Package)" == xianglin ]] || fail "the package is not named xianglin"
  # (Outputs are read whole before grep looks: under pipefail a grep -q that stops early would
  # fail the writer's pipe.)
  local depends
  depends="$(dpkg-deb -f "$deb" Depends)"
  grep -q libwebkit2gtk-4.1 <<<"$depends" || fail "the package does not depend on WebKitGTK"
  grep -q fonts-noto-cjk <<<"$depends" || fail "the package does not depend on the CJK fonts its PDFs embed"
  files="$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./||')"
  for path in usr/bin/xianglin usr/share/applications/xianglin.desktop \
    usr/share/icons/hicolor/128x128/apps/xianglin.png \
    "opt/apps/$appid/info" "opt/apps/$appid/entries/applications/$appid.desktop" \
    "opt/apps/$appid/entries/icons/hicolor/128x128/apps/$appid.png"; do
    grep -qxF "$path" <<<"$files" || fail "$path is not in the package"
  done
  echo "figure app_package_bytes $(stat -c %s "$deb")"
  echo "figure app_installed_kib $(dpkg-deb -f "$deb" Installed-Size)"

  local started installed install_ms
  started=$(now_ms)
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$deb" >/dev/null
  installed=$(now_ms)
  install_ms=$((installed - started))
  echo "figure app_install_ms $install_ms"
  [[ "$(dpkg-query -W -f='${Version}' xianglin)" == "$version" ]] || fail "dpkg does not list xianglin $version as installed"

  # The UOS store's manifest names the same app and version as the package.
  python3 - "/opt/apps/$appid/info" "$version" <<'PY' || fail "/opt/apps/$appid/info does not match the package"
import json, sys
info = json.load(open(sys.argv[1], encoding="utf-8"))
assert info["appid"] == "cn.xianglin.app", info
assert info["name"] == "乡邻", info
assert info["version"] == sys.argv[2], (info["version"], sys.argv[2])
PY
  local entry=/usr/share/applications/xianglin.desktop
  desktop-file-validate "$entry" || fail "$entry is not a valid desktop entry"
  desktop-file-validate "/opt/apps/$appid/entries/applications/$appid.desktop" || fail "the UOS desktop entry is not valid"
  grep -qx 'Name=乡邻' "$entry" || fail "the menu entry is not named 乡邻"

  # Started from the menu: the entry's Exec line, on a computer without data.
  local exec_line data_dir app_pid shown=""
  exec_line="$(sed -n 's/^Exec=//p' "$entry" | head -n 1)"
  exec_line="${exec_line%% %*}"
  [[ "$(command -v "$exec_line")" == /usr/bin/xianglin ]] || fail "the menu entry starts $exec_line, not the installed /usr/bin/xianglin"
  data_dir="$(mktemp -d)"
  started=$(now_ms)
  XIANGLIN_DATA_DIR="$data_dir" "$exec_line" >"$data_dir.log" 2>&1 &
  app_pid=$!
  for _ in $(seq 1 600); do
    if grep -qF "\"$title\"" <<<"$(xwininfo -root -tree 2>/dev/null)"; then shown=$(now_ms); break; fi
    kill -0 "$app_pid" 2>/dev/null || { cat "$data_dir.log" >&2; fail "the app exited before its window showed"; }
    sleep 0.05
  done
  [[ -n "$shown" ]] || { kill "$app_pid"; fail "no window titled $title within 30 s"; }
  echo "figure app_start_to_window_ms $((shown - started))"
  echo "figure app_install_to_first_window_ms $((install_ms + shown - started))"
  # The welcome page painted: wait for the webview, then keep the screen for the eye.
  sleep 3
  import -window root "$shots/menu-start.png"
  kill "$app_pid"
  wait "$app_pid" 2>/dev/null || true
  rm -rf "$data_dir" "$data_dir.log"
}

# Purging removes the program and keeps what the user made: the data directory of the run is
# the same, file for file, before and after.
app_purge() {
  local data_dir before after
  data_dir="${1:?the data directory the installed app wrote}"
  [[ -f "$data_dir/keyring.json" ]] || fail "$data_dir holds no keyring: the installed app did not write there"
  before="$(cd "$data_dir" && find . -type f -print0 | sort -z | xargs -0 sha256sum)"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 purge -y xianglin >/dev/null
  ! dpkg-query -W -f='${Status}' xianglin 2>/dev/null | grep -q "ok installed" || fail "xianglin is still installed"
  [[ ! -e /usr/bin/xianglin && ! -e /opt/apps/$appid ]] || fail "purge left the program behind"
  after="$(cd "$data_dir" && find . -type f -print0 | sort -z | xargs -0 sha256sum)"
  [[ "$before" == "$after" ]] || fail "purging the package changed the user's data in $data_dir"
  echo "purged; the user's data ($(wc -l <<<"$after") files) is untouched"
}

# The county server's package: its files, the system user and folders postinst makes, the
# database made as that user, the server started as its unit starts it (by systemd when systemd
# runs this machine, else by the unit's own User= and ExecStart= lines), stopped by SIGTERM, then
# purged with the county's data and key left in place. Refuses to run where a real county's data
# may live.
county() {
  local deb unit=/lib/systemd/system/xianglin-county.service config=/etc/xianglin-county/county.toml
  deb="$(realpath "${1:?the county server package}")"
  local marker=/var/lib/xianglin-county/.made-by-package-test
  if { [[ -e /var/lib/xianglin-county ]] || dpkg-query -W xianglin-county >/dev/null 2>&1; } && [[ ! -e $marker ]]; then
    fail "this machine already has a xianglin-county installation; the package test will not touch it"
  fi
  county_cleanup
  trap county_cleanup EXIT

  local files
  files="$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./||')"
  for path in usr/bin/xianglin-county ${unit#/} ${config#/}; do
    grep -qxF "$path" <<<"$files" || fail "$path is not in the package"
  done
  dpkg-deb -I "$deb" conffiles | grep -qxF "$config" || fail "$config is not a conffile"
  echo "figure county_package_bytes $(stat -c %s "$deb")"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$deb" >/dev/null
  "${sudo[@]}" touch "$marker"
  systemd-analyze verify "$unit" || fail "systemd finds fault with $unit"

  # postinst: a system user without a login, the data folder and the key folder its own.
  getent passwd xianglin-county | grep -q ':/usr/sbin/nologin$' || fail "no system user xianglin-county without a login shell"
  [[ "$(stat -c '%U %a' /var/lib/xianglin-county)" == "xianglin-county 700" ]] || fail "/var/lib/xianglin-county is not the service's own"
  [[ "$(stat -c '%U %a' /etc/xianglin-county/keys)" == "xianglin-county 700" ]] || fail "/etc/xianglin-county/keys is not the service's own"
  [[ "$(stat -c '%G %a' $config)" == "xianglin-county 640" ]] || fail "$config is not readable by the service's group only"

  # The county's database, made as the service's user; the key lands in the keys folder.
  "${sudo[@]}" runuser -u xianglin-county -- xianglin-county --config $config init >/dev/null 2>&1
  [[ "$(stat -c '%U %a' /etc/xianglin-county/keys/county.key)" == "xianglin-county 600" ]] || fail "the database key is not the service's, mode 600"
  [[ -s /var/lib/xianglin-county/county.sqlite ]] || fail "init made no database in /var/lib/xianglin-county"
  # Read whole, then looked at: a reader that stops early would break the command's pipe.
  local made
  made="$("${sudo[@]}" runuser -u xianglin-county -- xianglin-county --config $config code --role caseworker \
    --places 360733105201 --name 测试探访员 2>/dev/null)"
  grep -q '^code ' <<<"$made" || fail "the admin command made no enrollment code"

  # Served as the unit serves: systemctl where systemd runs, else the unit's own lines.
  local user exec_start server_pid=""
  if [[ -d /run/systemd/system ]]; then
    "${sudo[@]}" systemctl start xianglin-county
    wait_for_health 8440 || { journalctl -u xianglin-county --no-pager | tail -n 20 >&2; fail "systemctl start xianglin-county does not serve"; }
    "${sudo[@]}" systemctl stop xianglin-county
  else
    user="$(sed -n 's/^User=//p' $unit)"
    exec_start="$(sed -n 's/^ExecStart=//p' $unit)"
    echo "no systemd on this machine: starting the unit's ExecStart as its User ($user)"
    local port
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    # shellcheck disable=SC2086 # the unit's ExecStart is words, as systemd splits it
    # setpriv executes the server itself (runuser would stay its parent), so SIGTERM reaches it.
    "${sudo[@]}" env XIANGLIN_COUNTY_LISTEN="127.0.0.1:$port" \
      setpriv --reuid="$user" --regid="$user" --init-groups -- $exec_start 2>/tmp/xianglin-county-package.log &
    server_pid=$!
    wait_for_health "$port" || { cat /tmp/xianglin-county-package.log >&2; fail "the unit's ExecStart does not serve"; }
    kill -TERM "$server_pid"
    wait "$server_pid" || fail "the server did not stop cleanly on SIGTERM"
  fi

  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 purge -y xianglin-county >/dev/null 2>&1
  [[ ! -e /usr/bin/xianglin-county && ! -e $config && ! -e $unit ]] || fail "purge left the program or its config behind"
  [[ -s /var/lib/xianglin-county/county.sqlite && -s /etc/xianglin-county/keys/county.key ]] ||
    fail "purging the package deleted the county's data or its key"
  echo "county server package: installed, served, stopped, purged; the county's data and key stay"
}

wait_for_health() {
  for _ in $(seq 1 200); do
    [[ "$(curl -fsS "http://127.0.0.1:$1/v1/health" 2>/dev/null)" == ok ]] && return 0
    sleep 0.1
  done
  return 1
}

# What the county test made: its data, key and user (only ever its own, see the marker).
county_cleanup() {
  [[ -e /var/lib/xianglin-county/.made-by-package-test || ! -e /var/lib/xianglin-county ]] || return 0
  dpkg-query -W xianglin-county >/dev/null 2>&1 && "${sudo[@]}" apt-get purge -y xianglin-county >/dev/null 2>&1
  "${sudo[@]}" rm -rf /var/lib/xianglin-county /etc/xianglin-county
  getent passwd xianglin-county >/dev/null && "${sudo[@]}" deluser --system xianglin-county >/dev/null 2>&1
  getent group xianglin-county >/dev/null && "${sudo[@]}" delgroup --system xianglin-county >/dev/null 2>&1
  return 0
}

case "${1:-}" in
  app-install) shift; app_install "$@" ;;
  app-purge) shift; app_purge "$@" ;;
  county) shift; county "$@" ;;
  *) echo "usage: $0 app-install <deb> <screenshot-dir> | app-purge <data-dir> | county <deb>" >&2; exit 2 ;;
esac
