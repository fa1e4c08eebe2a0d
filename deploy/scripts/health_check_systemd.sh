#!/usr/bin/env bash
# One health probe, logged as one JSON line (the health timers' one-shot services; stdout goes to the journal).
#
#   health_check_systemd.sh SERVICE_NAME HEALTH_URL
#
# {"service","url","healthy","status","http","latency_ms","version","dependencies"}; exit 1 when unhealthy, so the
# one-shot unit fails and `systemctl --user list-units --failed` / OnFailure= can act on it.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: health_check_systemd.sh SERVICE_NAME HEALTH_URL" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec "${JUNIPER_NODE:-node}" "$here/juniper-health.mjs" probe "$1" "$2"
