# shellcheck shell=bash
# systemd as PID 1 in a container (systemd-nspawn --boot) with a lingering user "juniper" whose user manager runs
# the Juniper user units for real (sourced; needs lib.sh and $W).
#
#   nspawn_start CHECKOUT   debootstrap rootfs (cached in $JUNIPER_CI_CACHE when set), the host's node binary, the
#                           checkout bind-mounted read-only at /home/juniper/juniper, boot, wait for user@1000
#   in_ct CMD...            run CMD in the container as root;  as_user CMD...  as juniper with its user bus
#   nspawn_stop             poweroff, wait, kill if needed, remove what nspawn leaves on the host

NSPAWN_USER=juniper
NSPAWN_HOME=/home/$NSPAWN_USER
NSPAWN_CHECKOUT=$NSPAWN_HOME/juniper

nspawn_rootfs() {
  local R=$1 mirror cache=${JUNIPER_CI_CACHE:-}
  apt_install debootstrap systemd-container
  if [ -n "$cache" ] && [ -f "$cache/nspawn-rootfs.tar" ]; then
    mkdir -p "$R" && tar -C "$R" -xf "$cache/nspawn-rootfs.tar"
    echo "rootfs from cache $cache/nspawn-rootfs.tar"
    return 0
  fi
  mirror=$(debian_mirror)
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,libpam-systemd,procps \
    bookworm "$R" "$mirror" > "$W/debootstrap.log" 2>&1 || { tail -n 20 "$W/debootstrap.log"; return 1; }
  chroot "$R" apt-get clean
  if [ -n "$cache" ]; then mkdir -p "$cache" && tar -C "$R" -cf "$cache/nspawn-rootfs.tar" .; fi
  echo "rootfs debootstrapped ($(du -sh "$R" | cut -f1))"
}

nspawn_start() {
  local checkout=$1 R=$W/rootfs
  nspawn_rootfs "$R"
  cp "$(readlink -f "$(command -v node)")" "$R/usr/bin/node"
  chroot "$R" id -u "$NSPAWN_USER" > /dev/null 2>&1 || chroot "$R" useradd --create-home --uid 1000 --shell /bin/bash "$NSPAWN_USER"
  mkdir -p "$R/var/lib/systemd/linger" "$R/var/log/journal" "$R$NSPAWN_CHECKOUT"
  touch "$R/var/lib/systemd/linger/$NSPAWN_USER"        # == loginctl enable-linger juniper
  chroot "$R" chown "$NSPAWN_USER:$NSPAWN_USER" "$NSPAWN_HOME"
  NSPAWN_MACHINE=juniper-ci-$$
  [ -e /run/systemd/nspawn ] && NSPAWN_HAD_RUNDIR=1 || NSPAWN_HAD_RUNDIR=0
  [ -e /var/lib/machines ] && NSPAWN_HAD_MACHINES=1 || NSPAWN_HAD_MACHINES=0
  echo "$NSPAWN_HAD_RUNDIR $NSPAWN_HAD_MACHINES" > "$W/nspawn.had"
  systemd-nspawn --boot --directory="$R" --machine="$NSPAWN_MACHINE" --register=no --keep-unit --private-network \
    --bind-ro="$checkout:$NSPAWN_CHECKOUT" --console=read-only < /dev/null > "$W/nspawn-boot.log" 2>&1 &
  NSPAWN_PID=$!
  echo "$NSPAWN_PID" > "$W/nspawn.pid"
  NSPAWN_INIT=
  for _ in $(seq 120); do
    # The container's init: the child of systemd-nspawn that is PID 1 in its own PID namespace.
    for c in $(pgrep --parent "$NSPAWN_PID" 2> /dev/null || true); do
      [ "$(awk '/^NSpid:/ {print $NF}' "/proc/$c/status" 2> /dev/null)" = 1 ] && NSPAWN_INIT=$c
    done
    [ -n "$NSPAWN_INIT" ] && break
    kill -0 "$NSPAWN_PID" 2> /dev/null || { echo "nspawn exited:"; tail -n 20 "$W/nspawn-boot.log"; return 1; }
    sleep 0.5
  done
  [ -n "$NSPAWN_INIT" ] || { echo "no init process in the container"; return 1; }
  if ! wait_until 90 in_ct systemctl is-active --quiet user@1000.service; then
    echo "user@1000.service did not start:"; in_ct systemctl status user@1000.service --no-pager || true
    tail -n 30 "$W/nspawn-boot.log"
    return 1
  fi
  echo "container booted (systemd $(in_ct systemctl --version | head -n 1 | cut -d' ' -f2)); user manager of $NSPAWN_USER is up (linger)"
}

# machinectl / -M need systemd-machined on the host, which is absent: enter the namespaces directly.
in_ct() { nsenter --target "$NSPAWN_INIT" --all "$@"; }
as_user() {
  in_ct runuser -u "$NSPAWN_USER" -- env -i HOME="$NSPAWN_HOME" XDG_RUNTIME_DIR=/run/user/1000 \
    DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus PATH=/usr/local/bin:/usr/bin:/bin "$@"
}

nspawn_stop() {
  [ -n "${NSPAWN_PID:-}" ] || NSPAWN_PID=$(cat "$W/nspawn.pid" 2> /dev/null || true)
  [ -n "${NSPAWN_PID:-}" ] || return 0
  [ -f "$W/nspawn.had" ] && read -r NSPAWN_HAD_RUNDIR NSPAWN_HAD_MACHINES < "$W/nspawn.had"
  if kill -0 "$NSPAWN_PID" 2> /dev/null; then
    in_ct systemctl poweroff > /dev/null 2>&1 || kill -TERM "$NSPAWN_PID" 2> /dev/null || true
    for _ in $(seq 60); do kill -0 "$NSPAWN_PID" 2> /dev/null || break; sleep 0.5; done
    kill -KILL "$NSPAWN_PID" 2> /dev/null || true
    wait "$NSPAWN_PID" 2> /dev/null || true
  fi
  NSPAWN_PID=
  rm -f "$W/nspawn.pid"
  [ "${NSPAWN_HAD_RUNDIR:-1}" = 1 ] || rm -rf /run/systemd/nspawn
  [ "${NSPAWN_HAD_MACHINES:-1}" = 1 ] || rmdir /var/lib/machines 2> /dev/null || true
  return 0
}
