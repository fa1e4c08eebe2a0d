#!/usr/bin/env bash
# Every deployment check of Juniper, for real, in one run (CI stage after `npm test`):
#
#   sudo deploy/ci/run-all.sh            (root: it installs Debian packages and starts dockerd and systemd-nspawn)
#
# Static: docker compose config -q for every profile (+ negative controls), profile contents and health gating,
#   script syntax and Makefile targets, systemd-analyze --user verify of the installed units (any output fails),
#   helm lint --strict and helm template for every values file, raw manifests and kustomize output validated against
#   the Kubernetes schemas with unknown fields failing, promtool on the Prometheus config and rules, the Grafana
#   dashboard against its provisioning.
# Compose: dockerd from Debian's docker.io with its own data root, Compose v2 from Debian 13's package, images built
#   on a locally made Node base (no registry), then make up/health/down, demo-seed, the test-runner, monitor
#   (Prometheus + blackbox exporter from Debian's binaries), make demo (training progresses), make full, make dev,
#   make test; nothing left running, then the engine removed with its bridges and iptables chains.
# systemd: a debootstrap rootfs booted with systemd-nspawn, a lingering user running the units from this checkout:
#   install.sh, verify, start health-gated in order, kill -9 → restart, watchdog, juniper-ctl status/health/resources,
#   stop.
#
# Checks of services that are not built yet (no dist/<svc>/index.js) print "SKIP ... (service not built yet: ...)"
# and are counted apart. One line per check: PASS / FAIL / SKIP; the last line is exactly "N passed, N failed".
# Exit status 0 only when nothing failed. Everything started is stopped and removed on exit, also on failure or ^C.
#
# Environment: JUNIPER_CI_CACHE=DIR keeps the debootstrap rootfs and the Compose plugin between local runs (CI
#   machines start clean: leave it unset there); JUNIPER_CI_KEEP=1 keeps the scratch directory (logs);
#   JUNIPER_DEPLOY_BUILD=1 runs `npm run build` first even when the services look built;
#   JUNIPER_CI_ONLY="static compose systemd" selects groups; JUNIPER_CI_SOURCE_BUILD=1 also builds the images from
#   source inside the build stage (their default path; needs the npm registry from containers, about 8 minutes).
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export REPO
# shellcheck source=deploy/ci/lib.sh
source "$REPO/deploy/ci/lib.sh"
source "$CI/engine.sh"
source "$CI/nspawn.sh"
source "$CI/checks-static.sh"
source "$CI/checks-compose.sh"
source "$CI/checks-systemd.sh"

[ "$(id -u)" = 0 ] || { echo "run-all.sh needs root (apt, dockerd, systemd-nspawn)"; exit 2; }
W=$(mktemp -d /tmp/juniper-deploy-ci.XXXXXX)
export W
ONLY=${JUNIPER_CI_ONLY:-static compose systemd}
T0=$SECONDS

cleanup() {
  trap - EXIT INT TERM
  if [ -f "$W/rootfs.pid" ]; then kill "$(cat "$W/rootfs.pid")" 2> /dev/null || true; fi
  if [ -f "$W/nspawn.state" ]; then nspawn_load; fi
  nspawn_stop > /dev/null 2>&1
  if [ -f "$W/dockerd.pid" ] || [ -f "$W/dockerd.launcher.pid" ]; then ci_compose_env; engine_stop > /dev/null 2>&1; fi
  # Nothing may stay mounted below the scratch directory (the docker data root is a tmpfs), then remove it.
  grep -E " $W/" /proc/mounts | awk '{print $2}' | sort -r | while read -r m; do umount -l "$m" 2> /dev/null || true; done
  if [ "${JUNIPER_CI_KEEP:-0}" = 1 ]; then log "kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

missing() { missing_services "$@"; }
# needs SVC...: prints the reason and returns 1 when one of them is not built.
needs() {
  local m
  m=$(missing "$@")
  [ -z "$m" ] && return 0
  echo "service not built yet: ${m// /, }"
  return 1
}
# run_or_skip NAME "SVC..." FUNCTION [ARGS]
run_or_skip() {
  local name=$1 svcs=$2 m
  shift 2
  m=$(missing $svcs)
  if [ -n "$m" ]; then skip_check "$name" "service not built yet: ${m// /, }"; else run_check "$name" "$@"; fi
}

log "deployment checks of $REPO (scratch $W)"
echo "services built: $(for s in data cascor canopy; do service_built "$s" && printf '%s ' "$s"; done)"

# Build when a service has sources but no entry point (or when asked). `npm test` has normally built already.
need_build=${JUNIPER_DEPLOY_BUILD:-0}
for s in data cascor canopy; do service_has_source "$s" && ! service_built "$s" && need_build=1; done
if [ "$need_build" = 1 ]; then
  run_check build bash -c "cd '$REPO' && npm run build"
fi

# The nspawn rootfs takes minutes to debootstrap: start it now, in the background, while the other checks run.
if [[ " $ONLY " == *" systemd "* ]]; then
  apt_install debootstrap systemd-container
  ( nspawn_rootfs "$W/rootfs" > "$W/rootfs.log" 2>&1 && touch "$W/rootfs.ok" ) &
  echo $! > "$W/rootfs.pid"
  # nspawn_start must not debootstrap again.
  nspawn_rootfs() { echo "rootfs ready"; }
fi

if [[ " $ONLY " == *" static "* ]]; then
  log "static checks"
  for p in "${PROFILES[@]}"; do run_check "compose-config-$p" check_compose_config "$p"; done
  run_check compose-config-overrides check_compose_overrides
  run_check compose-config-negative-controls check_compose_negative
  run_check compose-profiles-and-health-gates check_compose_profiles
  run_check scripts-and-makefile check_scripts_syntax
  run_check systemd-analyze-verify check_systemd_verify
  run_check helm-lint-strict check_helm_lint
  for v in "${VALUES_FILES[@]}"; do run_check "helm-template-${v%.yaml}-validated" check_helm_template "$v"; done
  run_check k8s-manifests-validated check_k8s_manifests
  run_check k8s-validator-negative-controls check_k8s_negative
  run_check prometheus-config check_prometheus_config
  run_check grafana-provisioning check_grafana
fi

if [[ " $ONLY " == *" compose "* ]]; then
  log "compose checks (real Docker engine)"
  run_check images-build check_images_build
  if [ "${JUNIPER_CI_SOURCE_BUILD:-0}" = 1 ]; then
    run_check images-build-from-source check_images_source_build
  else
    skip_check images-build-from-source "opt-in: JUNIPER_CI_SOURCE_BUILD=1; needs the npm registry from containers, about 8 minutes"
  fi
  if [ "$N_FAIL" -gt 0 ] && [ ! -f "$W/dockerd.pid" ]; then
    skip_check compose "the engine did not start"
  else
    run_or_skip compose-data-up-health-auth-restart-down "data" check_compose_data
    run_or_skip compose-demo-seed "data" check_compose_demo_seed
    built=$(for s in data cascor canopy; do service_built "$s" && printf '%s,' "$s"; done)
    built=${built%,}
    if [ -n "$built" ]; then
      run_check "compose-test-runner-against-${built//,/-}" check_test_runner_partial "$built"
      run_check "compose-monitor-prometheus-scrapes-${built//,/-}" check_monitor "$built"
    else
      skip_check compose-test-runner "service not built yet: data, cascor, canopy"
      skip_check compose-monitor "service not built yet: data, cascor, canopy"
    fi
    if service_built data && service_built cascor && ! service_built canopy; then
      run_check make-demo-without-canopy-training-progresses-health-down check_make_demo "juniper-data demo-seed juniper-cascor-demo"
    fi
    run_or_skip make-demo-training-progresses-health-down "data cascor canopy" check_make_demo
    run_or_skip make-full-health-restart-down "data cascor canopy" check_make_full
    run_or_skip make-dev-health-down "data canopy" check_make_dev
    run_or_skip make-test-green "data cascor canopy" check_make_test
    run_or_skip compose-cluster-profile-runs-survive-runner-kill "cascor" check_compose_cluster
    run_check compose-nothing-running check_nothing_running
  fi
  run_check engine-cleanup check_engine_cleanup
fi

if [[ " $ONLY " == *" systemd "* ]]; then
  log "systemd checks (systemd-nspawn, lingering user)"
  run_check nspawn-boot-lingering-user check_nspawn_boot
  if [ -f "$W/nspawn.state" ]; then
    run_check systemd-install-and-verify-in-container check_systemd_install
    run_or_skip systemd-start-health-gated "data" check_systemd_start
    run_or_skip systemd-start-order-data-cascor "data cascor" check_systemd_order
    run_or_skip systemd-start-order-cascor-canopy "data cascor canopy" check_systemd_order
    run_or_skip systemd-kill-9-restart "data" check_systemd_kill_restart
    run_or_skip systemd-watchdog "data" check_systemd_watchdog
    run_or_skip juniper-ctl-status-health-resources "data" check_juniper_ctl
    run_or_skip systemd-stop "data" check_systemd_stop
  else
    skip_check systemd "the container did not boot"
  fi
  run_check nspawn-cleanup check_nspawn_cleanup
fi

cleanup
log "done in $((SECONDS - T0))s; logs in $W/logs$([ "${JUNIPER_CI_KEEP:-0}" = 1 ] || echo ' (removed; JUNIPER_CI_KEEP=1 keeps them)')"
[ ${#FAILED_CHECKS[@]} -eq 0 ] || echo "failed: ${FAILED_CHECKS[*]}"
echo "$N_SKIP skipped (reasons on the SKIP lines)"
echo "$N_PASS passed, $N_FAIL failed"
[ "$N_FAIL" -eq 0 ]
