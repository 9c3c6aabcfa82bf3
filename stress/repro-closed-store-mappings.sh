#!/usr/bin/env bash
# Regression check for "a closed store-file map stays mapped while reachable" (see
# io.slotkv.stress.repro.ClosedStoresKeepMappings). Exits 0 when all stores opened (fixed; ~1 minute).
#   stress/repro-closed-store-mappings.sh [COUNT] [JDK]     COUNT default 80000; JDK 17 | 25 | a JAVA_HOME
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/target/jcstress.jar"
case "${2:-}" in
  "") java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java" ;;
  17) java_bin=/usr/lib/jvm/java-17-openjdk-amd64/bin/java ;;
  25) java_bin=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java ;;
  *)  java_bin="$2/bin/java" ;;
esac
flags=$(unzip -p "$jar" io/slotkv/core/jvm/jvm-flags.properties | sed -n 's/^flags[^=]*=//p' | tr '\n' ' ')
cd "$(mktemp -d)" # an hs_err file lands here if the JVM dies
echo "max_map_count=$(cat /proc/sys/vm/max_map_count); running in $PWD"
"$java_bin" $flags -Dchronicle.analytics.disable=true -Xmx2g -cp "$jar" io.slotkv.stress.repro.ClosedStoresKeepMappings "${1:-80000}" 2>&1 |
  grep -v SLF4J
status=${PIPESTATUS[0]}
echo "exit status $status"
exit "$status"
