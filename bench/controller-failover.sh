#!/usr/bin/env bash
# Controller failover (issue 10): three brokers, all controller voters, on this machine. A loop of
# `topic create` runs through a broker that is not the controller; after WARMUP seconds the active
# controller's broker is killed with SIGKILL. Reported: the time from the kill until the next create
# succeeded, and the longest gap between creates (perf create-loop). Repeated RUNS times, each on
# fresh data directories.
# Usage: bench/controller-failover.sh [fast|default] [RUNS] [DIR]   (defaults: fast, 3, ./bench-data)
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE="${1:-fast}"
RUNS="${2:-3}"
DIR="$(realpath -m "${3:-bench-data}")/controller-failover"
WARMUP=10
BASE=25690
. bench/three-brokers.sh
for run in $(seq 1 "$RUNS"); do
  start_three
  controller=""
  for _ in $(seq 1 120); do
    controller=$(active_controller)
    [ -n "$controller" ] && [ "$controller" != "-1" ] && break; sleep 0.5
  done
  via=$(( (controller + 1) % 3 ))
  ./tributary perf create-loop --bootstrap 127.0.0.1:$((25690 + via)) --duration-s $((WARMUP + 30)) \
    --prefix "run$run" --report-gaps-ms 300 > "$DIR/loop.out" 2>&1 &
  loop=$!
  sleep "$WARMUP"
  killed_at=$(date +%s%3N)
  kill -9 "${PIDS[$controller]}"
  wait "$loop" || true
  next=$(awk -v k="$killed_at" '/^gap/ { if ($7 >= k) { print $7; exit } }' "$DIR/loop.out")
  # When a survivor logged that it became the active controller (its log's times are UTC HH:mm:ss.SSS).
  elected=""
  for id in 0 1 2; do
    [ "$id" = "$controller" ] && continue
    line=$(grep "is the active controller" "$DIR/broker-$id.log" | tail -1 | cut -d' ' -f1 || true)
    if [ -n "$line" ]; then
      at=$(( $(date -u -d "$(date -u -d @$((killed_at / 1000)) +%F) $line" +%s%3N) ))
      [ "$at" -ge "$killed_at" ] && elected="$((at - killed_at))"
    fi
  done
  longest=$(sed -n 's/.*longest gap between creates \([0-9]*\) ms/\1/p' "$DIR/loop.out")
  if [ -n "$next" ]; then
    echo "run $run: killed controller broker $controller; new controller elected ${elected:-?} ms and next create succeeded $((next - killed_at)) ms after the kill; longest gap $longest ms ($(tail -1 "$DIR/loop.out"))"
  else
    echo "run $run: killed controller broker $controller; no create gap after the kill was seen:"; cat "$DIR/loop.out"
  fi
  stop_all
done
