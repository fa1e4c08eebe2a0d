# shellcheck shell=bash
# systemd for real: systemd as PID 1 in a systemd-nspawn container, a lingering user "juniper" whose user manager
# runs the Juniper units from this checkout (bind-mounted read-only, as built on the host). Sourced by run-all.sh.

CTL=$NSPAWN_CHECKOUT/deploy/scripts/juniper-ctl
ctl() { as_user "$CTL" "$@"; }
uctl() { as_user systemctl --user "$@"; }
uprop() { uctl show -p "$2" --value "juniper-$1.service"; }
built_services() { local s out=(); for s in data cascor canopy; do service_built "$s" && out+=("$s"); done; echo "${out[*]}"; }

check_nspawn_boot() {
  # The rootfs may already be under construction in the background (run-all.sh starts debootstrap early).
  if [ -f "$W/rootfs.pid" ]; then
    local pid
    pid=$(cat "$W/rootfs.pid")
    while kill -0 "$pid" 2> /dev/null; do sleep 1; done
    [ -f "$W/rootfs.ok" ] || { echo "background rootfs build failed:"; tail -n 20 "$W/rootfs.log"; return 1; }
    cat "$W/rootfs.log"
  fi
  nspawn_start "$REPO"
  echo "$NSPAWN_PID $NSPAWN_INIT" > "$W/nspawn.state"
}

nspawn_load() { read -r NSPAWN_PID NSPAWN_INIT < "$W/nspawn.state"; }

check_systemd_install() {
  nspawn_load
  as_user "$NSPAWN_CHECKOUT/deploy/systemd/install.sh"
  local out
  out=$(as_user bash -c 'cd ~/.config/systemd/user && systemd-analyze --user verify juniper.target $(ls juniper-*.service | sed "s/@\\.service\$/@01.service/") juniper-*.timer' 2>&1)
  [ -z "$out" ] || { echo "systemd-analyze --user verify (in the container, as juniper) printed:"; echo "$out"; return 1; }
  uctl list-unit-files 'juniper*' --no-pager
  [ "$(uctl list-unit-files 'juniper*' --no-legend | wc -l)" -eq 11 ] || { echo "expected 11 unit files"; uctl list-unit-files 'juniper*' --no-legend; return 1; }
  echo "11 units (with the cluster runner template) installed by install.sh for user juniper; verify prints nothing"
}

# Start what exists, letting systemd's dependencies do the ordering: with all three built, juniper.target
# (juniper-ctl start); otherwise the last built service of the chain, which pulls in the ones before it.
check_systemd_start() {
  nspawn_load
  local svcs
  svcs=$(built_services)
  if [ "$svcs" = "data cascor canopy" ]; then
    ctl start
  else
    uctl start "juniper-${svcs##* }.service"
  fi
  local s health
  for s in $svcs; do
    [ "$(uprop "$s" ActiveState)" = active ] || { echo "juniper-$s is $(uprop "$s" ActiveState)"; uctl status "juniper-$s" --no-pager; return 1; }
    # Health-gated: "active" only after ExecStartPost saw /v1/health/ready answer 2xx; probe right away.
    health=$( (ctl health 2> /dev/null || true) | grep "\"juniper-$s\"" || true)
    grep -q '"healthy":true' <<< "$health" || { echo "juniper-$s active but not healthy: $health"; return 1; }
    echo "juniper-$s: active (Type=notify, READY=1 received), healthy right after start: $health"
  done
  echo "journal:"
  as_user journalctl --user --no-pager -o short-monotonic -u 'juniper-*.service' | grep -E 'Start|Started|READY|listening' | tail -n 12
}

check_systemd_order() {
  nspawn_load
  # Each service began starting only after its predecessor was active (= healthy).
  local prev="" s enter exit_prev
  for s in $(built_services); do
    if [ -n "$prev" ]; then
      enter=$(uprop "$s" InactiveExitTimestampMonotonic)
      exit_prev=$(uprop "$prev" ActiveEnterTimestampMonotonic)
      [ "$enter" -ge "$exit_prev" ] || { echo "juniper-$s began starting ($enter) before juniper-$prev was active ($exit_prev)"; return 1; }
      echo "juniper-$prev active at ${exit_prev}us -> juniper-$s starts at ${enter}us (+$(( (enter - exit_prev) / 1000 )) ms)"
    fi
    prev=$s
  done
}

check_systemd_kill_restart() {
  nspawn_load
  local svcs s before pid
  svcs=$(built_services)
  before=$(uprop data NRestarts)
  pid=$(uprop data MainPID)
  as_user kill -9 "$pid"
  for _ in $(seq 120); do
    [ "$(uprop data NRestarts)" -gt "$before" ] && [ "$(uprop data ActiveState)" = active ] && break
    sleep 0.5
  done
  [ "$(uprop data NRestarts)" -gt "$before" ] || { echo "juniper-data was not restarted after kill -9"; return 1; }
  [ "$(uprop data ActiveState)" = active ] || { echo "juniper-data is $(uprop data ActiveState) after the restart"; return 1; }
  echo "kill -9 $pid -> juniper-data restarted (NRestarts $before -> $(uprop data NRestarts)), new PID $(uprop data MainPID)"
  # The units that Require= it went down with it and came back in order.
  for s in $svcs; do
    for _ in $(seq 120); do [ "$(uprop "$s" ActiveState)" = active ] && break; sleep 0.5; done
    [ "$(uprop "$s" ActiveState)" = active ] || { echo "juniper-$s is $(uprop "$s" ActiveState) after data's restart"; return 1; }
  done
  local out
  out=$(ctl health || true)
  for s in $svcs; do grep -q "\"service\":\"juniper-$s\",.*\"healthy\":true" <<< "$out" || { echo "juniper-$s not healthy after the restart: $out"; return 1; }; done
  grep -E "$(sed 's/ /|/g' <<< "$svcs")" <<< "$out"
  as_user journalctl --user --no-pager -o short-monotonic -u 'juniper-*.service' -n 40 | grep -E 'KILL|Scheduled restart|Started|Stopped' | tail -n 8
}

# The services' sd_notify watchdog: a stopped (hung) process misses its pings and systemd restarts it.
check_systemd_watchdog() {
  nspawn_load
  local dropin=/home/juniper/.config/systemd/user/juniper-data.service.d
  as_user mkdir -p "$dropin"
  as_user bash -c "printf '[Service]\nWatchdogSec=4\n' > $dropin/50-ci-watchdog.conf"
  uctl daemon-reload
  uctl restart juniper-data.service
  local svcs s before pid
  svcs=$(built_services)
  before=$(uprop data NRestarts)
  sleep 6   # two watchdog periods of pings: the service keeps running while it pings
  [ "$(uprop data ActiveState)" = active ] && [ "$(uprop data NRestarts)" = "$before" ] ||
    { echo "juniper-data did not survive with WatchdogSec=4 while healthy"; return 1; }
  pid=$(uprop data MainPID)
  as_user kill -STOP "$pid"
  for _ in $(seq 60); do [ "$(uprop data NRestarts)" -gt "$before" ] && break; sleep 0.5; done
  [ "$(uprop data NRestarts)" -gt "$before" ] || { echo "no watchdog restart of a hung juniper-data"; return 1; }
  as_user journalctl --user --no-pager -u juniper-data.service -n 30 | grep -i watchdog | tail -n 2
  as_user rm -rf "$dropin"
  uctl daemon-reload
  for s in $svcs; do uctl start "juniper-$s.service"; done
  for s in $svcs; do [ "$(uprop "$s" ActiveState)" = active ] || { echo "juniper-$s not active again"; return 1; }; done
  echo "WATCHDOG=1 pings keep juniper-data alive; SIGSTOP -> watchdog timeout -> restarted"
}

check_juniper_ctl() {
  nspawn_load
  local svcs s out
  svcs=$(built_services)
  out=$(ctl status)
  echo "$out"
  for s in $svcs; do
    grep -E "^juniper-$s +active +running +[1-9][0-9]* +[0-9.ms]+ +[0-9]+ +[0-9.]+ [KMG]iB\*? +ready" <<< "$out" > /dev/null ||
      { echo "status line of juniper-$s lacks real figures"; return 1; }
  done
  out=$(ctl health || true)
  echo "$out"
  for s in $svcs; do grep -q "\"service\":\"juniper-$s\",.*\"healthy\":true" <<< "$out" || { echo "health: juniper-$s not healthy"; return 1; }; done
  out=$(ctl resources)
  echo "$out"
  for s in $svcs; do
    grep -E "^juniper-$s +[1-9][0-9]* +[0-9.ms]+ +[0-9.]+ [KMG]iB +" <<< "$out" > /dev/null ||
      { echo "resources of juniper-$s lack CPU/memory figures"; return 1; }
  done
  ctl logs data -n 5
}

check_systemd_stop() {
  nspawn_load
  ctl stop
  local s
  for s in data cascor canopy; do
    [ "$(uprop "$s" ActiveState)" = inactive ] || { echo "juniper-$s is $(uprop "$s" ActiveState) after juniper-ctl stop"; return 1; }
  done
  if in_ct pgrep -u juniper -f 'dist/(data|cascor|canopy)' > /dev/null; then echo "service processes left"; in_ct pgrep -a -u juniper node; return 1; fi
  echo "juniper-ctl stop: every unit inactive, no service process left"
}

check_nspawn_cleanup() {
  nspawn_load 2> /dev/null || true
  nspawn_stop
  if pgrep -f "systemd-nspawn.*juniper-ci-" > /dev/null; then echo "systemd-nspawn still running"; return 1; fi
  echo "container powered off; nspawn run directories removed"
}
