#!/usr/bin/env bash
# Kill -9 torture of store files (io.slotkv.stress.torture.KillTorture): child JVMs write to a store, logging every
# operation to memory-mapped logs, and are killed with SIGKILL at random instants and inside segment resizes; after
# each kill the store is reopened and every key is compared with the acknowledged operations. Exits 0 only if no
# acknowledged write was lost, no reopen failed and no key appeared that was never written. Builds nothing: run
#   mvn -pl stress -am package -DskipTests
# first. CI-sized run (>= 30 kills, 1-2 minutes on 2 cores): stress/torture.sh 40
#   stress/torture.sh [KILLS] [JDK] [DRIVER OPTIONS...]
#     KILLS   default 40
#     JDK     17 | 25 | a JAVA_HOME; default: $JAVA_HOME or java on the PATH (driver and children alike)
#     DRIVER OPTIONS  e.g. --inject=file:5 (damage run 5 on purpose: the run must FAIL), --aimed-percent=75
#   env: TORTURE_SEED (default random), TORTURE_DIR (work directory; default a new one under /dev/shm, else /tmp, deleted on success),
#        TORTURE_SUMMARY (also write the summary block to this file), TORTURE_KEEP=1 (keep the work dir on success)
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
# a relative summary path is the caller's, not the work directory's (the script changes into that below)
if [ -n "${TORTURE_SUMMARY:-}" ]; then TORTURE_SUMMARY="$(realpath -m "$TORTURE_SUMMARY")"; fi
if [ -d /dev/shm ] && [ -w /dev/shm ]; then base=/dev/shm; else base="${TMPDIR:-/tmp}"; fi
if [ -n "${TORTURE_DIR:-}" ]; then
  work="$TORTURE_DIR"; mkdir -p "$work"; created=""
else
  work="$(mktemp -d "$base/slotkv-torture.XXXXXX")"; created=1
fi
# the children start from this copy, so a rebuild of the jar during a long run changes nothing
cp "$jar" "$work/torture.jar"
flags=$(unzip -p "$work/torture.jar" io/slotkv/core/jvm/jvm-flags.properties | sed -n 's/^flags[^=]*=//p' | tr '\n' ' ')
cd "$work" # an hs_err file lands here if a JVM dies
built() { unzip -l "$work/torture.jar" "$1" | awk 'NR == 4 { print $2 " " $3 }'; }
build="map classes of $(built io/slotkv/map/Segment.class), core of $(built io/slotkv/core/memory/MappedFileSpace.class)"
build="$build, repo HEAD $(git -C "$here/.." log -1 --format='%h %ci' 2>/dev/null || echo unknown)"
echo "torture: $kills kills, seed $seed, $("$java_bin" -version 2>&1 | head -1), work dir $work"
# shellcheck disable=SC2086
"$java_bin" $flags -Dchronicle.analytics.disable=true -Xmx3g -cp "$work/torture.jar" \
  io.slotkv.stress.torture.KillTorture "$kills" "$seed" "$work" "$java_bin" --summary="$work/summary.txt" --build="$build" "${@:3}" 2>&1 |
  grep -v '^SLF4J'
status=${PIPESTATUS[0]}
if [ -n "${TORTURE_SUMMARY:-}" ] && [ -f "$work/summary.txt" ]; then
  mkdir -p "$(dirname "$TORTURE_SUMMARY")"
  cp "$work/summary.txt" "$TORTURE_SUMMARY"
fi
if [ "$status" -eq 0 ] && [ -n "$created" ] && [ -z "${TORTURE_KEEP:-}" ]; then
  rm -rf "$work"
else
  echo "work dir kept: $work"
fi
echo "exit status $status"
exit "$status"
