# Sourced by the multi-broker benchmarks: three brokers on this machine, all controller voters.
# Set before sourcing: DIR (data and logs), BASE (Artery ports BASE..BASE+2; admin ports
# BASE-17000.., quorum ports BASE+1000..), PROFILE (failover profile). Gives BOOT (all three
# addresses), PIDS, and the functions below; stops the brokers and removes DIR on exit.
VOTERS=0@127.0.0.1:$((BASE + 1000)),1@127.0.0.1:$((BASE + 1001)),2@127.0.0.1:$((BASE + 1002))
BOOT=127.0.0.1:$BASE,127.0.0.1:$((BASE + 1)),127.0.0.1:$((BASE + 2))
PIDS=()
./tributary --version >/dev/null   # build first, outside the measurements
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  cores: $(nproc)  java: $(java -version 2>&1 | head -1)  profile: ${PROFILE:-default}"

# Kills every broker started (SIGKILL: a benchmark's brokers hold nothing worth a clean stop).
stop_all() {
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  PIDS=()
}
trap 'stop_all; rm -rf "$DIR"' EXIT

# Starts the three brokers on fresh data directories (--fsync never, as the Kafka brokers compared
# with) and returns once all three are up and registered with the controller.
start_three() {
  rm -rf "$DIR"; mkdir -p "$DIR"
  for id in 0 1 2; do
    ./tributary start --node-id $id --port $((BASE + id)) --admin-port $((BASE - 17000 + id)) \
      --management-port $((BASE - 18000 + id)) --kafka-port $((BASE - 16000 + id)) \
      --data-dir "$DIR/data-$id" --seed 127.0.0.1:$BASE --controller-voters $VOTERS \
      --failover "${PROFILE:-default}" --fsync never > "$DIR/broker-$id.log" 2>&1 &
    PIDS[$id]=$!
  done
  for id in 0 1 2; do
    for _ in $(seq 1 240); do grep -q "is up on" "$DIR/broker-$id.log" && break; sleep 0.5; done
  done
  for _ in $(seq 1 120); do
    [ "$(./tributary cluster describe --bootstrap $BOOT 2>/dev/null | grep -c Registered)" = 3 ] && break; sleep 0.5
  done
}

# The active controller's broker id.
active_controller() {
  ./tributary cluster describe --bootstrap $BOOT 2>/dev/null | sed -n 's/.*Controller: \([0-9]*\).*/\1/p' | head -1
}
