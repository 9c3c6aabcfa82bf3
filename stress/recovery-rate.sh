#!/usr/bin/env bash
# Recovery scan rate on a large store file (io.slotkv.stress.recovery.RecoveryScanRate): builds ENTRIES entries,
# then recovers the file ROUNDS times as a crash leaves it. Needs stress/target/jcstress.jar; about 2.3 GB of disk
# per 100M entries in DIR (default: a new directory under /tmp).
#   stress/recovery-rate.sh [ENTRIES] [ROUNDS] [DIR] [JDK]      JDK 17 | 25 | a JAVA_HOME
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/target/jcstress.jar"
case "${4:-}" in
  "") java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java" ;;
  17) java_bin=/usr/lib/jvm/java-17-openjdk-amd64/bin/java ;;
  25) java_bin=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java ;;
  *)  java_bin="$4/bin/java" ;;
esac
flags=$(unzip -p "$jar" io/slotkv/core/jvm/jvm-flags.properties | sed -n 's/^flags[^=]*=//p' | tr '\n' ' ')
dir="${3:-$(mktemp -d)}"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ); jdk: $("$java_bin" -version 2>&1 | head -1); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); dir: $dir ($(df -T "$dir" | awk 'NR==2 {print $2}'))"
"$java_bin" $flags -Xmx1g -cp "$jar" io.slotkv.stress.recovery.RecoveryScanRate "${1:-100000000}" "${2:-3}" "$dir" 2>&1 |
  grep -v SLF4J
