#!/usr/bin/env bash
# Time to ready after a clean restart (issue 9): one broker, one topic of PARTITIONS partitions
# filled with about RECORDS idempotent records per partition (perf produce: the client's producer
# is idempotent by default), then the broker is stopped with SIGTERM and started RUNS times. Time
# to ready is from launching `./tributary start` until GET /v1/topics/T answers 200, which needs
# every partition loaded (the describe asks each one for its offsets); the run also checks that
# the partitions' high watermarks add up to every record produced.
# Usage: bench/restart.sh [DIR] [PARTITIONS] [RECORDS] [RUNS]
#        (DIR default ./bench-data, emptied afterwards; defaults 64, 200000, 3)
#        DROP_SNAPSHOTS=1 deletes the producer snapshots before each restart: the start after a
#        crash that came before any segment roll, when the whole log is read.
#        BEFORE=TREE alternates each restart between TREE's ./tributary (a checkout of the code to
#        compare with, built) and this tree's, on the same data, so both see the same machine load;
#        the fill runs on this tree. Older code ignores the .snapshot files.
# Each restart prints the wall time to ready and the broker's CPU time (user + system) by then,
# which the other work on a shared machine disturbs less.
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
  "${2:-.}/tributary" start --data-dir "$DIR/data" --port $PORT --admin-port $ADMIN --fsync never \
    > "$DIR/broker-$1.log" 2>&1 &
  BROKER=$!
}
# CPU seconds (user + system) the broker used so far; ./tributary execs java, so $BROKER is the JVM.
cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$BROKER/stat"
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
if [ -n "${BEFORE:-}" ]; then "$BEFORE/tributary" --version >/dev/null; fi
for run in $(seq 1 "$RUNS"); do
  for tree in ${BEFORE:+"$BEFORE"} .; do
    if [ "${DROP_SNAPSHOTS:-0}" = 1 ]; then find "$DIR/data" -name '*.snapshot' -delete; fi
    began=$(date +%s%N)
    start "run-$run" "$tree"
    stored=$(await_topic)
    ready=$(( ($(date +%s%N) - began) / 1000000 ))
    cpu=$(cpu_seconds)
    # batches re-read to rebuild producer state (code that has the metric)
    scanned=$(curl -s "http://127.0.0.1:$ADMIN/metrics" \
      | awk '/^tributary_producer_state_scanned_batches_total[{]/ { n += $2; c++ } END { if (c) printf "%d", n; else printf "n/a" }')
    echo "restart $run ($( [ "$tree" = . ] && echo this tree || echo "$tree")): ready in $ready ms," \
      "broker CPU $cpu s, load average $(cut -d' ' -f1 /proc/loadavg), batches re-read ${scanned}" \
      "(high watermarks add up to $stored of $TOTAL records)"
    stop
  done
done
