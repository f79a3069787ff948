#!/usr/bin/env bash
# The journal benchmark (issue 2): disk baseline with dd, then the engine, plugin, raw read and
# recovery cases. Usage: bench/journal.sh [DIR] [all|engine|plugin|read|recovery]
# DIR (default ./bench-data) must be on the disk to measure; it is emptied afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="$(realpath -m "${1:-bench-data}")"
CASE="${2:-all}"
mkdir -p "$DIR"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  cores: $(nproc)"
echo "disk: $(df -h "$DIR" | tail -1)"
# Three runs of each: on a shared VM a single dd figure swings by a factor of ten.
for run in 1 2 3; do
  echo -n "dd page cache (bs=1M count=2048), run $run: "
  dd if=/dev/zero of="$DIR/dd.bin" bs=1M count=2048 2>&1 | tail -1
  rm -f "$DIR/dd.bin"
  echo -n "dd conv=fdatasync (bs=1M count=2048), run $run: "
  dd if=/dev/zero of="$DIR/dd.bin" bs=1M count=2048 conv=fdatasync 2>&1 | tail -1
  rm -f "$DIR/dd.bin"
done
mvn -B -q -pl persistence-journal test-compile exec:exec -Dbench.dir="$DIR" -Dbench.case="$CASE"
