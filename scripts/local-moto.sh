#!/usr/bin/env bash
# Local moto server (AWS S3 + EMR emulator) for the EMR target's contract/e2e tests, bound to 127.0.0.1.
#
#   scripts/local-moto.sh start    install moto into a cached venv if needed, start the server, wait until it answers
#   scripts/local-moto.sh stop     stop the server this script started
#   scripts/local-moto.sh status   exit 0 only when the server answers; prints its endpoint
#
# Every subcommand is idempotent and needs no stdin (works with CI=true). Progress goes to stderr;
# `start`/`status` print `AWS_ENDPOINT_URL=http://127.0.0.1:<port>` on stdout.
#
# Environment (defaults in brackets):
#   MOTO_VERSION [5.2.5]   LOCAL_MOTO_PORT [5055]   PYTHON [python3]
#   MOTO_VENV [${XDG_CACHE_HOME:-~/.cache}/spark-deploy-action/moto-<version>]
#   MOTO_STATE_DIR [${TMPDIR:-/tmp}/spark-deploy-action/local-moto]: moto.pid, moto.log
#   LOCAL_MOTO_START_TIMEOUT [60 s]
#   MOTO_S3_ALLOW_CROSSACCOUNT_ACCESS [false]: as AWS, another account's bucket is AccessDenied
set -euo pipefail

readonly MOTO_VERSION="${MOTO_VERSION:-5.2.5}"
readonly HOST=127.0.0.1
readonly PORT="${LOCAL_MOTO_PORT:-5055}"
readonly PYTHON="${PYTHON:-python3}"
readonly VENV="${MOTO_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/spark-deploy-action/moto-$MOTO_VERSION}"
readonly STATE_DIR="${MOTO_STATE_DIR:-${TMPDIR:-/tmp}/spark-deploy-action/local-moto}"
readonly PID_FILE="$STATE_DIR/moto.pid"
readonly LOG_FILE="$STATE_DIR/moto.log"
readonly START_TIMEOUT="${LOCAL_MOTO_START_TIMEOUT:-60}"
readonly CROSS_ACCOUNT="${MOTO_S3_ALLOW_CROSSACCOUNT_ACCESS:-false}"
readonly URL="http://$HOST:$PORT"
readonly MARKER="$VENV/.local-moto-complete"

log() { printf 'local-moto: %s\n' "$*" >&2; }
die() { printf 'local-moto: error: %s\n' "$*" >&2; exit 1; }

# answers: the server answers HTTP at all (an S3 ListBuckets at /; an error status is an answer too).
# Not /moto-api/data.json: it serialises all of moto's state, and fails when that state cannot be dumped.
answers() {
  "$VENV/bin/python" - "$URL" <<'PY' 2>/dev/null
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(sys.argv[1] + "/", timeout=2).read(1)
except urllib.error.HTTPError:
    pass
except Exception:
    sys.exit(1)
PY
}

running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && printf '%s' "$pid"
}

install() {
  if [[ -f "$MARKER" ]]; then return 0; fi
  command -v "$PYTHON" >/dev/null 2>&1 || die "'$PYTHON' not found: install Python 3.9+ or set PYTHON"
  log "installing moto[server]==$MOTO_VERSION into $VENV"
  local started=$SECONDS
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  "$PYTHON" -m venv "$VENV" || die "python -m venv failed (Debian/Ubuntu: apt-get install python3-venv)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    "moto[server]==$MOTO_VERSION" </dev/null || die "pip install moto[server]==$MOTO_VERSION failed"
  touch "$MARKER"
  log "installed in $((SECONDS - started)) s"
}

start() {
  install
  mkdir -p "$STATE_DIR"
  if running_pid >/dev/null && answers; then
    log "already running (pid $(cat "$PID_FILE")) at $URL"
    printf 'AWS_ENDPOINT_URL=%s\n' "$URL"
    return 0
  fi
  if answers; then
    die "something else answers at $URL; stop it or set LOCAL_MOTO_PORT"
  fi
  local started=$SECONDS
  # setsid: the server outlives this script and the test runner's process group.
  # Cross-account S3 access denied, as on AWS without a bucket policy: a bucket created for another
  # account (header x-moto-account-id) is one the default credentials cannot write (AccessDenied, 403).
  MOTO_S3_ALLOW_CROSSACCOUNT_ACCESS="$CROSS_ACCOUNT" setsid "$VENV/bin/moto_server" -H "$HOST" -p "$PORT" </dev/null >"$LOG_FILE" 2>&1 &
  printf '%s\n' "$!" >"$PID_FILE"
  while ! answers; do
    if ! running_pid >/dev/null; then
      tail -n 40 "$LOG_FILE" >&2 || true
      die "moto_server exited during start-up (log: $LOG_FILE)"
    fi
    if (( SECONDS - started >= START_TIMEOUT )); then
      tail -n 40 "$LOG_FILE" >&2 || true
      stop
      die "moto_server did not answer at $URL within ${START_TIMEOUT} s"
    fi
    sleep 0.3
  done
  log "started (pid $(cat "$PID_FILE")) at $URL in $((SECONDS - started)) s; log: $LOG_FILE"
  printf 'AWS_ENDPOINT_URL=%s\n' "$URL"
}

stop() {
  local pid
  if pid="$(running_pid)"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
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
  if [[ -x "$VENV/bin/python" ]] && answers; then
    log "running at $URL"
    printf 'AWS_ENDPOINT_URL=%s\n' "$URL"
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
