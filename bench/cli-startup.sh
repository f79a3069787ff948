#!/usr/bin/env bash
# CLI start-up (docs/BENCHMARKS.md, "CLI start-up"): the wall time of short commands against one
# running broker, each run RUNS times, printed one per run and as the median.
# Usage: bench/cli-startup.sh BOOTSTRAP [RUNS]   (a broker must be running at BOOTSTRAP)
#        CLI="java -cp ... dev.tributary.node.cli.TributaryCli" to time another launcher.
set -euo pipefail
cd "$(dirname "$0")/.."
BOOT="$1"
RUNS="${2:-7}"
CLI="${CLI:-./tributary}"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  cores: $(nproc)  java: $(java -version 2>&1 | head -1)"
echo "cli: $CLI"
$CLI topic create cli-startup --partitions 1 --bootstrap "$BOOT" >/dev/null 2>&1 || true

# Milliseconds one command took (its output discarded; stdin from $INPUT, empty by default).
millis() {
  local start end
  start=$(date +%s%N)
  $CLI "$@" < "${INPUT:-/dev/null}" > /dev/null 2>&1 || true
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}

# One line: the case's name, every run, the median.
measure() {
  local name="$1"; shift
  local times=()
  for _ in $(seq 1 "$RUNS"); do times+=("$(millis "$@")"); done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}')
  echo "$name: ${times[*]} ms; median $median ms"
}

CLOSED=1
INPUT=$(mktemp); echo "one record" > "$INPUT"; trap 'rm -f "$INPUT"' EXIT
INPUT=/dev/null measure "--version" --version
INPUT=/dev/null measure "topic list" topic list --bootstrap "$BOOT"
INPUT=/dev/null measure "topic describe" topic describe cli-startup --bootstrap "$BOOT"
measure "produce (one record)" produce cli-startup --bootstrap "$BOOT"
INPUT=/dev/null measure "topic list, refused bootstrap" topic list --bootstrap 127.0.0.1:$CLOSED
