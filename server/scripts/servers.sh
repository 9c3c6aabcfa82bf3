# Sourced by redis-cli-test.sh and benchmark.sh: installs Debian's redis-server and redis-tools if missing, starts
# SlotKV's server ($ours) and redis-server 7 ($theirs) on free loopback ports with their data in $work, waits for
# both to answer PING, and stops both (and removes $work) when the calling script exits.
jar="$here/../target/slotkv-server.jar"
[ -f "$jar" ] || { echo "build first: mvn -q install -DskipTests (no $jar)"; exit 2; }
if ! command -v redis-cli > /dev/null || ! command -v redis-server > /dev/null || \
   ! command -v redis-benchmark > /dev/null; then
  echo "installing redis-tools and redis-server (Debian packages)"
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y -q redis-tools redis-server > /dev/null;
  else sudo apt-get install -y -q redis-tools redis-server > /dev/null; fi
fi
work="$(mktemp -d)"
ours=$((20000 + RANDOM % 10000)); theirs=$((ours + 1))
cleanup() {
  redis-cli -p "$theirs" shutdown nosave > /dev/null 2>&1 || true
  redis-cli -p "$ours" shutdown > /dev/null 2>&1 || true
  wait 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
java -jar "$jar" --port "$ours" --dir "$work/data" > "$work/slotkv.log" 2>&1 &
redis-server --port "$theirs" --save '' --appendonly no --dir "$work" > "$work/redis.log" 2>&1 &
for port in "$ours" "$theirs"; do
  for _ in $(seq 1 100); do redis-cli -p "$port" ping > /dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -p "$port" ping | grep -q PONG || { echo "no server on port $port"; cat "$work"/*.log; exit 1; }
done
