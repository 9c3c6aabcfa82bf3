#!/usr/bin/env bash
# Regression check for get spinning forever on a FROZEN value word in a trusted clean file (see
# io.slotkv.stress.repro.FrozenWordHangsGet). Exits 0 when the get returns within LIMIT_MS (fixed; ~10 seconds).
#   stress/repro-frozen-word-hangs-get.sh [LIMIT_MS] [JDK]     LIMIT_MS default 5000; JDK 17 | 25 | a JAVA_HOME
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
echo "running in $PWD"
"$java_bin" $flags -Dchronicle.analytics.disable=true -Xmx1g -cp "$jar" io.slotkv.stress.repro.FrozenWordHangsGet "${1:-5000}" 2>&1 |
  grep -v SLF4J
status=${PIPESTATUS[0]}
echo "exit status $status"
exit "$status"
