#!/usr/bin/env bash
# Full SlotKV comparison: JMH JSON into docs/bench/, then docs/benchmarks.md and PNG charts from it.
#
#   bench/run-full.sh                      # defaults below (about 70 minutes on 2 cores)
#   THREADS="1 2 4 8" FORKS=5 bench/run-full.sh
#   LONG_RUN=1 bench/run-full.sh           # adds the 16M-key size
#   REPORT_ONLY=1 bench/run-full.sh        # regenerate docs/benchmarks.md and charts from the JSON already there
#
# Settings (environment variables):
#   JAVA      java binary (default: $JAVA_HOME/bin/java, else java on PATH); forks use the same JVM
#   THREADS   thread counts, one JMH run per count (default "1 2")
#   FORKS     forks per throughput benchmark (default 2)
#   WARMUP    warmup iterations (default 2), ITER measurement iterations (default 3), TIME per iteration (1s)
#   SIZES     map sizes for the zipfian throughput matrix (default "100000 4194304")
#   BIG       the size for growth, latency, uniform keys and footprint (default 4194304)
#   OUT       output directory (default docs/bench)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

if [[ -n "${JAVA:-}" ]]; then :
elif [[ -n "${JAVA_HOME:-}" ]]; then JAVA="$JAVA_HOME/bin/java"
else JAVA=java
fi
THREADS=${THREADS:-"1 2"}
FORKS=${FORKS:-2}
WARMUP=${WARMUP:-2}
ITER=${ITER:-3}
TIME=${TIME:-1s}
SIZES=${SIZES:-"100000 4194304"}
BIG=${BIG:-4194304}
OUT=${OUT:-docs/bench}
GROW_WARMUP=${GROW_WARMUP:-3}
GROW_ITER=${GROW_ITER:-5}
if [[ "${LONG_RUN:-0}" == "1" ]]; then SIZES="$SIZES 16777216"; fi
JAR=bench/target/benchmarks.jar
MD=docs/benchmarks.md

report() {
  "$JAVA" -Djava.awt.headless=true -jar "$JAR" report "$OUT" "$MD"
}

if [[ "${REPORT_ONLY:-0}" == "1" ]]; then report; exit 0; fi

if [[ ! -f "$JAR" ]]; then
  mvn -q -pl bench -am package -DskipTests
fi

mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.png "$OUT"/growth-latency.txt "$OUT"/growth-read-latency-*.txt "$OUT"/commands.txt "$OUT"/machine.txt
sizes_csv=$(echo $SIZES | tr ' ' ',')

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "cores: $(nproc)"
  echo "memory: $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "kernel: $(uname -sr)"
  echo "java: $("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.vm.name|java.runtime.version/ {printf "%s ", $2}')"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "settings: THREADS='$THREADS' FORKS=$FORKS WARMUP=$WARMUP ITER=$ITER TIME=$TIME SIZES='$SIZES' BIG=$BIG GROW_WARMUP=$GROW_WARMUP GROW_ITER=$GROW_ITER"
} > "$OUT/machine.txt"

jmh() {
  echo "java -jar $JAR $*" >> "$OUT/commands.txt"
  echo ">>> $(date +%T) java -jar $JAR $*"
  "$JAVA" -jar "$JAR" "$@" -foe true
}

echo "java -jar $JAR footprint $OUT/footprint.json $BIG" >> "$OUT/commands.txt"
"$JAVA" -jar "$JAR" footprint "$OUT/footprint.json" "$BIG"

for t in $THREADS; do
  jmh 'MapBenchmark\.(get|getAbsent|put|getPut95|getPut50|getIncrement50)$' \
    -p distribution=ZIPFIAN -p size="$sizes_csv" -t "$t" \
    -f "$FORKS" -wi "$WARMUP" -w "$TIME" -i "$ITER" -r "$TIME" -prof gc -rf json -rff "$OUT/throughput-zipfian-t$t.json"
  jmh 'MapBenchmark\.getBatch$' -p impl=SLOTKV,CHM,NBHML -p distribution=ZIPFIAN -p size="$sizes_csv" -t "$t" \
    -f "$FORKS" -wi "$WARMUP" -w "$TIME" -i "$ITER" -r "$TIME" -prof gc -rf json -rff "$OUT/throughput-zipfian-batch-t$t.json"
  jmh 'MapBenchmark\.(get|getAbsent|getPut50)$' -p impl=SLOTKV_4K,SLOTKV_FILE -p distribution=ZIPFIAN -p size="$sizes_csv" \
    -t "$t" -f "$FORKS" -wi "$WARMUP" -w "$TIME" -i "$ITER" -r "$TIME" -prof gc -rf json \
    -rff "$OUT/throughput-zipfian-variants-t$t.json"
  jmh 'MapBenchmark\.(get|getAbsent|getPut50)$' -p impl=CHM_THP -p distribution=ZIPFIAN -p size="$sizes_csv" -t "$t" \
    -f "$FORKS" -wi "$WARMUP" -w "$TIME" -i "$ITER" -r "$TIME" -prof gc -jvmArgsAppend "-XX:+UseTransparentHugePages" \
    -rf json -rff "$OUT/throughput-zipfian-chm-thp-t$t.json"
  jmh 'GrowBenchmark\.fill$' -p size="$BIG" -t "$t" \
    -f "$FORKS" -wi "$GROW_WARMUP" -i "$GROW_ITER" -prof gc -rf json -rff "$OUT/grow-t$t.json"
done

for t in $THREADS; do
  jmh 'MapBenchmark\.(get|getPut50)$' -p distribution=UNIFORM -p size="$BIG" -t "$t" \
    -f "$FORKS" -wi "$WARMUP" -w "$TIME" -i "$ITER" -r "$TIME" -prof gc -rf json -rff "$OUT/throughput-uniform-t$t.json"
  jmh 'MapBenchmark\.(get|getPut50)$' -bm sample -tu ns -p distribution=ZIPFIAN -p size="$BIG" -t "$t" \
    -f 1 -wi "$WARMUP" -w "$TIME" -i "$ITER" -r "$TIME" -prof gc -rf json -rff "$OUT/latency-t$t.json"
  jmh 'GrowBenchmark\.fillTimed$' -p size="$BIG" -t "$t" -f 1 -wi 1 -i 3 -prof gc \
    -jvmArgsAppend "-Dslotkv.bench.growthLatencyFile=$ROOT/$OUT/growth-latency.txt" \
    -rf json -rff "$OUT/growth-latency-t$t.json"
done

flags=$(grep -o '<slotkv.jvm.flags>[^<]*' pom.xml | sed 's/<slotkv.jvm.flags>//')
for impl in SLOTKV CHM; do
  echo "java $flags -Xms4g -Xmx4g -jar $JAR growth-read-latency $impl $BIG 6 $OUT/growth-read-latency-$impl.txt" \
    >> "$OUT/commands.txt"
  "$JAVA" $flags -XX:+IgnoreUnrecognizedVMOptions --enable-native-access=ALL-UNNAMED -Xms4g -Xmx4g -jar "$JAR" \
    growth-read-latency "$impl" "$BIG" 6 "$OUT/growth-read-latency-$impl.txt" | tail -1
done

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
echo "finished: $(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$OUT/machine.txt"
report
