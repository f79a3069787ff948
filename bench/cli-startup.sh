#!/usr/bin/env bash
# CLI start-up (docs/BENCHMARKS.md, "CLI start-up"): the wall time of short commands against one
# running broker, each run RUNS times, printed one per run and as the median.
# Usage: bench/cli-startup.sh BOOTSTRAP [RUNS]   (a broker must be running at BOOTSTRAP)
#        CLI="java -cp ... dev.tributary.node.cli.TributaryCli" to time another launcher;
#        BEFORE="..." as well to time that one too, run for run in turn with CLI (on a busy
#        machine both then see the same load).
set -euo pipefail
cd "$(dirname "$0")/.."
BOOT="$1"
RUNS="${2:-7}"
CLI="${CLI:-./tributary}"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  cores: $(nproc)  java: $(java -version 2>&1 | head -1)"
echo "cli: $CLI"
[ -z "${BEFORE:-}" ] || echo "before: $BEFORE"
$CLI topic create cli-startup --partitions 1 --bootstrap "$BOOT" >/dev/null 2>&1 || true

# Milliseconds one command took with launcher $1 (its output discarded; stdin from $INPUT).
millis() {
  local cli="$1" start end; shift
  start=$(date +%s%N)
  $cli "$@" < "${INPUT:-/dev/null}" > /dev/null 2>&1 || true
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

# One line per launcher: the case's name, every run, the median.
measure() {
  local name="$1"; shift
  local times=() before=()
  for _ in $(seq 1 "$RUNS"); do
    [ -z "${BEFORE:-}" ] || before+=("$(millis "$BEFORE" "$@")")
    times+=("$(millis "$CLI" "$@")")
  done
  [ -z "${BEFORE:-}" ] || echo "$name (before): ${before[*]} ms; median $(median "${before[@]}") ms"
  echo "$name: ${times[*]} ms; median $(median "${times[@]}") ms"
}

CLOSED=1
INPUT=$(mktemp); echo "one record" > "$INPUT"; trap 'rm -f "$INPUT"' EXIT
INPUT=/dev/null measure "--version" --version
INPUT=/dev/null measure "topic list" topic list --bootstrap "$BOOT"
INPUT=/dev/null measure "topic describe" topic describe cli-startup --bootstrap "$BOOT"
measure "produce (one record)" produce cli-startup --bootstrap "$BOOT"
# Ten records to read back (the produce runs above left at least RUNS; these make it ten or more).
seq 1 10 | $CLI produce cli-startup --bootstrap "$BOOT" >/dev/null 2>&1
INPUT=/dev/null measure "consume (10 records)" consume cli-startup -o start -n 10 --bootstrap "$BOOT"
INPUT=/dev/null measure "topic list, refused bootstrap" topic list --bootstrap 127.0.0.1:$CLOSED
