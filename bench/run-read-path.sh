#!/usr/bin/env bash
# Read-path benchmarks of issue #9, side by side with ConcurrentHashMap and JCTools NonBlockingHashMapLong, with
# user-default flags (no bounds-check switch): JMH JSON and the get-during-growth histograms into OUT
# (default docs/results/bench-<date>). A subset of bench/run-full.sh, about 25 minutes on 2 cores.
#
#   bench/run-read-path.sh
#   FORKS=3 OUT=/tmp/b bench/run-read-path.sh
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA=${JAVA:-java}
FORKS=${FORKS:-2}
OUT=${OUT:-docs/results/bench-$(date -u +%Y-%m-%d)}
JAR=bench/target/benchmarks.jar
mkdir -p "$OUT"
if [[ ! -f "$JAR" ]]; then mvn -q -pl bench -am package -DskipTests; fi
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse --short HEAD)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
  echo "kernel: $(uname -sr), THP: $(cat /sys/kernel/mm/transparent_hugepage/enabled)"
  echo "java: $("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.runtime.version/ {print $2}')"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/machine.txt"
jmh() { echo "java -jar $JAR $*" >> "$OUT/commands.txt"; "$JAVA" -jar "$JAR" "$@" -foe true; }
common=(-f "$FORKS" -wi 2 -w 1s -i 3 -r 1s -prof gc)
jmh 'MapBenchmark\.(get|getAbsent|getBatch|getPut50)$' -p impl=SLOTKV,SLOTKV_4K,CHM,NBHML \
  -p size=100000,4194304 -p distribution=ZIPFIAN -t 1 "${common[@]}" -rf json -rff "$OUT/read-t1.json"
jmh 'MapBenchmark\.(get|getAbsent|getPut50)$' -p impl=SLOTKV,CHM,NBHML -p size=4194304 -p distribution=ZIPFIAN \
  -t 2 "${common[@]}" -rf json -rff "$OUT/read-t2.json"
jmh 'MapBenchmark\.(get|getAbsent)$' -p impl=CHM -p size=4194304 -p distribution=ZIPFIAN -t 1 "${common[@]}" \
  -jvmArgsAppend "-XX:+UseTransparentHugePages" -rf json -rff "$OUT/read-t1-chm-thp.json"
jmh 'MapBenchmark\.(get|getAbsent)$' -p impl=SLOTKV_FILE -p size=4194304 -p distribution=ZIPFIAN -t 1 \
  "${common[@]}" -rf json -rff "$OUT/read-t1-file.json"
flags=$(grep -o '<slotkv.jvm.flags>[^<]*' pom.xml | sed 's/<slotkv.jvm.flags>//')
for impl in SLOTKV CHM; do
  "$JAVA" $flags -XX:+IgnoreUnrecognizedVMOptions --enable-native-access=ALL-UNNAMED -Xms4g -Xmx4g -jar "$JAR" \
    growth-read-latency "$impl" 4194304 6 "$OUT/growth-read-latency-$impl.txt" | tail -1
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
