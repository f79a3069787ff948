# Sourced by the Kafka twins of the multi-broker benchmarks: three Kafka 4.4 brokers on this machine
# in KRaft combined mode (each broker is also a controller voter), as bench/three-brokers.sh does for
# Tributary. Set before sourcing: DIR (data and logs), BASE (client ports BASE..BASE+2, controller
# ports BASE+100..BASE+102, all on 127.0.0.1). Gives BOOT (all three addresses), PIDS, kafka (runs a
# Kafka class with the tools' logging) and the functions below; stops the brokers and removes DIR on exit.
# There is no Kafka tarball here: the jars come from Maven Central through bench/kafka/pom.xml.
LIB="$PWD/bench-data/kafka-lib"
VOTERS=0@127.0.0.1:$((BASE + 100)),1@127.0.0.1:$((BASE + 101)),2@127.0.0.1:$((BASE + 102))
BOOT=127.0.0.1:$BASE,127.0.0.1:$((BASE + 1)),127.0.0.1:$((BASE + 2))
PIDS=()
# Fetch the jars first, outside the measurements (once: bench-data/ survives between runs).
# The output directory must be absolute: a relative one is taken relative to the pom's folder.
[ -f "$LIB/kafka_2.13-4.4.0.jar" ] || mvn -q -f bench/kafka/pom.xml dependency:copy-dependencies -DoutputDirectory="$LIB"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  cores: $(nproc)  java: $(java -version 2>&1 | head -1)  broker: kafka 4.4.0"

# Runs a Kafka main class (a tool) with warnings only on the console.
kafka() {
  java -Xmx512m -cp "$LIB/*" -Dlog4j2.configurationFile="$PWD/bench/kafka/log4j2.properties" "$@"
}

# Kills every broker started (SIGKILL, as three-brokers.sh: a benchmark's brokers hold nothing worth a clean stop).
stop_all() {
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  PIDS=()
}
trap 'stop_all; rm -rf "$DIR"' EXIT

# Formats three fresh log directories with one cluster id and starts the brokers, with Kafka's
# defaults except where one machine needs otherwise (addresses and ports). No flush settings: Kafka
# leaves flushing to the OS by default, which Tributary's --fsync never matches. Returns once all
# three have logged "Kafka Server started" (in KRaft that comes after the broker is unfenced).
start_three() {
  rm -rf "$DIR"; mkdir -p "$DIR"
  local cluster_id; cluster_id=$(kafka kafka.tools.StorageTool random-uuid)
  for id in 0 1 2; do
    cat > "$DIR/server-$id.properties" <<PROPS
process.roles=broker,controller
node.id=$id
controller.quorum.voters=$VOTERS
listeners=PLAINTEXT://127.0.0.1:$((BASE + id)),CONTROLLER://127.0.0.1:$((BASE + 100 + id))
advertised.listeners=PLAINTEXT://127.0.0.1:$((BASE + id))
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$DIR/data-$id
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
PROPS
    kafka kafka.tools.StorageTool format --cluster-id "$cluster_id" --config "$DIR/server-$id.properties" > /dev/null
  done
  for id in 0 1 2; do
    # The heap and GC options Kafka's own bin/kafka-server-start.sh and kafka-run-class.sh give a broker.
    java -Xms1g -Xmx1g -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
      -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true -cp "$LIB/*" -Dlog4j2.configurationFile="$PWD/bench/kafka/log4j2.properties" -Dkafka.bench.level=INFO \
      kafka.Kafka "$DIR/server-$id.properties" > "$DIR/broker-$id.log" 2>&1 &
    PIDS[$id]=$!
  done
  for id in 0 1 2; do
    for _ in $(seq 1 240); do grep -q "Kafka Server started" "$DIR/broker-$id.log" && break; sleep 0.5; done
    grep -q "Kafka Server started" "$DIR/broker-$id.log" || { echo "kafka broker $id did not start: $DIR/broker-$id.log" >&2; tail -20 "$DIR/broker-$id.log" >&2; return 1; }
  done
}
