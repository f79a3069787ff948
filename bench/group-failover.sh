#!/usr/bin/env bash
# Group coordinator failover (issue 12): three brokers on this machine, all controller voters (so
# __groups has its default 3 copies, tributary.groups.replication-factor, and 50 partitions).
# `perf group-failover` runs the load of `perf rebalance` (three members of one group on a topic of
# 64 partitions, replication factor 3, min.insync.replicas=2; 20,000 rec/s produced throughout),
# then kills the coordinator's broker with SIGKILL and reports (a) when every member received
# records again, (b) when every member received records from every partition it holds, (c) when the
# group was described by another coordinator, (d) when every partition of the topic had a live
# leader again (the election) and (e) when every partition had acknowledged, with acks=all, a record
# sent after the kill (partition failover as producers see it) and (f) when every member's first
# commit begun after the kill was acknowledged (the new coordinator serving it), each in ms from
# the kill.
# Usage: bench/group-failover.sh [fast|default] [RUNS]
#   env: RATE=20000, PARTITIONS=64, BASE=25890 (first Artery port),
#   KEEP=DIR (keep each run's broker logs and the benchmark's output in DIR/run-N)
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE="${1:-fast}"
RUNS="${2:-3}"
RATE="${RATE:-20000}"
PARTITIONS="${PARTITIONS:-64}"
DIR="$(realpath -m "${DIR:-bench-data}")/group-failover"
BASE="${BASE:-25890}"
KEEP="${KEEP:-}"
. bench/three-brokers.sh
echo "rate: $RATE/s  partitions: $PARTITIONS"
for run in $(seq 1 "$RUNS"); do
  start_three
  # The benchmark names the coordinator's broker by id; the kill command finds its PID here.
  for id in 0 1 2; do echo "${PIDS[$id]}" > "$DIR/broker-$id.pid"; done
  ./tributary perf group-failover --topic "group-failover-$run" --partitions "$PARTITIONS" --rate "$RATE" \
    --kill-command "kill -9 \$(cat '$DIR'/broker-{broker}.pid)" --bootstrap $BOOT \
    2> "$DIR/perf.err" | tee "$DIR/perf.out" | sed "s/^/run $run: /" || echo "run $run: failed (perf.err: $(tail -3 "$DIR/perf.err"))"
  stop_all
  if [ -n "$KEEP" ]; then
    mkdir -p "$KEEP/run-$run"
    cp "$DIR"/broker-*.log "$DIR"/perf.out "$DIR"/perf.err "$KEEP/run-$run/"
  fi
done
