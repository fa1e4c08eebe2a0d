#!/usr/bin/env bash
# Installs the Juniper systemd *user* units for the current user (no root needed).
#
#   deploy/systemd/install.sh [--root DIR] [--node PATH] [--copy] [--enable] [--linger] [--no-reload]
#   deploy/systemd/install.sh --uninstall
#
# What it does (nothing outside the user's own directories):
#   ~/.config/juniper/root   -> the checkout (default: the one this script is in; --root to choose), which must be
#                               built: `npm ci && npm run build` gives dist/<service>/index.js
#   ~/.config/juniper/node   -> the Node binary (default: `command -v node`; --node to choose, e.g. an nvm one)
#   ~/.config/juniper/juniper.env   local settings and secrets, created empty with mode 0600 if missing
#   ~/.config/systemd/user/juniper*  the units: symlinks to deploy/systemd/user (or copies with --copy)
#   ~/.local/bin/juniper-ctl -> deploy/scripts/juniper-ctl
# The cluster runner template juniper-cascor-runner@.service is installed too, not enabled (it needs PostgreSQL):
#   systemctl --user enable --now juniper-cascor-runner@01 juniper-cascor-runner@02
# then `systemctl --user daemon-reload`. The units find everything through those two links (%E/juniper/...), so they
# contain no user's path and survive moving the checkout (re-run install.sh).
# --enable starts the platform at login (systemctl --user enable juniper.target + services + timers);
# --linger also at boot without a login (loginctl enable-linger, may need privileges).
# ($XDG_CONFIG_HOME replaces ~/.config where it is set.)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
node=
mode=link enable=0 linger=0 reload=1 uninstall=0
while [ $# -gt 0 ]; do
  case $1 in
    --root) root=$(cd "$2" && pwd); shift ;;
    --node) node=$2; shift ;;
    --copy) mode=copy ;;
    --enable) enable=1 ;;
    --linger) linger=1 ;;
    --no-reload) reload=0 ;;
    --uninstall) uninstall=1 ;;
    -h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

config=${XDG_CONFIG_HOME:-$HOME/.config}
unit_dir=$config/systemd/user
link_dir=$config/juniper
bin_dir=$HOME/.local/bin
units=("$here"/user/juniper.target "$here"/user/juniper-*.service "$here"/user/juniper-*.timer)
user_manager() { systemctl --user show-environment > /dev/null 2>&1; }

if [ $uninstall = 1 ]; then
  if user_manager; then
    systemctl --user disable --now juniper.target juniper-{data,cascor,canopy}.service \
      juniper-{data,cascor,canopy}-health.timer > /dev/null 2>&1 || true
    # Cluster runners (juniper-cascor-runner@NN, enabled by hand): their instances, then the template's links.
    for inst in $(systemctl --user list-units --all --plain --no-legend 'juniper-cascor-runner@*' 2> /dev/null | awk '{print $1}'); do
      systemctl --user disable --now "$inst" > /dev/null 2>&1 || true
    done
    rm -f "$unit_dir"/juniper.target.wants/juniper-cascor-runner@*.service
  fi
  for u in "${units[@]}"; do rm -f "$unit_dir/$(basename "$u")"; done
  rm -f "$link_dir/root" "$link_dir/node"
  [ -L "$bin_dir/juniper-ctl" ] && rm -f "$bin_dir/juniper-ctl"
  [ $reload = 1 ] && user_manager && systemctl --user daemon-reload
  echo "Juniper user units removed (kept: $link_dir/juniper.env and the data in ${XDG_STATE_HOME:-$HOME/.local/state}/juniper)."
  exit 0
fi

[ -n "$node" ] || node=$(command -v node || true)
[ -n "$node" ] && [ -x "$node" ] || { echo "install.sh: no node binary (put node on PATH or pass --node PATH)" >&2; exit 1; }
node=$(readlink -f "$node")
"$node" -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
  { echo "install.sh: $node is Node $("$node" --version); Juniper needs >= 20.19" >&2; exit 1; }
for svc in data cascor canopy; do
  [ -f "$root/dist/$svc/index.js" ] || echo "install.sh: note: $root/dist/$svc/index.js is missing (run npm run build); juniper-$svc.service will fail to start" >&2
done

mkdir -p "$unit_dir" "$link_dir" "$bin_dir"
ln -sfn "$root" "$link_dir/root"
ln -sfn "$node" "$link_dir/node"
if [ ! -e "$link_dir/juniper.env" ]; then
  ( umask 077; printf '%s\n' \
      "# Local Juniper settings for the systemd user units (loaded after $root/deploy/conf/juniper.env, wins over it)." \
      "# KEY=value per line. Secrets: point *_FILE settings at files only you can read, e.g." \
      "# JUNIPER_DATA_API_KEYS_FILE=$link_dir/data_api_keys" > "$link_dir/juniper.env" )
fi
for u in "${units[@]}"; do
  target=$unit_dir/$(basename "$u")
  rm -f "$target"
  if [ $mode = copy ]; then install -m 0644 "$u" "$target"; else ln -s "$u" "$target"; fi
done
ln -sfn "$root/deploy/scripts/juniper-ctl" "$bin_dir/juniper-ctl"

echo "Juniper user units installed ($mode) in $unit_dir"
echo "  checkout: $link_dir/root -> $root"
echo "  node:     $link_dir/node -> $node ($("$node" --version))"
echo "  settings: $root/deploy/conf/juniper.env, then $link_dir/juniper.env"
if [ $reload = 1 ]; then
  if user_manager; then
    systemctl --user daemon-reload
  else
    echo "  (no user manager reachable: run 'systemctl --user daemon-reload' in your session)"
  fi
fi
if [ $enable = 1 ]; then
  systemctl --user enable juniper.target juniper-{data,cascor,canopy}.service juniper-{data,cascor,canopy}-health.timer
fi
if [ $linger = 1 ]; then
  loginctl enable-linger "$(id -un)"
fi
if command -v loginctl > /dev/null 2>&1 && [ "$(loginctl show-user "$(id -un)" -p Linger --value 2> /dev/null)" != yes ]; then
  echo "  hint: 'loginctl enable-linger $(id -un)' keeps the services running without a login session"
fi
echo "Next: juniper-ctl start && juniper-ctl status   (juniper-ctl is in $bin_dir)"
