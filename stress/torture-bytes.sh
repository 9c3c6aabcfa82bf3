#!/usr/bin/env bash
# Kill -9 torture of byte-store files (io.slotkv.stress.torture.ByteTorture): child JVMs write to an
# OffHeapByteStore file, logging every operation to a memory-mapped log, and are killed with SIGKILL at random
# instants (growing tables, closes, clean opens, their own recoveries); after each kill a copy of the file is
# recovered and every key compared with the log. Exits 0 only if no acknowledged write was lost and no value
# appeared that was never written. Builds nothing: run  mvn -pl stress -am package -DskipTests  first.
#   stress/torture-bytes.sh [KILLS] [JDK] [--summary=FILE] [--inject=RUN]
#     KILLS default 40 (CI); JDK 17 | 25 | a JAVA_HOME; --inject=RUN loses one acknowledged key on purpose in run
#     RUN (that run must FAIL)
#   env: TORTURE_SEED (default random), TORTURE_KEEP=1 (keep the work dir on success)
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/target/jcstress.jar"
if [ ! -f "$jar" ]; then
  echo "no $jar: build it first (mvn -pl stress -am package -DskipTests)" >&2
  exit 2
fi
case "${2:-}" in
  "") java_bin="$(command -v "${JAVA_HOME:+$JAVA_HOME/bin/}java")" ;;
  17) java_bin=/usr/lib/jvm/java-17-openjdk-amd64/bin/java ;;
  25) java_bin=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java ;;
  *)  java_bin="$2/bin/java" ;;
esac
kills="${1:-40}"
seed="${TORTURE_SEED:-$(od -An -N6 -tu8 /dev/urandom | tr -d ' ')}"
if [ -d /dev/shm ] && [ -w /dev/shm ]; then base=/dev/shm; else base="${TMPDIR:-/tmp}"; fi
work="$(mktemp -d "$base/slotkv-byte-torture.XXXXXX")"
cp "$jar" "$work/torture.jar"
flags=$(unzip -p "$work/torture.jar" io/slotkv/core/jvm/jvm-flags.properties | sed -n 's/^flags[^=]*=//p' | tr '\n' ' ')
echo "byte-store torture: $kills kills, seed $seed, $("$java_bin" -version 2>&1 | head -1), work dir $work, repo HEAD $(git -C "$here/.." log -1 --format='%h' 2>/dev/null || echo unknown)"
cd "$work"
# shellcheck disable=SC2086
"$java_bin" $flags -Dchronicle.analytics.disable=true -Xmx1g -cp "$work/torture.jar" \
  io.slotkv.stress.torture.ByteTorture "$kills" "$seed" "$work" "$java_bin" "${@:3}" 2>&1 | grep -v '^SLF4J'
status=${PIPESTATUS[0]}
if [ "$status" -eq 0 ] && [ -z "${TORTURE_KEEP:-}" ]; then rm -rf "$work"; else echo "work dir kept: $work"; fi
echo "exit status $status"
exit "$status"
