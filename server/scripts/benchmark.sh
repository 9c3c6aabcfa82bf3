#!/usr/bin/env bash
# redis-benchmark against SlotKV's server and redis-server 7 on loopback, in the same run, interleaved (SlotKV,
# Redis, SlotKV, ...), several repetitions: SET GET INCR MSET, -P 1 and -P 16, -c 50. Writes one CSV line per run
# to $out (default docs/bench/server/runs.csv) and prints the medians and ratios. Installs Debian's redis-server
# and redis-tools if missing. Keep the machine quiet while it runs.
# Usage: server/scripts/benchmark.sh [repetitions=5] [requests=200000] [out.csv]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
reps="${1:-5}"; requests="${2:-200000}"; out="${3:-$root/docs/bench/server/runs.csv}"
. "$here/servers.sh"
mkdir -p "$(dirname "$out")"
echo "server,test,pipeline,rep,rps,avg_ms,p50_ms,p95_ms,p99_ms,max_ms" > "$out"
bench() { # server port pipeline rep
  redis-benchmark -p "$2" -c 50 -n "$requests" -P "$3" -r 100000 -d 100 -t set,get,incr,mset --csv -q 2> /dev/null \
    | tail -n +2 | tr -d '"' | while IFS=, read -r test rps avg min p50 p95 p99 max; do
      echo "$1,${test%% *},$3,$4,$rps,$avg,$p50,$p95,$p99,$max"
    done >> "$out"
}
# warm both (the JVM's JIT, both servers' memory)
redis-benchmark -p "$ours" -c 50 -n "$requests" -r 100000 -d 100 -t set,get,incr,mset -q > /dev/null 2>&1
redis-benchmark -p "$theirs" -c 50 -n "$requests" -r 100000 -d 100 -t set,get,incr,mset -q > /dev/null 2>&1
for rep in $(seq 1 "$reps"); do
  for pipeline in 1 16; do
    bench slotkv "$ours" "$pipeline" "$rep"
    bench redis "$theirs" "$pipeline" "$rep"
  done
done
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(redis-server --version | cut -d' ' -f1-3)"
python3 - "$out" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print("| test | -P | SlotKV req/s (median) | Redis req/s (median) | ratio | SlotKV p50/p99 ms | Redis p50/p99 ms |")
print("|---|---:|---:|---:|---:|---:|---:|")
for pipeline in ("1", "16"):
    for test in ("SET", "GET", "INCR", "MSET"):
        def pick(server, field):
            values = [float(r[field]) for r in rows if r["server"] == server and r["test"] == test and r["pipeline"] == pipeline]
            return statistics.median(values), min(values), max(values)
        ours, theirs = pick("slotkv", "rps"), pick("redis", "rps")
        print(f"| {test} | {pipeline} | {ours[0]:,.0f} ({ours[1]:,.0f}-{ours[2]:,.0f}) | {theirs[0]:,.0f} ({theirs[1]:,.0f}-{theirs[2]:,.0f}) | "
              f"{ours[0] / theirs[0]:.2f} | {pick('slotkv', 'p50_ms')[0]:.3f} / {pick('slotkv', 'p99_ms')[0]:.3f} | "
              f"{pick('redis', 'p50_ms')[0]:.3f} / {pick('redis', 'p99_ms')[0]:.3f} |")
PY
