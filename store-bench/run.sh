#!/usr/bin/env bash
# Runs the store-bench suite: the JMH benchmarks (each store operation next to its raw reference),
# the memory store's heap per session, W2 (a timer and 8 writers on one session, next to Spring Session), the MongoDB store's round trips per operation and its
# all()/count() memory bound; then prints one Markdown report (also written to $BENCH_OUT/report.md).
#
# Environment (all optional):
#   JMH_ARGS        JMH options        (default: -f 1 -wi 8 -i 5 -w 2s -r 2s -prof dev.sessionstore.bench.CpuTimeProfiler)
#   JMH_INCLUDE     benchmark regex    (default: every benchmark in the module)
#   HEAP_COUNTS     session counts for the heap measurement (default: 100000,1000000)
#   W2_ANSWERS      answers per writer in W2, the timer + 8 writers race (default: 1250)
#   W2_MONGO_ANSWERS answers per writer in W2 on MongoDB, vs ReactiveMongoSessionRepository (default: 125)
#   SCALE_SESSIONS  sessions for the MongoDB all()/count() measurement (default: 100000)
#   BENCH_OUT       output directory   (default: store-bench/target/bench-results)
#   SKIP_BUILD=1    use the existing store-bench/target/benchmarks.jar
#   SKIP_JMH=1      reuse $BENCH_OUT/jmh.json from an earlier run (only re-run the other parts)
set -euo pipefail
cd "$(dirname "$0")/.."

JMH_ARGS=${JMH_ARGS:--f 1 -wi 8 -i 5 -w 2s -r 2s -prof dev.sessionstore.bench.CpuTimeProfiler}
JMH_INCLUDE=${JMH_INCLUDE:-}
HEAP_COUNTS=${HEAP_COUNTS:-100000,1000000}
SCALE_SESSIONS=${SCALE_SESSIONS:-100000}
OUT=${BENCH_OUT:-store-bench/target/bench-results}
JAR=store-bench/target/benchmarks.jar
JAVA=${JAVA:-java}

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  ./mvnw -q -pl store-bench -am package -DskipTests -DskipJavadoc
fi
mkdir -p "$OUT"

load_before=$(uptime)
if [ "${SKIP_JMH:-0}" != 1 ]; then
  # shellcheck disable=SC2086 # JMH_ARGS is a list of options on purpose
  "$JAVA" -jar "$JAR" $JMH_ARGS -rf json -rff "$OUT/jmh.json" $JMH_INCLUDE | tee "$OUT/jmh.log"
fi
"$JAVA" -Xms4g -Xmx4g -XX:+UseParallelGC -cp "$JAR" dev.sessionstore.bench.MemoryHeapPerSession \
  "$HEAP_COUNTS" "$OUT/heap.properties"
"$JAVA" -cp "$JAR" dev.sessionstore.bench.TimerAndWriters "${W2_ANSWERS:-1250}" "$OUT/w2.properties"
"$JAVA" -cp "$JAR" dev.sessionstore.bench.MongoTimerAndWriters "${W2_MONGO_ANSWERS:-125}" "$OUT/w2mongo.properties"
"$JAVA" -cp "$JAR" dev.sessionstore.bench.MongoRoundTrips "$OUT/roundtrips.properties"
"$JAVA" -Xms2g -Xmx2g -XX:+UseParallelGC -cp "$JAR" dev.sessionstore.bench.MongoScale \
  "$SCALE_SESSIONS" "$OUT/scale.properties"
load_after=$(uptime)

{
  echo "## Results"
  echo
  echo "- Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'),"\
       "$(free -g | awk '/^Mem:/ {print $2 " GiB RAM"}')"
  echo "- JDK: $("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.vm.name|java.runtime.version/ {printf "%s ", $2}')"
  echo "- Load before: ${load_before#*load average: }; after: ${load_after#*load average: } (load average 1/5/15 min)"
  echo "- JMH: $JMH_ARGS ${JMH_INCLUDE}"
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  "$JAVA" -cp "$JAR" dev.sessionstore.bench.Report "$OUT/jmh.json" "$OUT"
} | tee "$OUT/report.md"
