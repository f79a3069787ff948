#!/usr/bin/env bash
# The Kafka twin of bench/cli-startup.sh (docs/BENCHMARKS.md, "CLI start-up"): one Kafka 4.4 broker
# in KRaft combined mode on 127.0.0.1:BASE (controller BASE+100), as bench/kafka-three.sh starts
# three, and the wall time of `kafka-topics.sh --list` and `--describe`, a one-record
# `kafka-console-producer.sh` and a 10-record `kafka-console-consumer.sh` against it, RUNS times each.
# The tool runs with the JVM options kafka-run-class.sh gives tools (-Xmx256M, G1).
# Usage: bench/kafka-cli-startup.sh [RUNS]   (KAFKA_LIB: the jars, default ./bench-data/kafka-lib)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-7}"
LIB="${KAFKA_LIB:-$PWD/bench-data/kafka-lib}"
BASE="${BASE:-27630}"
DIR="$(mktemp -d /tmp/kafka-cli-startup.XXXXXX)"
LOG4J="-Dlog4j2.configurationFile=$PWD/bench/kafka/log4j2.properties"
[ -f "$LIB/kafka_2.13-4.4.0.jar" ] || mvn -q -f bench/kafka/pom.xml dependency:copy-dependencies -DoutputDirectory="$LIB"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  cores: $(nproc)  java: $(java -version 2>&1 | head -1)  broker: kafka 4.4.0"

source bench/kafka/single-broker.sh
trap 'kill -9 ${KAFKA_BROKER:-} 2>/dev/null; wait 2>/dev/null || true; rm -rf "$DIR"' EXIT
start_kafka_broker "$DIR" "$BASE"
BROKER=$KAFKA_BROKER

# A Kafka tool as its bin/*.sh script runs it: kafka-run-class.sh's tool heap and performance options.
tool() {
  java -Xmx256M -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true "$LOG4J" -cp "$LIB/*" "$@"
}
topics() { tool org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:$BASE "$@"; }
producer() { tool org.apache.kafka.tools.ConsoleProducer --bootstrap-server 127.0.0.1:$BASE --topic cli-startup; }
consumer() {
  tool org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server 127.0.0.1:$BASE --topic cli-startup \
    --from-beginning --max-messages 10
}
topics --create --topic cli-startup --partitions 1 >/dev/null
seq 1 10 | producer >/dev/null 2>&1   # ten records for the consumer to read

# One line: the case's name, every run (stdin from $INPUT), the median.
measure() {
  local name="$1"; shift
  local times=() start end
  for _ in $(seq 1 "$RUNS"); do
    start=$(date +%s%N); "$@" < "${INPUT:-/dev/null}" >/dev/null 2>&1 || true; end=$(date +%s%N)
    times+=("$(((end - start) / 1000000))")
  done
  echo "$name: ${times[*]} ms; median $(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}') ms"
}
INPUT=$(mktemp); echo "one record" > "$INPUT"
trap 'kill -9 $BROKER 2>/dev/null; wait $BROKER 2>/dev/null || true; rm -rf "$DIR" "$INPUT"' EXIT
measure "kafka-topics --list" topics --list
measure "kafka-topics --describe" topics --describe --topic cli-startup
measure "kafka-console-producer (one record)" producer
measure "kafka-console-consumer (10 records)" consumer
