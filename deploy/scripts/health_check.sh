#!/usr/bin/env bash
# Readiness report of the Juniper services: service, status, version, latency and each dependency's status, read
# from /v1/health/ready (the shared ReadinessResponse).
#
#   health_check.sh [--json] [--allow-degraded] [SERVICE...]     SERVICE: data | cascor | canopy | a compose name
#
# Default: all three. Exit 0 when every service is "ready" (or "degraded" with --allow-degraded), 1 otherwise.
# URLs: http://127.0.0.1:{8100,8200,8050}, or DATA_HOST_PORT/CASCOR_HOST_PORT/CANOPY_HOST_PORT, or
# JUNIPER_{DATA,CASCOR,CANOPY}_BASE_URL. Honours NO_COLOR.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec "${JUNIPER_NODE:-node}" "$here/juniper-health.mjs" report "$@"
