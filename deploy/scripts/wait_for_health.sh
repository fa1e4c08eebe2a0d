#!/usr/bin/env bash
# Waits until URL answers 2xx (systemd ExecStartPre/ExecStartPost health gates).
#
#   wait_for_health.sh URL [TIMEOUT_SECONDS]        (default 30)
#
# Exit 0 once healthy, 1 after the timeout (with the last error on stderr, which lands in the journal).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: wait_for_health.sh URL [TIMEOUT_SECONDS]" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec "${JUNIPER_NODE:-node}" "$here/juniper-health.mjs" wait-url "$1" "${2:-30}"
