# Sourced by the bench scripts that compare with one Kafka 4.4 broker: start_kafka_broker DIR PORT
# formats DIR as a KRaft log directory and starts one broker in combined mode on 127.0.0.1:PORT
# (its controller on PORT+100), with the heap and GC options Kafka's bin/kafka-server-start.sh gives
# a broker, its output in DIR/broker.log. It sets KAFKA_BROKER to the broker's pid and returns once
# the broker logged "Kafka Server started" (or exits the script). Needs LIB (the jars) and LOG4J.
start_kafka_broker() {
  local dir="$1" port="$2"
  mkdir -p "$dir"
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=0
controller.quorum.voters=0@127.0.0.1:$((port + 100))
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$((port + 100))
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
PROPS
  java -Xmx512m -cp "$LIB/*" "$LOG4J" kafka.tools.StorageTool format \
    --cluster-id "$(java -cp "$LIB/*" "$LOG4J" kafka.tools.StorageTool random-uuid)" --config "$dir/server.properties" >/dev/null
  java -Xms1g -Xmx1g -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true -cp "$LIB/*" "$LOG4J" -Dkafka.bench.level=INFO \
    kafka.Kafka "$dir/server.properties" > "$dir/broker.log" 2>&1 &
  KAFKA_BROKER=$!
  for _ in $(seq 1 240); do grep -q "Kafka Server started" "$dir/broker.log" && break; sleep 0.5; done
  grep -q "Kafka Server started" "$dir/broker.log" || { echo "kafka did not start:" >&2; tail -20 "$dir/broker.log" >&2; exit 1; }
}
