#!/usr/bin/env bash
# Restarts the brokers of a running Tributary cluster one at a time, the documented rolling
# restart: for each broker, stop it (SIGTERM: its controlled shutdown moves its leaderships to other
# in-sync replicas before it leaves), start it again, wait until its /ready answers 200 (registered,
# and every replica it holds back in its ISR), then until no partition anywhere is under-replicated
# or offline, and only then go on to the next. Before the first broker it checks the same of the
# cluster as it is, so a restart never starts on an unhealthy cluster.
#
# Usage: bin/rolling-restart.sh --start CMD (--pid-file PATH | --stop CMD) [options] BROKER...
#   BROKER          ID=MANAGEMENT_URL,ADMIN_URL for each broker, in restart order, e.g.
#                   0=http://127.0.0.1:7626,http://127.0.0.1:8080 (the management server serves
#                   /ready and /alive, tributary.management.port; the admin API /metrics).
#   --start CMD     a shell command that starts the broker again and returns (the broker in the
#                   background, its output redirected); {id} is replaced by the broker's id.
#   --pid-file PATH the broker's pid file ({id} replaced): SIGTERM to that pid, then wait for it
#                   to exit. Or:
#   --stop CMD      a shell command that stops the broker cleanly ({id} replaced), e.g.
#                   'systemctl stop tributary@{id}'.
#   --timeout S     the longest each step may take, in seconds (default 300): a stop, a start
#                   until /ready, the ISRs filling up again.
#   --token T       bearer token of the admin API (default: $TRIBUTARY_ADMIN_TOKEN).
# Needs bash and curl. Prints one line per step, each starting with its UTC time (ISO 8601, ms);
# exits 0 when every broker was restarted and every partition has its full ISR, 1 when a step ran
# out of time (the cluster is left as it is: look, fix, run again), 2 on a usage error.
#
# On Kubernetes, `kubectl rollout restart statefulset/tributary` does the same one pod at a time,
# holding each until its readiness probe (/ready) passes; see the README's "Rolling restart".
set -uo pipefail

START_CMD=""
STOP_CMD=""
PID_FILE=""
STEP_TIMEOUT=300
TOKEN="${TRIBUTARY_ADMIN_TOKEN:-}"
IDS=()
declare -A MANAGEMENT ADMIN

usage() {
  echo "error: $1" >&2
  echo "usage: $0 --start CMD (--pid-file PATH | --stop CMD) [--timeout S] [--token T] ID=MANAGEMENT_URL,ADMIN_URL ..." >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --start) [ $# -ge 2 ] || usage "--start needs a command"; START_CMD="$2"; shift 2 ;;
    --stop) [ $# -ge 2 ] || usage "--stop needs a command"; STOP_CMD="$2"; shift 2 ;;
    --pid-file) [ $# -ge 2 ] || usage "--pid-file needs a path"; PID_FILE="$2"; shift 2 ;;
    --timeout) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || usage "--timeout needs a number of seconds"; STEP_TIMEOUT="$2"; shift 2 ;;
    --token) [ $# -ge 2 ] || usage "--token needs a value"; TOKEN="$2"; shift 2 ;;
    -h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) usage "unknown option $1" ;;
    *)
      [[ "$1" =~ ^([0-9]+)=(https?://[^,]+),(https?://[^,]+)$ ]] || usage "not ID=MANAGEMENT_URL,ADMIN_URL: $1"
      id="${BASH_REMATCH[1]}"
      [ -z "${MANAGEMENT[$id]:-}" ] || usage "broker $id given twice"
      IDS+=("$id"); MANAGEMENT[$id]="${BASH_REMATCH[2]%/}"; ADMIN[$id]="${BASH_REMATCH[3]%/}"
      shift ;;
  esac
done
[ ${#IDS[@]} -gt 0 ] || usage "name the brokers to restart"
[ -n "$START_CMD" ] || usage "--start is required"
if [ -n "$PID_FILE" ] && [ -n "$STOP_CMD" ]; then usage "give one of --pid-file and --stop, not both"; fi
if [ -z "$PID_FILE" ] && [ -z "$STOP_CMD" ]; then usage "give --pid-file or --stop"; fi
command -v curl >/dev/null || { echo "error: curl is needed" >&2; exit 2; }

say() { echo "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) $*"; }
fail() { say "FAILED: $*" >&2; exit 1; }
for_id() { echo "${1//\{id\}/$2}"; }
now() { date +%s; }

# curl with the admin token when there is one; quiet, failing on HTTP errors, short time-outs.
fetch() {
  local auth=()
  [ -n "$TOKEN" ] && auth=(-H "Authorization: Bearer $TOKEN")
  curl -sf --connect-timeout 2 --max-time 5 "${auth[@]}" "$@"
}

ready() { curl -sf --connect-timeout 2 --max-time 5 -o /dev/null "${MANAGEMENT[$1]}/ready"; }
# Whether the broker's management server is gone (no answer at all, not even an error).
closed() { ! curl -s --connect-timeout 2 --max-time 5 -o /dev/null "${MANAGEMENT[$1]}/alive"; }
exited() { ! kill -0 "$1" 2>/dev/null; }

# Every broker's /metrics: the partitions it leads with fewer in-sync replicas than replicas
# (Kafka's UnderReplicatedPartitions; __groups' too), and the partitions without a leader. Zero
# everywhere is a full ISR on every partition. Prints what is missing and fails otherwise.
isrs_full() {
  local id metrics under offline missing=""
  for id in "${IDS[@]}"; do
    if ! metrics="$(fetch "${ADMIN[$id]}/metrics")"; then
      missing+=" broker $id's /metrics does not answer;"
      continue
    fi
    under="$(awk '$1 == "tributary_under_replicated_partitions" { printf "%d", $2 }' <<<"$metrics")"
    offline="$(awk '$1 == "tributary_offline_partitions" { printf "%d", $2 }' <<<"$metrics")"
    [ "${under:-1}" = 0 ] || missing+=" broker $id leads ${under:-?} under-replicated partition(s);"
    [ "${offline:-1}" = 0 ] || missing+=" ${offline:-?} partition(s) offline (as broker $id sees it);"
  done
  [ -z "$missing" ] && return 0
  LAST_MISSING="$missing"
  return 1
}

# Waits until "$@" succeeds, polling every $POLL seconds (1; 0.2 for cheap checks), at most
# STEP_TIMEOUT; fails naming $1, what it waited for.
wait_for() {
  local what="$1"; shift
  local deadline=$(($(now) + STEP_TIMEOUT))
  LAST_MISSING=""
  until "$@"; do
    [ "$(now)" -lt "$deadline" ] || fail "$what not within ${STEP_TIMEOUT}s${LAST_MISSING:+:$LAST_MISSING}"
    sleep "${POLL:-1}"
  done
}

stop_broker() {
  local id="$1" pid file
  if [ -n "$PID_FILE" ]; then
    file="$(for_id "$PID_FILE" "$id")"
    pid="$(cat "$file" 2>/dev/null)" || fail "broker $id: no pid file $file"
    [[ "$pid" =~ ^[0-9]+$ ]] || fail "broker $id: $file holds no pid"
    kill -0 "$pid" 2>/dev/null || fail "broker $id: pid $pid (from $file) does not run"
    say "broker $id: stopping (SIGTERM to pid $pid)"
    kill -TERM "$pid"
    POLL=0.2 wait_for "broker $id (pid $pid) exiting after SIGTERM" exited "$pid"
  else
    say "broker $id: stopping ($(for_id "$STOP_CMD" "$id"))"
    bash -c "$(for_id "$STOP_CMD" "$id")" </dev/null || fail "broker $id: the stop command failed"
  fi
  # However it was stopped: its management server is gone too before it starts again.
  POLL=0.2 wait_for "broker $id's management server closing" closed "$id"
}

say "rolling restart of brokers ${IDS[*]}: checking the cluster first"
for id in "${IDS[@]}"; do
  wait_for "broker $id ready before the restart" ready "$id"
done
wait_for "a full ISR on every partition before the restart" isrs_full

for id in "${IDS[@]}"; do
  step_start=$(date +%s%3N)
  stop_broker "$id"
  say "broker $id: stopped after $(( $(date +%s%3N) - step_start )) ms; starting"
  bash -c "$(for_id "$START_CMD" "$id")" </dev/null || fail "broker $id: the start command failed"
  wait_for "broker $id ready (${MANAGEMENT[$id]}/ready)" ready "$id"
  say "broker $id: ready after $(( $(date +%s%3N) - step_start )) ms"
  wait_for "a full ISR on every partition after restarting broker $id" isrs_full
  say "broker $id: restarted, every partition has its full ISR, after $(( $(date +%s%3N) - step_start )) ms"
done
say "rolling restart done: brokers ${IDS[*]} restarted, every partition has its full ISR"
