#!/usr/bin/env bash
# Replicated throughput (issue 11): three brokers on this machine, all controller voters; a topic
# with replication factor 3 and min.insync.replicas=2; `perf produce` of N records of 100 bytes with
# acks=all, as fast as it goes, once per partition count given. Brokers run --fsync never, as the
# Kafka 4.4 brokers this is compared with (Kafka leaves flushing to the OS).
# Usage: bench/replicated.sh [PARTITIONS...]   (default: 1 8; N from $RECORDS, default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
PARTITIONS=("${@:-1 8}")
[ $# -eq 0 ] && PARTITIONS=(1 8)
RECORDS="${RECORDS:-1000000}"
DIR="$(realpath -m "${DIR:-bench-data}")/replicated"
VOTERS=0@127.0.0.1:26790,1@127.0.0.1:26791,2@127.0.0.1:26792
BOOT=127.0.0.1:25790,127.0.0.1:25791,127.0.0.1:25792
PIDS=()
./tributary --version >/dev/null   # build first, outside the measurements
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  cores: $(nproc)  java: $(java -version 2>&1 | head -1)"
stop_all() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  PIDS=()
}
trap 'stop_all; rm -rf "$DIR"' EXIT
rm -rf "$DIR"; mkdir -p "$DIR"
for id in 0 1 2; do
  ./tributary start --node-id $id --port $((25790 + id)) --admin-port $((8790 + id)) --data-dir "$DIR/data-$id" \
    --seed 127.0.0.1:25790 --controller-voters $VOTERS --fsync never > "$DIR/broker-$id.log" 2>&1 &
  PIDS[$id]=$!
done
for id in 0 1 2; do
  for _ in $(seq 1 240); do grep -q "is up on" "$DIR/broker-$id.log" && break; sleep 0.5; done
done
for _ in $(seq 1 120); do
  [ "$(./tributary cluster describe --bootstrap $BOOT 2>/dev/null | grep -c Registered)" = 3 ] && break; sleep 0.5
done
for p in "${PARTITIONS[@]}"; do
  topic="replicated-$p"
  ./tributary topic create "$topic" --partitions "$p" --replication-factor 3 --config min.insync.replicas=2 \
    --bootstrap $BOOT > /dev/null
  echo "partitions $p: $(./tributary perf produce --topic "$topic" --num-records "$RECORDS" --record-size 100 \
    --throughput -1 --acks all --bootstrap $BOOT | tail -1)"
  ./tributary topic describe "$topic" --bootstrap $BOOT | grep -c "Isr: [0-9],[0-9],[0-9]" \
    | xargs -I{} echo "  partitions with all 3 replicas in sync afterwards: {}"
done
