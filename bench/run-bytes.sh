#!/usr/bin/env bash
# Byte store comparison: SlotKV OffHeapByteStore against ConcurrentHashMap<String, byte[]>, Chronicle Map and LMDB
# (ByteStoreBenchmark: get, put, 50/50 get/put, uniform and zipfian keys; ByteStoreGrowBenchmark: inserts into a
# store that starts empty; ByteStoreFootprint: bytes per entry). JMH JSON, the footprint, the
# machine and the commands go to OUT (default docs/bench/bytes: apart from run-full.sh's files, which it deletes and
# reads by name); then docs/benchmarks.md is regenerated from docs/bench. About 35 minutes on 2 cores.
#
#   bench/run-bytes.sh
#   THREADS="1 2 4" FORKS=5 bench/run-bytes.sh
#   IMPLS=SLOTKV,CHM KEYS=1000000 OUT=/tmp/bytes REPORT=0 bench/run-bytes.sh
#
# Settings (environment variables):
#   JAVA      java binary (default: $JAVA_HOME/bin/java, else java on PATH); forks use the same JVM
#   THREADS   thread counts, one JMH run per count (default "1 2")
#   FORKS     forks per benchmark (default 3); WARMUP (3) and ITER (5) iterations of TIME (1s)
#   KEYS      store sizes, comma-separated (default 1000000); the footprint and the growth run use the largest
#   DISTRIBUTIONS  key distributions, comma-separated (default UNIFORM,ZIPFIAN)
#   GROW_IMPLS     stores of the growth run (default SLOTKV,CHM,CHRONICLE)
#   IMPLS     stores, comma-separated (default: all of ByteStoreImplementation)
#   OUT       output directory (default docs/bench/bytes)
#   REPORT    1 (default) to regenerate docs/benchmarks.md afterwards (only when OUT is docs/bench/bytes, the
#             directory the report reads), 0 not to
set -euo pipefail

cd "$(dirname "$0")/.."

if [[ -n "${JAVA:-}" ]]; then :
elif [[ -n "${JAVA_HOME:-}" ]]; then JAVA="$JAVA_HOME/bin/java"
else JAVA=java
fi
THREADS=${THREADS:-"1 2"}
FORKS=${FORKS:-3}
WARMUP=${WARMUP:-3}
ITER=${ITER:-5}
TIME=${TIME:-1s}
KEYS=${KEYS:-1000000}
IMPLS=${IMPLS:-SLOTKV,CHM,CHRONICLE,LMDB}
DISTRIBUTIONS=${DISTRIBUTIONS:-UNIFORM,ZIPFIAN}
GROW_IMPLS=${GROW_IMPLS:-SLOTKV,CHM,CHRONICLE} # LMDB left out: one fill of 1M keys takes it about 14 s
OUT=${OUT:-docs/bench/bytes}
REPORT=${REPORT:-1}
JAR=bench/target/benchmarks.jar

if [[ ! -f "$JAR" ]]; then
  mvn -q -pl bench -am package -DskipTests
fi

mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/commands.txt "$OUT"/machine.txt # not notes.md: the analysis is rewritten by hand

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "cores: $(nproc)"
  echo "kernel: $(uname -sr), THP: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo unknown)"
  echo "java: $("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.runtime.version/ {print $2}')"
  echo "tmpdir: $(df -h --output=source,fstype "${TMPDIR:-/tmp}" | tail -1) (LMDB's environment)"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "settings: THREADS='$THREADS' FORKS=$FORKS WARMUP=$WARMUP ITER=$ITER TIME=$TIME KEYS=$KEYS IMPLS=$IMPLS DISTRIBUTIONS=$DISTRIBUTIONS GROW_IMPLS=$GROW_IMPLS"
} > "$OUT/machine.txt"

jmh() {
  echo "java -jar $JAR $*" >> "$OUT/commands.txt"
  echo ">>> $(date +%T) java -jar $JAR $*"
  "$JAVA" -jar "$JAR" "$@" -foe true
}

largest=$(echo "$KEYS" | tr ',' '\n' | sort -n | tail -1)
echo "java -jar $JAR byte-footprint $OUT/footprint.json $largest ${IMPLS//,/ }" >> "$OUT/commands.txt"
# shellcheck disable=SC2086 # one argument per store
"$JAVA" -jar "$JAR" byte-footprint "$OUT/footprint.json" "$largest" ${IMPLS//,/ }

for t in $THREADS; do
  jmh 'ByteStoreBenchmark\.(get|put|getPut50)$' -p impl="$IMPLS" -p keys="$KEYS" \
    -p distribution="$DISTRIBUTIONS" -t "$t" -f "$FORKS" -wi "$WARMUP" -w "$TIME" -i "$ITER" -r "$TIME" -prof gc \
    -rf json -rff "$OUT/throughput-t$t.json"
  jmh 'ByteStoreGrowBenchmark\.fill$' -p impl="$GROW_IMPLS" -p keys="$largest" -t "$t" -f "$FORKS" -wi "$WARMUP" \
    -i "$ITER" -rf json -rff "$OUT/grow-t$t.json"
done

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
echo "finished: $(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$OUT/machine.txt"
if [[ "$REPORT" == "1" && "$OUT" == "docs/bench/bytes" ]]; then
  "$JAVA" -Djava.awt.headless=true -jar "$JAR" report docs/bench docs/benchmarks.md
elif [[ "$REPORT" == "1" ]]; then
  echo "results in $OUT; docs/benchmarks.md not regenerated (the report reads docs/bench/bytes)"
fi
