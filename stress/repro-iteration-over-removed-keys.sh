#!/usr/bin/env bash
# Regression check for forEach quadratic in the capacity of a table without an empty key word (see
# io.slotkv.stress.repro.IterationOverRemovedKeys). Exits 0 when forEach of the largest is under LIMIT_MS (fixed; ~1 minute).
#   stress/repro-iteration-over-removed-keys.sh [LIMIT_MS] [JDK]     LIMIT_MS default 2000; JDK 17 | 25 | a JAVA_HOME
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
"$java_bin" $flags -Dchronicle.analytics.disable=true -Xmx1g -cp "$jar" io.slotkv.stress.repro.IterationOverRemovedKeys "${1:-2000}" 2>&1 |
  grep -v SLF4J
status=${PIPESTATUS[0]}
echo "exit status $status"
exit "$status"
