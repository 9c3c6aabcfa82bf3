#!/usr/bin/env bash
# Regression check for "a closed store-file map stays mapped while reachable" (see
# io.slotkv.stress.repro.ClosedStoresKeepMappings). Exits 0 when all stores opened (fixed; ~1 minute).
#   stress/repro-closed-store-mappings.sh [COUNT] [JDK]     COUNT default 80000; JDK 17 | 25 | a JAVA_HOME
set -uo pipefail
source "$(dirname "$0")/repro-run.sh"
echo "max_map_count=$(cat /proc/sys/vm/max_map_count)"
repro_run ClosedStoresKeepMappings 2g "${1:-80000}" "${2:-}"
