#!/usr/bin/env bash
# The broker benchmark (issue 3): Kafka's perf-tool cases against one local broker with
# fsync=never (Kafka's default), broker and perf client on this machine. Each case runs three
# times after one warm-up run; every output line is printed.
# Usage: bench/broker.sh [DIR] [CASES]   (DIR default ./bench-data, emptied afterwards;
#        CASES a space-separated subset of "P1 P2 P3 P4 L1 C1", default all)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="$(realpath -m "${1:-bench-data}")/broker"
CASES="${2:-P1 P2 P3 P4 L1 C1}"
want() { [[ " $CASES " == *" $1 "* ]]; }
PORT=25599
BOOT="--bootstrap 127.0.0.1:$PORT"
rm -rf "$DIR"; mkdir -p "$DIR"
./tributary --version >/dev/null   # build first, outside the measurements
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  cores: $(nproc)  java: $(java -version 2>&1 | head -1)"
./tributary start --data-dir "$DIR/data" --port $PORT --fsync never > "$DIR/broker.log" 2>&1 &
BROKER=$!
trap 'kill -TERM $BROKER 2>/dev/null; wait $BROKER 2>/dev/null || true; rm -rf "$DIR"' EXIT
for _ in $(seq 1 120); do grep -q "is up on" "$DIR/broker.log" && break; sleep 0.5; done

topic() { ./tributary topic create "$1" --partitions "$2" $BOOT >/dev/null; }
produce() { ./tributary perf produce $BOOT "$@" 2>&1 | tail -1; }

topic warmup 1
# shellcheck disable=SC2086
echo "warm-up: $(produce --topic warmup --num-records 2000000 --record-size 100 --throughput -1 --acks leader --batch-size 65536 --linger-ms 5)"
want P1 && for run in 1 2 3; do
  topic "p1-$run" 1; echo "P1 run $run: $(produce --topic "p1-$run" --num-records 2000000 --record-size 100 --throughput -1 --acks leader --batch-size 65536 --linger-ms 5)"
done
want P2 && for run in 1 2 3; do
  topic "p2-$run" 1; echo "P2 run $run: $(produce --topic "p2-$run" --num-records 2000000 --record-size 100 --throughput -1 --acks all --batch-size 65536 --linger-ms 5)"
done
want P3 && for run in 1 2 3; do
  topic "p3-$run" 8; echo "P3 run $run: $(produce --topic "p3-$run" --num-records 2000000 --record-size 100 --throughput -1 --acks leader --batch-size 65536 --linger-ms 5)"
done
want P4 && for run in 1 2 3; do
  topic "p4-$run" 1; echo "P4 run $run: $(produce --topic "p4-$run" --num-records 200000 --record-size 1024 --throughput -1 --acks leader --batch-size 65536 --linger-ms 5)"
done
want L1 && for run in 1 2 3; do
  topic "l1-$run" 1; echo "L1 run $run: $(produce --topic "l1-$run" --num-records 100000 --record-size 100 --throughput 10000 --acks all --linger-ms 0)"
done
want P1 && want C1 && for run in 1 2 3; do
  echo "C1 run $run (consume p1-1):"
  ./tributary perf consume $BOOT --topic p1-1 --messages 2000000 2>&1 | tail -2
done
true
