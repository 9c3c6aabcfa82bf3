# Sourced by stress/repro-*.sh: run one io.slotkv.stress.repro class from the stress jar on the chosen JDK, in a
# fresh temporary directory (an hs_err file lands there if the JVM dies), and exit with its status.
#   repro_run CLASS HEAP ARGUMENT JDK      JDK: empty (JAVA_HOME or java on PATH) | 17 | 25 | a JAVA_HOME
repro_run() {
  local class=$1 heap=$2 argument=$3 jdk=$4 here jar java_bin flags status
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  jar="$here/target/jcstress.jar"
  case "$jdk" in
    "") java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java" ;;
    17) java_bin=/usr/lib/jvm/java-17-openjdk-amd64/bin/java ;;
    25) java_bin=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java ;;
    *)  java_bin="$jdk/bin/java" ;;
  esac
  flags=$(unzip -p "$jar" io/slotkv/core/jvm/jvm-flags.properties | sed -n 's/^flags[^=]*=//p' | tr '\n' ' ')
  cd "$(mktemp -d)" || exit 1
  echo "running in $PWD"
  "$java_bin" $flags -Dchronicle.analytics.disable=true "-Xmx$heap" -cp "$jar" "io.slotkv.stress.repro.$class" \
    "$argument" 2>&1 | grep -v SLF4J
  status=${PIPESTATUS[0]}
  echo "exit status $status"
  exit "$status"
}
