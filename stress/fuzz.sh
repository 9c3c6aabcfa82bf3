#!/usr/bin/env bash
# Corruption fuzzer for store files (io.slotkv.stress.fuzz.StoreFuzzer): FILES mutated store files per arm, judged
# in two arms (verify: verifyOnOpen(true); default: the defaults), each in its own child JVM. Every file must be
# refused with CorruptStoreException (file unchanged, not locked) or open self-consistent and keep working across
# close + reopen; no hang, crash, OutOfMemoryError or raw exception. Prints a summary; exits non-zero on any failure.
# Failing files are kept under /tmp/fuzz-evidence/ with their mutation and a replay command.
#   stress/fuzz.sh [FILES] [SEED] [JDK] [-- StoreFuzzer options]
#     FILES default 1000 (a CI run, about 1 minute on 2 cores); SEED default 1; JDK 17 | 25 | a JAVA_HOME
#     options, e.g.: --save-dir docs/results   --self-test raw,hang,crash,oom,modify,lock,unreported,verify-off
#                    --store bytes (OffHeapByteStore files instead of OffHeapLongLongMap files, the default)
#   needs stress/target/jcstress.jar:  mvn -pl stress -am package -DskipTests
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/target/jcstress.jar"
positional=()
while [ $# -gt 0 ] && [ "$1" != "--" ] && [ ${#positional[@]} -lt 3 ]; do positional+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
files="${positional[0]:-1000}"
seed="${positional[1]:-1}"
jdk="${positional[2]:-}"
case "$jdk" in
  "") java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java" ;;
  17) java_bin=/usr/lib/jvm/java-17-openjdk-amd64/bin/java ;;
  25) java_bin=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java ;;
  *)  java_bin="$jdk/bin/java" ;;
esac
if [ ! -f "$jar" ]; then
  echo "missing $jar: build it with  mvn -pl stress -am package -DskipTests" >&2
  exit 2
fi
stale=$(find "$HOME/.m2/repository/io/slotkv/slotkv-core" "$HOME/.m2/repository/io/slotkv/slotkv-offheap-map" \
  -name '*.jar' -newer "$jar" 2>/dev/null)
[ -n "$stale" ] && echo "WARNING: installed artifacts newer than $jar (rebuild: mvn -o -pl stress package -DskipTests): $stale" >&2
root="$(cd "$here/.." && pwd)"
label="git $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'), $(git -C "$root" status --porcelain -- core offheap-map 2>/dev/null | wc -l) files changed in core/offheap-map"
flags=$(unzip -p "$jar" io/slotkv/core/jvm/jvm-flags.properties | sed -n 's/^flags[^=]*=//p' | tr '\n' ' ')
cd "$here/.." || exit 2
# shellcheck disable=SC2086 # the flags are words
"$java_bin" $flags -Xmx1g -cp "$jar" io.slotkv.stress.fuzz.StoreFuzzer "$files" "$seed" \
  --command "stress/fuzz.sh $files $seed${jdk:+ $jdk}${*:+ -- $*}" --label "$label" "$@" 2> >(grep -v "^SLF4J" >&2)
status=$?
echo "exit status $status"
exit "$status"
