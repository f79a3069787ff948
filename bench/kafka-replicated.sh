#!/usr/bin/env bash
# The Kafka 4.4 twin of bench/replicated.sh, to measure both brokers side by side in one sitting:
# three Kafka brokers on this machine (bench/kafka-three.sh, KRaft combined mode), a topic with
# replication factor 3 and min.insync.replicas=2, Kafka's ProducerPerformance of N records of 100
# bytes with acks=all, as fast as it goes, once per partition count given. The producer keeps
# Kafka's defaults (batch.size 16384, linger.ms 5, 5 requests in flight per connection); extra
# producer properties go in $PRODUCER_PROPS (e.g. PRODUCER_PROPS="batch.size=65536").
# Usage: bench/kafka-replicated.sh [PARTITIONS...]   (default: 1 8; N from $RECORDS, default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
PARTITIONS=("$@")
[ $# -eq 0 ] && PARTITIONS=(1 8)
RECORDS="${RECORDS:-1000000}"
DIR="$(realpath -m "${DIR:-bench-data}")/kafka-replicated"
BASE="${BASE:-29092}"
. bench/kafka-three.sh
start_three

create_topic() {   # name partitions
  kafka org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOT" --create --topic "$1" --partitions "$2" \
    --replication-factor 3 --config min.insync.replicas=2 > /dev/null
}
produce() {   # topic records; prints ProducerPerformance's final (summary) line
  # shellcheck disable=SC2086   # PRODUCER_PROPS is a list of key=value words
  kafka org.apache.kafka.tools.ProducerPerformance --topic "$1" --num-records "$2" --record-size 100 \
    --throughput -1 --producer-props bootstrap.servers="$BOOT" acks=all ${PRODUCER_PROPS:-} | tail -1
}

# The same warm-up as replicated.sh (JIT, connections, the replica fetchers' first sessions).
create_topic kafka-replicated-warmup 8
echo "warm-up: $(produce kafka-replicated-warmup 300000)"
for p in "${PARTITIONS[@]}"; do
  topic="kafka-replicated-$p"
  create_topic "$topic" "$p"
  echo "partitions $p: $(produce "$topic" "$RECORDS")"
  kafka org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOT" --describe --topic "$topic" \
    | grep -cE "Isr: [0-9],[0-9],[0-9]" | xargs -I{} echo "  partitions with all 3 replicas in sync afterwards: {}"
done
