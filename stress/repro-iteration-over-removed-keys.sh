#!/usr/bin/env bash
# Regression check for forEach quadratic in the capacity of a table without an empty key word (see
# io.slotkv.stress.repro.IterationOverRemovedKeys). Exits 0 when forEach of the largest is under LIMIT_MS (fixed; ~1 minute).
#   stress/repro-iteration-over-removed-keys.sh [LIMIT_MS] [JDK]     LIMIT_MS default 2000; JDK 17 | 25 | a JAVA_HOME
set -uo pipefail
source "$(dirname "$0")/repro-run.sh"
repro_run IterationOverRemovedKeys 1g "${1:-2000}" "${2:-}"
