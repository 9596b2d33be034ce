#!/usr/bin/env bash
# Local EMR: the project's EMR double (test/helpers/fake-emr.ts) as a server on 127.0.0.1 whose steps run
# for real: each step's `command-runner.jar spark-submit ...` is localised from S3 on the local moto and run
# by the local Spark (docs/protocols.md 3.7). Try the EMR target end to end on one machine:
#
#   bash scripts/local-moto.sh start && bash scripts/local-emr.sh start
#   export AWS_ENDPOINT_URL_S3=<moto> AWS_ENDPOINT_URL_EMR=<printed> AWS_ACCESS_KEY_ID=testing ...
#
#   scripts/local-emr.sh start    bundle the server (esbuild), start it, wait until it answers
#   scripts/local-emr.sh stop     stop the server this script started (and the steps it runs)
#   scripts/local-emr.sh status   exit 0 only when the server answers; prints its endpoint
#
# `start`/`status` print `AWS_ENDPOINT_URL_EMR=http://127.0.0.1:<port>` on stdout; progress goes to stderr.
# The server creates the log bucket on moto and one WAITING cluster per name in LOCAL_EMR_CLUSTERS (the
# example's `clusterName: etl-production` by default); transient clusters come from RunJobFlow.
#
# Environment (defaults in brackets):
#   LOCAL_EMR_PORT [5056]   LOCAL_MOTO_PORT [5055] (S3)   LOCAL_EMR_CLUSTERS [etl-production]
#   LOCAL_EMR_LOG_URI [s3://local-emr-logs/]   LOCAL_EMR_MASTER [local[2]] (what `--master yarn` becomes)
#   LOCAL_EMR_DRIVER_MEMORY_MIB [1024] (cap on a step's --driver-memory)
#   LOCAL_EMR_STATE_DIR [${TMPDIR:-/tmp}/spark-deploy-action/local-emr]: server.mjs, emr.pid, emr.log, work/
#   LOCAL_EMR_START_TIMEOUT [60 s]   SPARK_HOME [scripts/local-spark.sh home]
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly ROOT="$SCRIPT_DIR/.."
readonly HOST=127.0.0.1
readonly PORT="${LOCAL_EMR_PORT:-5056}"
readonly MOTO_URL="http://$HOST:${LOCAL_MOTO_PORT:-5055}"
readonly STATE_DIR="${LOCAL_EMR_STATE_DIR:-${TMPDIR:-/tmp}/spark-deploy-action/local-emr}"
readonly PID_FILE="$STATE_DIR/emr.pid"
readonly LOG_FILE="$STATE_DIR/emr.log"
readonly SERVER="$STATE_DIR/server.mjs"
readonly START_TIMEOUT="${LOCAL_EMR_START_TIMEOUT:-60}"
readonly URL="http://$HOST:$PORT"

log() { printf 'local-emr: %s\n' "$*" >&2; }
die() { printf 'local-emr: error: %s\n' "$*" >&2; exit 1; }

# answers: an EMR-shaped answer to ListClusters (any HTTP status from a server speaking awsJson1_1).
answers() {
  curl -sS --max-time 2 -o /dev/null -X POST "$URL/" \
    -H 'Content-Type: application/x-amz-json-1.1' -H 'X-Amz-Target: ElasticMapReduce.ListClusters' -d '{}' 2>/dev/null
}

running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && printf '%s' "$pid"
}

start() {
  command -v node >/dev/null 2>&1 || die "node not found: install Node 20+"
  command -v curl >/dev/null 2>&1 || die "curl not found"
  mkdir -p "$STATE_DIR/work"
  if running_pid >/dev/null && answers; then
    log "already running (pid $(cat "$PID_FILE")) at $URL"
    printf 'AWS_ENDPOINT_URL_EMR=%s\n' "$URL"
    return 0
  fi
  if answers; then die "something else answers at $URL; stop it or set LOCAL_EMR_PORT"; fi
  curl -sS --max-time 2 -o /dev/null "$MOTO_URL/" 2>/dev/null ||
    die "no S3 at $MOTO_URL: start it with scripts/local-moto.sh start (or set LOCAL_MOTO_PORT)"
  local spark_home="${SPARK_HOME:-}"
  if [[ -z "$spark_home" ]]; then spark_home="$(bash "$SCRIPT_DIR/local-spark.sh" home)"; fi
  [[ -d "$spark_home/jars" ]] || die "SPARK_HOME=$spark_home has no jars/ (bash scripts/local-spark.sh home)"
  [[ -x "$ROOT/node_modules/.bin/esbuild" ]] || die "esbuild missing: run npm ci"
  "$ROOT/node_modules/.bin/esbuild" "$ROOT/scripts/local-emr.ts" --bundle --platform=node --format=esm \
    --log-level=warning --outfile="$SERVER" \
    "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" ||
    die "could not bundle scripts/local-emr.ts"
  local started=$SECONDS
  # setsid: the server (and the steps it runs) outlive this script and the caller's process group.
  LOCAL_EMR_PORT="$PORT" LOCAL_EMR_S3_ENDPOINT="$MOTO_URL" SPARK_HOME="$spark_home" \
    LOCAL_EMR_WORK_DIR="$STATE_DIR/work" LOCAL_EMR_LOG_URI="${LOCAL_EMR_LOG_URI:-s3://local-emr-logs/}" \
    LOCAL_EMR_CLUSTERS="${LOCAL_EMR_CLUSTERS-etl-production}" \
    AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-testing}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-testing}" \
    AWS_REGION="${AWS_REGION:-us-east-1}" \
    setsid node "$SERVER" </dev/null >"$LOG_FILE" 2>&1 &
  printf '%s\n' "$!" >"$PID_FILE"
  while ! answers; do
    if ! running_pid >/dev/null; then
      tail -n 40 "$LOG_FILE" >&2 || true
      die "the server exited during start-up (log: $LOG_FILE)"
    fi
    if (( SECONDS - started >= START_TIMEOUT )); then
      tail -n 40 "$LOG_FILE" >&2 || true
      stop
      die "the server did not answer at $URL within ${START_TIMEOUT} s"
    fi
    sleep 0.3
  done
  log "started (pid $(cat "$PID_FILE")) at $URL, S3 at $MOTO_URL, Spark home $spark_home; log: $LOG_FILE"
  grep '^local-emr: cluster' "$LOG_FILE" >&2 || true
  printf 'AWS_ENDPOINT_URL_EMR=%s\n' "$URL"
}

stop() {
  local pid
  if pid="$(running_pid)"; then
    # SIGTERM: the server kills the steps it runs, then exits.
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    log "stopped (pid $pid)"
  else
    log "not running"
  fi
  rm -f "$PID_FILE"
}

status() {
  if answers; then
    log "running at $URL"
    printf 'AWS_ENDPOINT_URL_EMR=%s\n' "$URL"
    return 0
  fi
  log "not running at $URL"
  return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: $0 start|stop|status" ;;
esac
