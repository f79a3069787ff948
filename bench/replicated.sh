#!/usr/bin/env bash
# Replicated throughput (issue 11): three brokers on this machine, all controller voters; a topic
# with replication factor 3 and min.insync.replicas=2; `perf produce` of N records of 100 bytes with
# acks=all, as fast as it goes, once per partition count given. Brokers run --fsync never, as the
# Kafka 4.4 brokers this is compared with (Kafka leaves flushing to the OS). Extra perf produce
# options go in $PERF_OPTS (e.g. PERF_OPTS="--max-batch-size 16384" turns batch growth off).
# Usage: bench/replicated.sh [PARTITIONS...]   (default: 1 8; N from $RECORDS, default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
PARTITIONS=("${@:-1 8}")
[ $# -eq 0 ] && PARTITIONS=(1 8)
RECORDS="${RECORDS:-1000000}"
DIR="$(realpath -m "${DIR:-bench-data}")/replicated"
BASE=25790
. bench/three-brokers.sh
start_three
# A warm-up first (JIT, connections, the fetchers' first sessions): a fresh cluster's first
# 300,000 records ran at about a quarter of the rate of the ones after them (36k vs 141k rec/s).
./tributary topic create replicated-warmup --partitions 8 --replication-factor 3 --config min.insync.replicas=2 \
  --bootstrap $BOOT > /dev/null
echo "warm-up: $(./tributary perf produce --topic replicated-warmup --num-records 300000 --record-size 100 \
  --throughput -1 --acks all --bootstrap $BOOT | tail -1)"
for p in "${PARTITIONS[@]}"; do
  topic="replicated-$p"
  ./tributary topic create "$topic" --partitions "$p" --replication-factor 3 --config min.insync.replicas=2 \
    --bootstrap $BOOT > /dev/null
  echo "partitions $p: $(./tributary perf produce --topic "$topic" --num-records "$RECORDS" --record-size 100 \
    --throughput -1 --acks all ${PERF_OPTS:-} --bootstrap $BOOT | tail -1)"
  ./tributary topic describe "$topic" --bootstrap $BOOT | grep -c "Isr: [0-9],[0-9],[0-9]" \
    | xargs -I{} echo "  partitions with all 3 replicas in sync afterwards: {}"
done
