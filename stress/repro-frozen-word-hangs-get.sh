#!/usr/bin/env bash
# Regression check for get spinning forever on a FROZEN value word in a trusted clean file (see
# io.slotkv.stress.repro.FrozenWordHangsGet). Exits 0 when the get returns within LIMIT_MS (fixed; ~10 seconds).
#   stress/repro-frozen-word-hangs-get.sh [LIMIT_MS] [JDK]     LIMIT_MS default 5000; JDK 17 | 25 | a JAVA_HOME
set -uo pipefail
source "$(dirname "$0")/repro-run.sh"
repro_run FrozenWordHangsGet 1g "${1:-5000}" "${2:-}"
