# shellcheck shell=bash
# A real Docker engine for CI on a machine where PID 1 is not systemd (sourced; needs lib.sh and $W).
#
#   engine_start     docker.io from Debian, Compose v2 plugin (get-compose.sh), dockerd by hand: its own data-root,
#                    exec-root, socket and address pools, all under $W
#   base_image       localhost/juniper-node-base: the host's node binary + the libraries ldd lists (no registry)
#   engine_stop      compose down, dockerd stopped by PID, then engine_cleanup
#   engine_cleanup   bridges, iptables rules and chains, runtime directories dockerd leaves behind
#
# Exports DOCKER_HOST and DOCKER_CONFIG for everything after engine_start.

ENGINE_BIP=${JUNIPER_CI_BIP:-10.213.0.1/24}
ENGINE_POOL=${JUNIPER_CI_ADDRESS_POOL:-10.214.0.0/16}

engine_start() {
  apt_install docker.io iptables
  W=$W "$CI/get-compose.sh"
  export DOCKER_CONFIG=$W/docker-config DOCKER_HOST=unix://$W/docker.sock
  # Remember what exists, so that cleanup removes only what this run created.
  ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort > "$W/links.before"
  for t in filter nat; do iptables -t "$t" -S > "$W/iptables.$t.before" 2> /dev/null || true; done
  mkdir -p "$W/docker-data" "$W/docker-exec"
  # The data root on a tmpfs (JUNIPER_CI_TMPFS=0: on disk): image layers and containers are many small files, which
  # a loaded disk writes and deletes slowly; about 1-2 GB of memory.
  if [ "${JUNIPER_CI_TMPFS:-1}" = 1 ]; then
    mount -t tmpfs -o size="${JUNIPER_CI_TMPFS_SIZE:-8g}",mode=0711 tmpfs "$W/docker-data" && touch "$W/docker-data.tmpfs"
  fi
  dockerd --data-root "$W/docker-data" --exec-root "$W/docker-exec" --pidfile "$W/dockerd.pid" \
    --host "$DOCKER_HOST" --bip "$ENGINE_BIP" --default-address-pool "base=$ENGINE_POOL,size=24" \
    > "$W/dockerd.log" 2>&1 &
  echo $! > "$W/dockerd.launcher.pid"
  if ! wait_until 60 docker info > /dev/null 2>&1; then
    echo "dockerd did not come up:"; tail -n 30 "$W/dockerd.log"; return 1
  fi
  docker version --format 'engine {{.Server.Version}} (API {{.Server.APIVersion}}), client {{.Client.Version}}'
  docker compose version
}

base_image() {
  local tag=${1:-localhost/juniper-node-base:ci} root=$W/node-rootfs node_bin lib
  node_bin=$(readlink -f "$(command -v node)")
  rm -rf "$root"
  mkdir -p "$root/usr/local/bin" "$root/usr/bin" "$root/etc" "$root/tmp"
  chmod 1777 "$root/tmp"
  cp "$node_bin" "$root/usr/local/bin/node"
  ln -sf ../local/bin/node "$root/usr/bin/node"
  for lib in $(ldd "$node_bin" | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  printf 'root:x:0:0::/root:/nonexistent\njuniper:x:1000:1000::/home/juniper:/nonexistent\nnobody:x:65534:65534::/nonexistent:/nonexistent\n' > "$root/etc/passwd"
  printf 'root:x:0:\njuniper:x:1000:\nnogroup:x:65534:\n' > "$root/etc/group"
  tar -C "$root" -c . | docker import -c 'CMD ["/usr/local/bin/node"]' - "$tag" > /dev/null
  rm -rf "$root"
  echo "base image $tag: node $(node --version) from $node_bin, no shell"
}

# localhost/juniper-postgres: the host's PostgreSQL 15 server (Debian's postgresql-15) with the libraries ldd lists,
# dash as /bin/sh (initdb and the health check use a shell), tzdata, and a small entrypoint that understands the
# official image's POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB. No registry needed; runs as uid 999.
postgres_image() {
  local tag=${1:-localhost/juniper-postgres:ci} root=$W/postgres-rootfs pg=/usr/lib/postgresql/15 f lib
  [ -x "$pg/bin/postgres" ] || apt_install postgresql-15
  rm -rf "$root"
  mkdir -p "$root$pg/bin" "$root/usr/share" "$root/bin" "$root/etc" "$root/tmp" "$root/var/lib/postgresql/data" "$root/usr/local/bin"
  chmod 1777 "$root/tmp"
  for f in postgres initdb pg_ctl pg_isready psql; do cp "$pg/bin/$f" "$root$pg/bin/"; done
  cp -a "$pg/lib" "$root$pg/"
  rm -rf "$root$pg/lib/bitcode" "$root$pg/lib"/llvmjit*
  cp -a /usr/share/postgresql "$root/usr/share/"
  cp -a /usr/share/zoneinfo "$root/usr/share/"
  cp "$(readlink -f /bin/dash)" "$root/bin/sh"
  for f in "$root$pg/bin"/* "$root$pg/lib"/*.so /bin/dash; do
    for lib in $(ldd "$f" 2> /dev/null | grep -o '/[^ ]*'); do
      [ -e "$root$lib" ] && continue
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
  done
  printf 'root:x:0:0::/root:/nonexistent\npostgres:x:999:999::/var/lib/postgresql:/bin/sh\n' > "$root/etc/passwd"
  printf 'root:x:0:\npostgres:x:999:\n' > "$root/etc/group"
  cat > "$root/usr/local/bin/postgres-entrypoint" << 'SH'
#!/bin/sh
# First start on an empty volume: initdb with the official image's variables, then the server.
set -e
: "${PGDATA:=/var/lib/postgresql/data}" "${POSTGRES_USER:=postgres}" "${POSTGRES_DB:=$POSTGRES_USER}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  [ -n "$POSTGRES_PASSWORD" ] || { echo "POSTGRES_PASSWORD is required" >&2; exit 1; }
  printf '%s\n' "$POSTGRES_PASSWORD" > /tmp/.pw
  initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile=/tmp/.pw -E UTF8 --no-locale --auth-local=trust --auth-host=scram-sha-256 > /tmp/initdb.log
  : > /tmp/.pw
  printf "host all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n" >> "$PGDATA/pg_hba.conf"
  if [ "$POSTGRES_DB" != postgres ]; then
    printf 'CREATE DATABASE "%s" OWNER "%s";\n' "$POSTGRES_DB" "$POSTGRES_USER" | postgres --single -D "$PGDATA" postgres > /dev/null
  fi
  echo "initialised $PGDATA (user $POSTGRES_USER, database $POSTGRES_DB)"
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/tmp "$@"
SH
  chmod 755 "$root/usr/local/bin/postgres-entrypoint"
  chown -R 999:999 "$root/var/lib/postgresql"
  chmod 700 "$root/var/lib/postgresql/data"
  tar -C "$root" --numeric-owner -c . | docker import \
    -c "ENV PATH=$pg/bin:/usr/local/bin:/bin PGHOST=/tmp PGDATA=/var/lib/postgresql/data" \
    -c 'USER 999' -c 'ENTRYPOINT ["/usr/local/bin/postgres-entrypoint"]' - "$tag" > /dev/null
  rm -rf "$root"
  echo "postgres image $tag: $("$pg/bin/postgres" --version) from $pg"
}

engine_stop() {
  [ -f "$W/dockerd.launcher.pid" ] || return 0
  export DOCKER_CONFIG=$W/docker-config DOCKER_HOST=unix://$W/docker.sock
  if [ -f "$W/dockerd.pid" ] && docker info > /dev/null 2>&1; then
    # Containers of any compose project this run started (all profiles), then dockerd.
    local ids
    ids=$(docker ps -aq 2> /dev/null || true)
    [ -z "$ids" ] || docker rm -f $ids > /dev/null 2>&1 || true
    docker network prune -f > /dev/null 2>&1 || true
  fi
  local pid
  pid=$(cat "$W/dockerd.pid" 2> /dev/null || cat "$W/dockerd.launcher.pid" 2> /dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2> /dev/null; then
    kill "$pid" 2> /dev/null || true
    for _ in $(seq 60); do kill -0 "$pid" 2> /dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2> /dev/null || true
  fi
  engine_cleanup
}

engine_cleanup() {
  local table link
  # Bridges and veths this run created (docker0, br-<id>, veth…).
  if [ -f "$W/links.before" ]; then
    ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort > "$W/links.after"
    for link in $(comm -13 "$W/links.before" "$W/links.after"); do
      case $link in docker0 | br-* | veth*) ip link delete "$link" 2> /dev/null || true ;; esac
    done
  fi
  for table in filter nat; do
    # Rules in built-in chains that point at docker chains or bridges, then the DOCKER* chains themselves.
    iptables -t "$table" -S 2> /dev/null | grep -E '^-A (INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) .*(DOCKER|docker0|br-[0-9a-f]{12})' |
      while read -r -a rule; do rule[0]=-D; iptables -t "$table" "${rule[@]}" 2> /dev/null || true; done || true
    local chains c
    chains=$(iptables -t "$table" -S 2> /dev/null | awk '$1 == "-N" && $2 ~ /^DOCKER/ {print $2}' || true)
    for c in $chains; do iptables -t "$table" -F "$c" 2> /dev/null || true; done
    for c in $chains; do iptables -t "$table" -X "$c" 2> /dev/null || true; done
  done
  rm -rf /etc/docker/key.json
  rmdir /etc/docker 2> /dev/null || true
  # dockerd's own mounts under the data root (overlay, netns) must be gone before the scratch dir is removed.
  if [ -d "$W/docker-data" ] || [ -d "$W/docker-exec" ]; then
    grep -E " ($W/docker-data|$W/docker-exec)/" /proc/mounts | awk '{print $2}' | sort -r |
      while read -r m; do umount -l "$m" 2> /dev/null || true; done || true
  fi
  if grep -q " $W/docker-data tmpfs " /proc/mounts; then umount "$W/docker-data" 2> /dev/null || umount -l "$W/docker-data"; fi
  rm -f "$W/docker-data.tmpfs"
  return 0
}

# engine_leftovers: prints anything this run's engine left behind; empty output = clean.
engine_leftovers() {
  local out=""
  if [ -f "$W/dockerd.pid" ] && kill -0 "$(cat "$W/dockerd.pid")" 2> /dev/null; then out+="dockerd still running\n"; fi
  pgrep -f "containerd.*$W" > /dev/null 2>&1 && out+="containerd still running\n"
  pgrep -f "containerd-shim.*$W" > /dev/null 2>&1 && out+="containerd-shim still running\n"
  ip -o link show | awk -F': ' '{print $2}' | grep -E '^(docker0|br-[0-9a-f]{12})' > /dev/null && out+="docker bridges left: $(ip -o link show | awk -F': ' '{print $2}' | grep -E '^(docker0|br-)' | tr '\n' ' ')\n"
  for t in filter nat; do
    iptables -t "$t" -S 2> /dev/null | grep -q DOCKER && out+="iptables $t table still has DOCKER rules\n"
  done
  grep -qE " ($W/docker-data|$W/docker-exec)" /proc/mounts && out+="mounts left under $W: $(grep -E " ($W/docker-data|$W/docker-exec)" /proc/mounts | awk '{print $2}' | tr '\n' ' ')\n"
  printf '%b' "$out"
}
