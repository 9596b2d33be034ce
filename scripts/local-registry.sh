#!/usr/bin/env bash
# Local container registries for the image tests: Debian's `docker-registry` (the Distribution v2 server)
# on 127.0.0.1, storage in a temp state dir, plus a second instance with htpasswd basic auth.
#
#   scripts/local-registry.sh start    install missing packages (apt), start both instances, wait for /v2/
#   scripts/local-registry.sh stop     stop both instances (storage is kept until the state dir is removed)
#   scripts/local-registry.sh status   print what is up; exit 0 only when both answer
#
# Every subcommand is idempotent and non-interactive (works with CI=true and no stdin). `start` and
# `status` print KEY=value lines on stdout (REGISTRY=127.0.0.1:5000, AUTH_REGISTRY=..., credentials of the
# auth instance, which are test-only values); progress goes to stderr.
#
# Environment (defaults in brackets):
#   LOCAL_REGISTRY_PORT [5000]   LOCAL_REGISTRY_AUTH_PORT [5001]
#   LOCAL_REGISTRY_USER [tester] LOCAL_REGISTRY_PASSWORD [tester-password]
#   SPARK_DEPLOY_STATE_DIR [${TMPDIR:-/tmp}/spark-deploy-action]: local-registry/ under it holds
#     config files, pids, logs and storage
#   LOCAL_REGISTRY_START_TIMEOUT [30 s]
set -euo pipefail

readonly HOST=127.0.0.1
readonly PORT="${LOCAL_REGISTRY_PORT:-5000}"
readonly AUTH_PORT="${LOCAL_REGISTRY_AUTH_PORT:-5001}"
readonly USER_NAME="${LOCAL_REGISTRY_USER:-tester}"
readonly USER_PASSWORD="${LOCAL_REGISTRY_PASSWORD:-tester-password}"
readonly STATE_DIR="${SPARK_DEPLOY_STATE_DIR:-${TMPDIR:-/tmp}/spark-deploy-action}/local-registry"
readonly START_TIMEOUT="${LOCAL_REGISTRY_START_TIMEOUT:-30}"

log() { printf 'local-registry: %s\n' "$*" >&2; }
die() { printf 'local-registry: error: %s\n' "$*" >&2; exit 1; }

registry_bin() {
  if command -v docker-registry >/dev/null 2>&1; then command -v docker-registry; return; fi
  # Debian installs the server outside PATH on some releases.
  for p in /usr/bin/docker-registry /usr/sbin/docker-registry; do [[ -x "$p" ]] && { echo "$p"; return; }; done
  return 1
}

install_packages() {
  local missing=()
  registry_bin >/dev/null || missing+=(docker-registry)
  command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
  command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  ((${#missing[@]} == 0)) && return 0
  log "installing ${missing[*]} (apt)"
  local sudo=()
  [[ "$(id -u)" == 0 ]] || sudo=(sudo -n)
  "${sudo[@]}" apt-get update -qq >/dev/null
  # The package's postinst starts a system service on :5000 on some setups; policy-rc.d is not ours to
  # touch, so stop it afterwards if it came up (ours runs under its own config and state dir).
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" </dev/null >/dev/null
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then
    "${sudo[@]}" systemctl stop docker-registry || true
  fi
  registry_bin >/dev/null || die "docker-registry is not installed after apt-get install"
}

# write_config NAME PORT [HTPASSWD]: the registry's own config file (never /etc/docker/registry).
write_config() {
  local name=$1 port=$2 htpasswd=${3:-}
  mkdir -p "$STATE_DIR/$name/storage"
  {
    printf 'version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\n'
    printf 'storage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n' "$STATE_DIR/$name/storage"
    printf 'http:\n  addr: %s:%s\n  secret: local-test-only\n' "$HOST" "$port"
    if [[ -n "$htpasswd" ]]; then
      printf 'auth:\n  htpasswd:\n    realm: local-registry\n    path: %s\n' "$htpasswd"
    fi
  } >"$STATE_DIR/$name/config.yml"
}

answers() { curl -s -o /dev/null -m 2 "http://$HOST:$1/v2/"; }

running() {
  local pidfile="$STATE_DIR/$1/pid"
  [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

start_one() {
  local name=$1 port=$2
  if running "$name" && answers "$port"; then log "$name already up on $HOST:$port"; return 0; fi
  if answers "$port"; then die "$HOST:$port is taken by another process (set LOCAL_REGISTRY_PORT / _AUTH_PORT)"; fi
  local bin
  bin=$(registry_bin)
  log "starting $name on $HOST:$port"
  # setsid: the registry outlives this script and is not tied to the caller's terminal or job control.
  setsid "$bin" serve "$STATE_DIR/$name/config.yml" >"$STATE_DIR/$name/log" 2>&1 </dev/null &
  echo $! >"$STATE_DIR/$name/pid"
  local deadline=$((SECONDS + START_TIMEOUT))
  until answers "$port"; do
    if ! running "$name"; then tail -n 20 "$STATE_DIR/$name/log" >&2 || true; die "$name exited during start"; fi
    ((SECONDS < deadline)) || { tail -n 20 "$STATE_DIR/$name/log" >&2 || true; die "$name did not answer on :$port within ${START_TIMEOUT}s"; }
    sleep 0.2
  done
}

stop_one() {
  local name=$1 pidfile="$STATE_DIR/$1/pid"
  if running "$name"; then
    local pid
    pid=$(cat "$pidfile")
    log "stopping $name (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

print_env() {
  printf 'REGISTRY=%s:%s\nAUTH_REGISTRY=%s:%s\nAUTH_USER=%s\nAUTH_PASSWORD=%s\nSTATE_DIR=%s\n' \
    "$HOST" "$PORT" "$HOST" "$AUTH_PORT" "$USER_NAME" "$USER_PASSWORD" "$STATE_DIR"
}

cmd_start() {
  install_packages
  mkdir -p "$STATE_DIR/auth"
  write_config plain "$PORT"
  # bcrypt (-B) is the only hash the registry's htpasswd backend accepts.
  htpasswd -Bbn "$USER_NAME" "$USER_PASSWORD" >"$STATE_DIR/auth/htpasswd"
  write_config auth "$AUTH_PORT" "$STATE_DIR/auth/htpasswd"
  start_one plain "$PORT"
  start_one auth "$AUTH_PORT"
  print_env
}

cmd_status() {
  local ok=0
  if answers "$PORT"; then log "plain: up on $HOST:$PORT"; else log "plain: down"; ok=1; fi
  if answers "$AUTH_PORT"; then log "auth: up on $HOST:$AUTH_PORT"; else log "auth: down"; ok=1; fi
  print_env
  return "$ok"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) stop_one plain; stop_one auth ;;
  status) cmd_status ;;
  *) die "usage: $0 start|stop|status" ;;
esac
