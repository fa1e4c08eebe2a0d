# shellcheck shell=bash
# Shared helpers of the deployment checks (sourced by deploy/ci/*.sh).
#
# Each check runs as a function in a subshell, its output in $W/logs/<name>.log; the runner prints one line per check:
#   PASS <name> (<seconds>s)     FAIL <name> (<seconds>s) + the log's tail     SKIP <name> (<reason>)
# and the summary `N passed, N failed` (SKIPs are counted apart, never as passed).

: "${REPO:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
DEPLOY=$REPO/deploy
CI=$DEPLOY/ci

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
  C_PASS=$'\033[32m' C_FAIL=$'\033[31m' C_SKIP=$'\033[33m' C_DIM=$'\033[2m' C_OFF=$'\033[0m'
else
  C_PASS='' C_FAIL='' C_SKIP='' C_DIM='' C_OFF=''
fi

N_PASS=0 N_FAIL=0 N_SKIP=0
FAILED_CHECKS=()

log() { printf '%s[%s] %s%s\n' "$C_DIM" "$(date +%H:%M:%S)" "$*" "$C_OFF"; }

# run_check NAME FUNCTION [ARGS...]
run_check() {
  local name=$1 t0=$SECONDS rc
  shift
  mkdir -p "$W/logs"
  local logf=$W/logs/$name.log
  ( set -euo pipefail; "$@" ) > "$logf" 2>&1
  rc=$?
  if [ $rc -eq 0 ]; then
    N_PASS=$((N_PASS + 1))
    printf '%sPASS%s %s (%ss)\n' "$C_PASS" "$C_OFF" "$name" "$((SECONDS - t0))"
  elif [ $rc -eq 77 ]; then
    # A check may find out by itself that it cannot run yet (exit 77, reason on its last line).
    N_SKIP=$((N_SKIP + 1))
    printf '%sSKIP%s %s (%s)\n' "$C_SKIP" "$C_OFF" "$name" "$(tail -n 1 "$logf")"
  else
    N_FAIL=$((N_FAIL + 1))
    FAILED_CHECKS+=("$name")
    printf '%sFAIL%s %s (%ss, exit %s) — last lines of %s:\n' "$C_FAIL" "$C_OFF" "$name" "$((SECONDS - t0))" "$rc" "$logf"
    tail -n "${JUNIPER_CI_FAIL_LINES:-40}" "$logf" | sed 's/^/    | /'
  fi
  return 0
}

skip_check() {
  N_SKIP=$((N_SKIP + 1))
  printf '%sSKIP%s %s (%s)\n' "$C_SKIP" "$C_OFF" "$1" "$2"
}

# Which services are built: dist/<svc>/index.js in the repository (written by `npm run build` once a service has
# packages/<svc>/src/main.ts).
service_built() { [ -f "$REPO/dist/$1/index.js" ]; }
service_has_source() { [ -f "$REPO/packages/$1/src/main.ts" ]; }
missing_services() {
  local s out=()
  for s in "$@"; do service_built "$s" || out+=("$s"); done
  echo "${out[*]}"
}

# The mirror apt uses on this machine (no internet host is named in these scripts).
debian_mirror() {
  local m
  m=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2> /dev/null || true)
  [ -n "$m" ] || m=$(awk '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' /etc/apt/sources.list)
  echo "$m"
}

apt_install() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" > /dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" > "$W/apt-${missing[0]}.log" 2>&1 || {
    apt-get update -qq > /dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" > "$W/apt-${missing[0]}.log" 2>&1
  }
}

# wait_until SECONDS COMMAND...: polls every 0.5 s.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.5
  done
}
