#!/usr/bin/env bash
# End-to-end test of the compose `demo` profile (roadmap task 7.12):
#   make demo → every service ready → demo-seed exited 0 → training progresses (JuniperCascor's epoch increases
#   between two reads of /v1/training/status) → make health → make down → no container of the project is left.
#
#   test_demo_profile.sh [--keep] [--progress-timeout SECONDS]
#
# Uses the same variables as the Makefile (COMPOSE, NO_COLOR, the *_HOST_PORT variables); exit 0 only if all steps pass.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
deploy=$(cd "$here/.." && pwd)
keep=0 progress_timeout=120
while [ $# -gt 0 ]; do
  case $1 in
    --keep) keep=1 ;;
    --progress-timeout) progress_timeout=$2; shift ;;
    *) echo "usage: test_demo_profile.sh [--keep] [--progress-timeout SECONDS]" >&2; exit 2 ;;
  esac
  shift
done
COMPOSE=${COMPOSE:-docker compose}
dc() { $COMPOSE --project-directory "$deploy" -f "$deploy/docker-compose.yml" --profile demo "$@"; }
step() { printf '== %s\n' "$*"; }
node=${JUNIPER_NODE:-node}
cleanup() { [ $keep = 1 ] || make --no-print-directory -C "$deploy" down > /dev/null 2>&1 || true; }
trap cleanup EXIT

step "make demo"
make --no-print-directory -C "$deploy" demo

step "every service ready"
"$here/wait_for_services.sh" --timeout 120 data cascor canopy

step "demo-seed completed successfully"
seed=$(dc ps -a -q demo-seed)
[ -n "$seed" ] || { echo "no demo-seed container"; exit 1; }
state=$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$seed")
echo "demo-seed: $state"
[ "$state" = "exited 0" ] || exit 1
dc logs --no-log-prefix demo-seed | tail -n 3

step "training progresses"
cascor=http://127.0.0.1:${CASCOR_HOST_PORT:-8200}
epoch() {
  "$node" -e '
    fetch(process.argv[1] + "/v1/training/status", { signal: AbortSignal.timeout(5000) })
      .then((r) => r.json())
      .then((b) => {
        const d = b.data ?? b
        const e = d.current_epoch ?? d.monitor?.current_epoch
        console.log(`${e ?? "?"} ${d.state_machine?.status ?? d.training_state?.status ?? d.is_training ?? "?"}`)
      })
      .catch((e) => { console.log(`? ${e.message}`) })' "$cascor"
}
first=$(epoch)
echo "first read: epoch ${first% *} (${first#* })"
deadline=$((SECONDS + progress_timeout))
while :; do
  sleep 2
  now=$(epoch)
  if [[ ${first% *} =~ ^[0-9]+$ && ${now% *} =~ ^[0-9]+$ ]] && [ "${now% *}" -gt "${first% *}" ]; then
    echo "later read: epoch ${now% *} (${now#* }): training progresses"
    break
  fi
  if [ $SECONDS -ge $deadline ]; then
    echo "epoch did not increase within ${progress_timeout}s (first: $first, last: $now)"
    exit 1
  fi
done

step "make health"
make --no-print-directory -C "$deploy" health

if [ $keep = 1 ]; then
  step "stack left running (--keep)"
  exit 0
fi
step "make down leaves nothing running"
make --no-print-directory -C "$deploy" down
left=$(docker ps -a -q --filter "label=com.docker.compose.project=${COMPOSE_PROJECT_NAME:-juniper}")
[ -z "$left" ] || { echo "containers left: $left"; docker ps -a; exit 1; }
echo "no container of project ${COMPOSE_PROJECT_NAME:-juniper} is left"
trap - EXIT
