#!/usr/bin/env bash
# Time to ready after a clean restart (issue 9): one broker, one topic of PARTITIONS partitions
# filled with about RECORDS idempotent records per partition (perf produce: the client's producer
# is idempotent by default), then the broker is stopped with SIGTERM and started RUNS times. Time
# to ready is from launching `./tributary start` until GET /v1/topics/T answers 200, which needs
# every partition loaded (the describe asks each one for its offsets); the run also checks that
# the partitions' high watermarks add up to every record produced.
# Usage: bench/restart.sh [DIR] [PARTITIONS] [RECORDS] [RUNS]
#        (DIR default ./bench-data, emptied afterwards; defaults 64, 200000, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="$(realpath -m "${1:-bench-data}")/restart"
PARTITIONS="${2:-64}"
RECORDS="${3:-200000}"
RUNS="${4:-3}"
PORT=25598
ADMIN=8098
TOPIC=restart
BROKER=
rm -rf "$DIR"; mkdir -p "$DIR"
./tributary --version >/dev/null   # build first, outside the measurements
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  cores: $(nproc)  java: $(java -version 2>&1 | head -1)"
stop() {
  if [ -n "$BROKER" ]; then kill -TERM "$BROKER" 2>/dev/null || true; wait "$BROKER" 2>/dev/null || true; fi
  BROKER=
}
trap 'stop; rm -rf "$DIR"' EXIT
start() {
  ./tributary start --data-dir "$DIR/data" --port $PORT --admin-port $ADMIN --fsync never > "$DIR/broker-$1.log" 2>&1 &
  BROKER=$!
}
# Prints the sum of high watermarks once the describe answers 200 (polled every 50 ms).
await_topic() {
  local code
  for _ in $(seq 1 6000); do
    code=$(curl -s -o "$DIR/describe.json" -w '%{http_code}' "http://127.0.0.1:$ADMIN/v1/topics/$TOPIC" || true)
    if [ "$code" = 200 ]; then
      grep -o '"highWatermark":[0-9]*' "$DIR/describe.json" | cut -d: -f2 | paste -sd+ | bc
      return 0
    fi
    sleep 0.05
  done
  echo "the topic did not answer in 300 s" >&2; return 1
}

start fill
for _ in $(seq 1 240); do grep -q "is up on" "$DIR/broker-fill.log" && break; sleep 0.5; done
./tributary topic create $TOPIC --partitions "$PARTITIONS" --bootstrap 127.0.0.1:$PORT >/dev/null
TOTAL=$((PARTITIONS * RECORDS))
echo "fill: $(./tributary perf produce --bootstrap 127.0.0.1:$PORT --topic $TOPIC --num-records $TOTAL \
  --record-size 100 --throughput -1 --acks leader --batch-size 16384 --linger-ms 5 2>&1 | tail -1)"
echo "records stored: $(await_topic), data: $(du -sh "$DIR/data" | cut -f1)"
stop
for run in $(seq 1 "$RUNS"); do
  began=$(date +%s%N)
  start "run-$run"
  stored=$(await_topic)
  ready=$(( ($(date +%s%N) - began) / 1000000 ))
  echo "restart $run: ready in $ready ms (high watermarks add up to $stored of $TOTAL records)"
  stop
done
