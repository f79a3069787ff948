#!/usr/bin/env bash
# Kafka's own perf tools against both brokers in one sitting (issue 14's benchmark): Kafka 4.4's
# ProducerPerformance and ConsumerPerformance, with the same arguments, against one local
# `./tributary start --fsync never` (through its Kafka listener) and one Kafka 4.4 broker (KRaft,
# combined mode, as bench/kafka-cli-startup.sh starts it; Kafka leaves flushing to the OS too).
# Both brokers run for the whole script; each case runs on one, then on the other, RUNS times.
# Every line names the case, the broker, the tool's summary and the broker's CPU seconds during
# that run (utime + stime from /proc/PID/stat); resident memory is printed idle and at the end.
# Cases (docs/BENCHMARKS.md): P1 1 partition 2M x 100 B acks=1; P2 the same with acks=all;
# P3 8 partitions; P4 200k x 1 KiB; L1 100k x 100 B at 10k rec/s, acks=all, linger 5 ms; L1b
# the same with linger 0; C1 ConsumerPerformance reading P1's first topic (2M records).
# Usage: bench/kafka-tools-vs-kafka.sh [RUNS] [CASES]   (RUNS default 2; CASES a subset of
#        "P1 P2 P3 P4 L1 L1b C1", default all; KAFKA_LIB: the jars, default ./bench-data/kafka-lib)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-2}"
CASES="${2:-P1 P2 P3 P4 L1 L1b C1}"
want() { [[ " $CASES " == *" $1 "* ]]; }
LIB="${KAFKA_LIB:-$PWD/bench-data/kafka-lib}"
TPORT=25599 TKAFKA=29599 KPORT=27640
DIR="$(mktemp -d /tmp/kafka-tools-vs-kafka.XXXXXX)"
LOG4J="-Dlog4j2.configurationFile=$PWD/bench/kafka/log4j2.properties"
[ -f "$LIB/kafka_2.13-4.4.0.jar" ] || mvn -q -f bench/kafka/pom.xml dependency:copy-dependencies -DoutputDirectory="$LIB"
./tributary --version >/dev/null   # build first, outside the measurements
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  cores: $(nproc)  java: $(java -version 2>&1 | head -1)  commit: $(git rev-parse --short HEAD)"

./tributary start --data-dir "$DIR/tributary" --port $TPORT --kafka-port $TKAFKA --fsync never > "$DIR/tributary.log" 2>&1 &
TRIBUTARY=$!
source bench/kafka/single-broker.sh
trap 'kill -TERM $TRIBUTARY 2>/dev/null; kill -9 ${KAFKA_BROKER:-} 2>/dev/null; wait 2>/dev/null || true; rm -rf "$DIR"' EXIT
start_kafka_broker "$DIR/kafka" "$KPORT"
KAFKA=$KAFKA_BROKER
for _ in $(seq 1 240); do grep -q "is up on" "$DIR/tributary.log" && break; sleep 0.5; done
grep -q "is up on" "$DIR/tributary.log" || { echo "tributary did not start:" >&2; tail -20 "$DIR/tributary.log" >&2; exit 1; }
TPID=$TRIBUTARY   # the launcher execs the broker's JVM

address() { [ "$1" = tributary ] && echo 127.0.0.1:$TKAFKA || echo 127.0.0.1:$KPORT; }
pid() { [ "$1" = tributary ] && echo "$TPID" || echo "$KAFKA"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss() { awk '/VmRSS/ {printf "%d MiB", $2 / 1024}' "/proc/$1/status"; }
peak() { awk '/VmHWM/ {printf "%d MiB", $2 / 1024}' "/proc/$1/status"; }
TICK=$(getconf CLK_TCK)
# A Kafka tool as kafka-run-class.sh runs it, but with the 512 MiB the perf tools need for 2M records.
tool() {
  java -Xmx512m -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true "$LOG4J" -cp "$LIB/*" "$@"
}
# Kafka's TopicCommand creates the topics on both brokers: on ours it goes through CreateTopics.
topic() {  # broker name partitions
  tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$(address "$1")" --create --topic "$2" \
    --partitions "$3" --replication-factor 1 >/dev/null
}
# One measured run: the tool's last summary line and the broker's CPU seconds while it ran.
measure() {  # case broker tool-args...
  local name="$1" broker="$2"; shift 2
  local before after summary
  before=$(cpu_ticks "$(pid "$broker")")
  summary=$(tool "$@" 2>&1 | tail -1)
  after=$(cpu_ticks "$(pid "$broker")")
  echo "$name $broker: $summary; broker CPU $(awk -v t="$((after - before))" -v hz="$TICK" 'BEGIN {printf "%.1f", t / hz}') s"
}
produce() {  # case broker topic records size throughput props...
  local name="$1" broker="$2" topic="$3" records="$4" size="$5" throughput="$6"; shift 6
  measure "$name" "$broker" org.apache.kafka.tools.ProducerPerformance --topic "$topic" --num-records "$records" \
    --record-size "$size" --throughput "$throughput" --producer-props bootstrap.servers="$(address "$broker")" "$@"
}
# A case on both brokers, RUNS times, a fresh topic each run: case partitions records size throughput props...
both() {
  local name="$1" partitions="$2"; shift 2
  local run broker
  for run in $(seq 1 "$RUNS"); do
    for broker in tributary kafka; do
      topic "$broker" "${name,,}-$run" "$partitions"
      produce "$name run $run" "$broker" "${name,,}-$run" "$@"
    done
  done
}

echo "idle resident memory: tributary $(rss "$TPID"), kafka $(rss "$KAFKA")"
for broker in tributary kafka; do   # the JIT's warm-up, on both, outside the measurements
  topic "$broker" warmup 1
  produce "warm-up" "$broker" warmup 2000000 100 -1 acks=1 batch.size=65536 linger.ms=5
done
want P1 && both P1 1 2000000 100 -1 acks=1 batch.size=65536 linger.ms=5
want P2 && both P2 1 2000000 100 -1 acks=all batch.size=65536 linger.ms=5
want P3 && both P3 8 2000000 100 -1 acks=1 batch.size=65536 linger.ms=5
want P4 && both P4 1 200000 1024 -1 acks=1 batch.size=65536 linger.ms=5
want L1 && both L1 1 100000 100 10000 acks=all linger.ms=5
want L1b && both L1b 1 100000 100 10000 acks=all linger.ms=0
if want C1; then
  for run in $(seq 1 "$RUNS"); do
    for broker in tributary kafka; do
      topic "$broker" "c1-$run" 1   # a topic of its own, so that both read what the same tool wrote
      produce "C1 run $run, its input" "$broker" "c1-$run" 2000000 100 -1 acks=1 batch.size=65536 linger.ms=5 >/dev/null
      measure "C1 run $run" "$broker" org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$(address "$broker")" \
        --topic "c1-$run" --messages 2000000 --timeout 60000
    done
  done
fi
echo "resident memory now: tributary $(rss "$TPID"), kafka $(rss "$KAFKA"); peak: tributary $(peak "$TPID"), kafka $(peak "$KAFKA")"
