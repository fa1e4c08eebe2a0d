#!/usr/bin/env bash
# End-to-end test of the compose `demo` profile (roadmap task 7.12):
#   make demo → demo-seed exited 0 → training progresses (JuniperCascor's epoch increases between two reads of
#   /v1/training/status) → every service ready → make health → make down → no container of the project is left.
#
#   test_demo_profile.sh [--keep] [--progress-timeout SECONDS] [--services "juniper-data ... "]
#
# --services limits `make demo` to some services (e.g. without JuniperCanopy while it does not exist yet).
# The auto-started training of the demo dataset can be short (seconds with the native kernels), so the status is
# read four times a second from the moment `make demo` starts, not after it returns.
# Uses the Makefile's variables (COMPOSE, NO_COLOR, *_HOST_PORT, COMPOSE_PROJECT_NAME); exit 0 only if all steps pass.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
deploy=$(cd "$here/.." && pwd)
keep=0 progress_timeout=120 services=""
while [ $# -gt 0 ]; do
  case $1 in
    --keep) keep=1 ;;
    --progress-timeout) progress_timeout=$2; shift ;;
    --services) services=$2; shift ;;
    *) echo "usage: test_demo_profile.sh [--keep] [--progress-timeout SECONDS] [--services \"...\"]" >&2; exit 2 ;;
  esac
  shift
done
COMPOSE=${COMPOSE:-docker compose}
project=${COMPOSE_PROJECT_NAME:-juniper}
dc() { $COMPOSE --project-directory "$deploy" -f "$deploy/docker-compose.yml" --profile demo "$@"; }
mk() { make --no-print-directory -C "$deploy" "$@"; }
step() { printf '== %s\n' "$*"; }
node=${JUNIPER_NODE:-node}
work=$(mktemp -d)
watcher=
cleanup() {
  [ -z "$watcher" ] || kill "$watcher" 2> /dev/null || true
  rm -rf "$work"
  [ $keep = 1 ] || mk down > /dev/null 2>&1 || true
}
trap cleanup EXIT

# Reads /v1/training/status every 250 ms; writes "epoch state" lines; stops once the epoch has increased.
cascor=http://127.0.0.1:${CASCOR_HOST_PORT:-8200}
"$node" -e '
  const [url, out, seconds] = process.argv.slice(1)
  const fs = require("node:fs")
  const deadline = Date.now() + Number(seconds) * 1000
  let first = null
  const read = async () => {
    const abort = new AbortController(); const t = setTimeout(() => abort.abort(), 1000)
    try {
      const b = await (await fetch(url + "/v1/training/status", { signal: abort.signal })).json()
      const d = b.data ?? b
      const epoch = d.current_epoch ?? d.monitor?.current_epoch
      const state = d.state_machine?.status ?? d.training_state?.status ?? "?"
      if (Number.isInteger(epoch)) {
        fs.appendFileSync(out, `${new Date().toISOString()} epoch ${epoch} ${state}\n`)
        if (first === null) first = epoch
        else if (epoch > first) { fs.appendFileSync(out, "PROGRESS\n"); process.exit(0) }
      }
    } catch {} finally { clearTimeout(t) }
    if (Date.now() > deadline) { fs.appendFileSync(out, "TIMEOUT\n"); process.exit(1) }
    setTimeout(read, 250)
  }
  read()' "$cascor" "$work/progress" "$progress_timeout" &
watcher=$!

step "make demo${services:+ SERVICES=\"$services\"}"
mk demo ${services:+SERVICES="$services"}

step "demo-seed completed successfully"
seed=$(dc ps -a -q demo-seed)
[ -n "$seed" ] || { echo "no demo-seed container"; exit 1; }
state=$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$seed")
echo "demo-seed: $state"
[ "$state" = "exited 0" ] || exit 1
dc logs --no-log-prefix demo-seed | tail -n 3

step "training progresses"
rc=0
wait "$watcher" || rc=$?
watcher=
cat "$work/progress" 2> /dev/null | head -n 3
[ -f "$work/progress" ] && [ "$(wc -l < "$work/progress")" -gt 4 ] && { echo "..."; tail -n 3 "$work/progress"; }
[ $rc -eq 0 ] || { echo "the epoch did not increase within ${progress_timeout}s"; exit 1; }
echo "training progresses: epoch $(grep -m1 epoch "$work/progress" | cut -d' ' -f3) -> $(grep epoch "$work/progress" | tail -n 1 | cut -d' ' -f3)"

step "every service ready"
running=$(dc ps --services --status running | tr '\n' ' ')
"$here/wait_for_services.sh" --timeout 120 $running

step "make health"
mk health

if [ $keep = 1 ]; then
  step "stack left running (--keep)"
  exit 0
fi
step "make down leaves nothing running"
mk down
left=$(docker ps -a -q --filter "label=com.docker.compose.project=$project")
[ -z "$left" ] || { echo "containers left: $left"; docker ps -a; exit 1; }
echo "no container of project $project is left"
