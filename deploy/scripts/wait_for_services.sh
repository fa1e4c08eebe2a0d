#!/usr/bin/env bash
# Blocks until every named Juniper service reports "ready" on /v1/health/ready (integration tests, make wait).
#
#   wait_for_services.sh [--timeout SECONDS] [--interval SECONDS] [SERVICE...]    (defaults: 90, 2, all three)
#
# Prints one line per service as it becomes ready and "All services healthy" at the end; exit 1 on timeout.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec "${JUNIPER_NODE:-node}" "$here/juniper-health.mjs" wait "$@"
