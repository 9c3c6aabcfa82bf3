#!/usr/bin/env bash
# Run the SlotKV jcstress suite and keep the results.
#
#   stress/run.sh [MODE] [JDK] [jcstress options...]
#
#   MODE  sanity | quick (default) | default | tough | stress   (jcstress -m presets)
#   JDK   17 | 25 | a JAVA_HOME path; default: $JAVA_HOME if set, else `java` on the PATH
#
# Examples:
#   stress/run.sh                      # quick run on the default JDK
#   stress/run.sh quick 25             # quick run on Temurin 25
#   stress/run.sh quick 17 -t ResizeRaceTest
#   stress/run.sh sanity               # what CI runs: every test once per JVM mode, split compilation off
#
# Needs stress/target/jcstress.jar (mvn -pl stress -am package -DskipTests). Results go to
# stress/results/<time>-jdk<N>-<mode>/ (the jar it ran, jcstress's HTML report in results/, console log,
# summary.txt with samples per test).
# Exits non-zero if any test saw a FORBIDDEN outcome, errored, or produced no result.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/target/jcstress.jar"
mode="${1:-quick}"
jdk="${2:-}"
shift $(( $# > 2 ? 2 : $# ))

case "$jdk" in
  "") java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java" ;;
  17) java_bin="/usr/lib/jvm/java-17-openjdk-amd64/bin/java" ;;
  25) java_bin="/usr/lib/jvm/temurin-25-jdk-amd64/bin/java" ;;
  *)  java_bin="$jdk/bin/java" ;;
esac
[ -f "$jar" ] || { echo "missing $jar: build it with: mvn -pl stress -am package -DskipTests" >&2; exit 2; }
command -v "$java_bin" >/dev/null || { echo "no java at $java_bin" >&2; exit 2; }

feature=$("$java_bin" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
extra=()
if [ "$mode" = sanity ]; then
  extra=(-sc false) # sanity is a smoke test: one compilation mode per JVM config keeps it to a few minutes
fi

out="$here/results/$(date +%Y%m%d-%H%M%S)-jdk${feature}-${mode}"
mkdir -p "$out"
cp "$jar" "$out/jcstress.jar" # forks load classes from the jar: a rebuild during the run must not change it
echo "jcstress -m $mode on JDK $feature ($java_bin) -> $out"
start=$(date +%s)
set +e
( cd "$out" && "$java_bin" -jar jcstress.jar -m "$mode" "${extra[@]}" "$@" ) > "$out/console.log" 2>&1
status=$?
set -e
secs=$(( $(date +%s) - start ))

{
  echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "jdk:     $("$java_bin" -version 2>&1 | head -1)"
  echo "mode:    $mode ${extra[*]} $*"
  echo "seconds: $secs"
  echo "exit:    $status"
  echo
  sed -n '/^TEST  /,$p' "$out/console.log"
} > "$out/summary.txt"
cat "$out/summary.txt"
if [ "$status" -ne 0 ]; then
  echo "FAILED: see $out/console.log and $out/results/index.html" >&2
fi
exit "$status"
