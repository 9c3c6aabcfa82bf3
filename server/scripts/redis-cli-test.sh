#!/usr/bin/env bash
# The RESP server with redis-cli, as its users run it: every command of redis-commands.txt against SlotKV and
# against redis-server 7 (Debian's packages; installed here if missing), replies compared; then redis-cli's own
# modes (--pipe mass insertion, --scan, -x, -r). Exit 0 when all agree. Usage: server/scripts/redis-cli-test.sh
set -euo pipefail
set -f # the command lines hold glob patterns: no file name expansion
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/servers.sh"

run() { # port, command line: the reply as redis-cli prints it (errors included)
  eval "redis-cli -p $1 $2" 2>&1 | tr -d '\0' || true
}
compared=0; skipped=0; failed=0
while IFS= read -r line; do
  case "$line" in ''|'#'*) continue;; esac
  skip=0; if [ "${line:0:1}" = "!" ]; then skip=1; line="${line:1}"; fi
  a="$(run "$ours" "$line")"; b="$(run "$theirs" "$line")"
  case "$line" in keys*) a="$(sort <<< "$a")"; b="$(sort <<< "$b")";; esac # KEYS lists in hash order
  if [ "$skip" -eq 1 ]; then skipped=$((skipped + 1)); continue; fi
  compared=$((compared + 1))
  if [ "$a" != "$b" ]; then
    failed=$((failed + 1)); echo "DIFFERENT: $line"; echo "  slotkv: $a"; echo "  redis:  $b"
  fi
done < "$here/redis-commands.txt"
echo "redis-cli: $compared commands compared with redis-server ($skipped documented differences run, not compared): $failed differ"

check() { # description, expected, actual
  if [ "$2" != "$3" ]; then failed=$((failed + 1)); echo "FAILED: $1: expected '$2', got '$3'"; else echo "ok: $1"; fi
}
redis-cli -p "$ours" flushall > /dev/null
# mass insertion, as the Redis documentation shows it
for i in $(seq 1 20000); do printf '*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n' "${#i}" "$i" "$((${#i} + 1))" "v$i"; done \
  | redis-cli -p "$ours" --pipe > "$work/pipe.out"
check "--pipe inserts 20,000 keys" "errors: 0, replies: 20000" "$(grep -o 'errors: [0-9]*, replies: [0-9]*' "$work/pipe.out")"
check "DBSIZE after --pipe" "20000" "$(redis-cli -p "$ours" dbsize)"
check "--scan lists every key once" "20000" "$(redis-cli -p "$ours" --scan | sort -u | wc -l | tr -d ' ')"
check "--scan --pattern" "10" "$(redis-cli -p "$ours" --scan --pattern '1?' | wc -l | tr -d ' ')"
printf 'from stdin' | redis-cli -p "$ours" -x set stdin > /dev/null
check "-x reads the last argument from stdin" "from stdin" "$(redis-cli -p "$ours" get stdin)"
check "-r repeats" "5" "$(redis-cli -p "$ours" -r 5 incr repeated | tail -1)"
check "INFO through redis-cli" "redis_version:7.2.0" "$(redis-cli -p "$ours" info server | tr -d '\r' | grep redis_version)"
redis-cli -p "$ours" shutdown > /dev/null 2>&1 || true
for _ in $(seq 1 100); do grep -q "store closed cleanly" "$work/slotkv.log" && break; sleep 0.1; done
check "SHUTDOWN closes the store cleanly" "1" "$(grep -c 'store closed cleanly' "$work/slotkv.log")"
[ "$failed" -eq 0 ] || { echo "redis-cli test: $failed failures"; exit 1; }
echo "redis-cli test: all passed"
