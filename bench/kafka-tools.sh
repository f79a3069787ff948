#!/usr/bin/env bash
# Kafka's own perf tools through Tributary's Kafka listener (issue 14): Kafka 4.4's
# ProducerPerformance and ConsumerPerformance against one local `./tributary start --fsync never`,
# the cases of bench/broker.sh, each run right after the same case through our own `perf produce`
# (the typed client), so the two front doors are measured in one sitting. Prints every summary line.
# The Kafka jars come from Maven Central through bench/kafka/pom.xml (as bench/kafka-three.sh).
# Usage: bench/kafka-tools.sh [DIR] [CASES]   (DIR default ./bench-data, emptied afterwards;
#        CASES a subset of "P1 P3 P4 C1", default all)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="$(realpath -m "${1:-bench-data}")/kafka-tools"
CASES="${2:-P1 P3 P4 C1}"
want() { [[ " $CASES " == *" $1 "* ]]; }
PORT=25598
KPORT=29598
BOOT="--bootstrap 127.0.0.1:$PORT"
LIB="$PWD/bench-data/kafka-lib"
[ -f "$LIB/kafka_2.13-4.4.0.jar" ] || mvn -q -f bench/kafka/pom.xml dependency:copy-dependencies -DoutputDirectory="$LIB"
kafka() { java -Xmx512m -cp "$LIB/*" -Dlog4j2.configurationFile="$PWD/bench/kafka/log4j2.properties" "$@"; }
rm -rf "$DIR"; mkdir -p "$DIR"
./tributary --version >/dev/null   # build first, outside the measurements
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  cores: $(nproc)  java: $(java -version 2>&1 | head -1)"
./tributary start --data-dir "$DIR/data" --port $PORT --kafka-port $KPORT --fsync never > "$DIR/broker.log" 2>&1 &
BROKER=$!
trap 'kill -TERM $BROKER 2>/dev/null; wait $BROKER 2>/dev/null || true; rm -rf "$DIR"' EXIT
for _ in $(seq 1 120); do grep -q "is up on" "$DIR/broker.log" && break; sleep 0.5; done

topic() { ./tributary topic create "$1" --partitions "$2" $BOOT >/dev/null; }
ours() { ./tributary perf produce $BOOT "$@" 2>&1 | tail -1; }
# ProducerPerformance with the settings bench/broker.sh gives our perf tool: acks=1, 64 KiB
# batches, linger 5 ms; Kafka's producer is idempotent by default, as ours is.
theirs() {  # topic records size
  kafka org.apache.kafka.tools.ProducerPerformance --topic "$1" --num-records "$2" --record-size "$3" \
    --throughput -1 --producer-props bootstrap.servers=127.0.0.1:$KPORT acks=1 batch.size=65536 linger.ms=5 \
    2>&1 | tail -1
}

topic warmup 1
echo "warm-up (ours): $(ours --topic warmup --num-records 2000000 --record-size 100 --throughput -1 --acks leader --batch-size 65536 --linger-ms 5)"
topic warmup-k 1
echo "warm-up (Kafka's tool): $(theirs warmup-k 2000000 100)"
want P1 && for run in 1 2; do
  topic "p1-$run" 1; echo "P1 run $run, perf produce: $(ours --topic "p1-$run" --num-records 2000000 --record-size 100 --throughput -1 --acks leader --batch-size 65536 --linger-ms 5)"
  topic "p1k-$run" 1; echo "P1 run $run, ProducerPerformance: $(theirs "p1k-$run" 2000000 100)"
done
want P3 && for run in 1 2; do
  topic "p3-$run" 8; echo "P3 run $run, perf produce: $(ours --topic "p3-$run" --num-records 2000000 --record-size 100 --throughput -1 --acks leader --batch-size 65536 --linger-ms 5)"
  topic "p3k-$run" 8; echo "P3 run $run, ProducerPerformance: $(theirs "p3k-$run" 2000000 100)"
done
want P4 && for run in 1 2; do
  topic "p4-$run" 1; echo "P4 run $run, perf produce: $(ours --topic "p4-$run" --num-records 200000 --record-size 1024 --throughput -1 --acks leader --batch-size 65536 --linger-ms 5)"
  topic "p4k-$run" 1; echo "P4 run $run, ProducerPerformance: $(theirs "p4k-$run" 200000 1024)"
done
want P1 && want C1 && for run in 1 2; do
  echo "C1 run $run, perf consume (p1-1):"
  ./tributary perf consume $BOOT --topic p1-1 --messages 2000000 2>&1 | tail -2
  echo "C1 run $run, ConsumerPerformance (p1k-1):"
  kafka org.apache.kafka.tools.ConsumerPerformance --bootstrap-server 127.0.0.1:$KPORT --topic p1k-1 \
    --messages 2000000 --timeout 60000 2>&1 | tail -2
done
true
