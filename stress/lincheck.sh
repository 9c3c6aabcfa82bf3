#!/usr/bin/env bash
# Long Lincheck run of the map's linearizability tests (model checking and stress), beyond the short pass that
# `mvn verify` runs.
#
#   stress/lincheck.sh [ITERATIONS] [JDK]      ITERATIONS default 100 (mvn verify: 20); JDK 17 | 25 | a JAVA_HOME
set -euo pipefail
cd "$(dirname "$0")/.."
iterations="${1:-100}"
case "${2:-}" in
  "") ;;
  17) export JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 ;;
  25) export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 ;;
  *)  export JAVA_HOME="$2" ;;
esac
mvn -q -pl stress -am test-compile
exec mvn -pl stress surefire:test -Dtest=LongLongMapLincheckTest \
  -Dslotkv.lincheck.iterations="$iterations" \
  -Dslotkv.lincheck.modelCheckingInvocations=2000 \
  -Dslotkv.lincheck.stressInvocations=5000
