#!/usr/bin/env bash
# Local Kubernetes control plane with the real Spark Operator, for the Kubernetes target's end-to-end tests:
# etcd, kube-apiserver, kube-scheduler, kube-controller-manager, kwok (a fake node whose pods live the lives
# its stages script: scripts/local-k8s/stages.yaml) and the Spark Operator controller (out of cluster, running
# the real spark-submit), all bound to 127.0.0.1. Every binary is built from its pinned Go module
# (scripts/local-k8s/build.sh, cached by version); certificates are made with openssl.
#
#   scripts/local-k8s.sh build    only build (or find cached) binaries and the operator's Spark home
#   scripts/local-k8s.sh spark-submit-home   only prepare the operator's Spark home (print its path)
#   scripts/local-k8s.sh start    build if needed, start everything, wait until the operator is ready
#   scripts/local-k8s.sh stop     stop what start started (operator first, etcd last)
#   scripts/local-k8s.sh status   exit 0 only when every part runs and the API server is ready
#   scripts/local-k8s.sh env      print KUBECONFIG=<admin kubeconfig>, LOCAL_K8S_OPERATOR_NAMESPACE=<ns>,
#                                 LOCAL_K8S_API=<url>, LOCAL_K8S_KUBECTL=<kubectl>, LOCAL_K8S_PKI=<dir>
#                                 (its CA, and the serving certificate a test proxy may reuse)
#
# Every subcommand is idempotent and needs no stdin (works with CI=true). Progress goes to stderr;
# `start`/`status`/`env` print KEY=value lines on stdout.
#
# Environment (defaults in brackets):
#   LOCAL_K8S_STATE_DIR [${TMPDIR:-/tmp}/spark-deploy-action/local-k8s]: pki/, etcd/, logs/, *.pid, kubeconfigs
#   LOCAL_K8S_ETCD_PORT [12379] (peer: +1)   LOCAL_K8S_API_PORT [16443]
#   LOCAL_K8S_SCHEDULER_PORT [10259]   LOCAL_K8S_CONTROLLER_MANAGER_PORT [10257]
#   LOCAL_K8S_KWOK_PORT [10247] (kwok's kubelet stand-in: pod logs)   LOCAL_K8S_OPERATOR_HEALTH_PORT [18091]
#   LOCAL_K8S_START_TIMEOUT [120 s]   JAVA_HOME [java on PATH]
#   LOCAL_K8S_*_VERSION: see scripts/local-k8s/build.sh (etcd, kubernetes, kwok, spark-operator)
#   LOCAL_K8S_SPARK_VERSION [3.5.6]: the Spark the operator's spark-submit comes from (Maven Central)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR
readonly HERE="$SCRIPT_DIR/local-k8s"
readonly HOST=127.0.0.1
readonly STATE_DIR="${LOCAL_K8S_STATE_DIR:-${TMPDIR:-/tmp}/spark-deploy-action/local-k8s}"
readonly ETCD_PORT="${LOCAL_K8S_ETCD_PORT:-12379}"
readonly API_PORT="${LOCAL_K8S_API_PORT:-16443}"
readonly SCHEDULER_PORT="${LOCAL_K8S_SCHEDULER_PORT:-10259}"
readonly CM_PORT="${LOCAL_K8S_CONTROLLER_MANAGER_PORT:-10257}"
readonly KWOK_PORT="${LOCAL_K8S_KWOK_PORT:-10247}"
readonly OPERATOR_HEALTH_PORT="${LOCAL_K8S_OPERATOR_HEALTH_PORT:-18091}"
readonly START_TIMEOUT="${LOCAL_K8S_START_TIMEOUT:-120}"
readonly SPARK_VERSION="${LOCAL_K8S_SPARK_VERSION:-3.5.6}"
readonly OPERATOR_NAMESPACE=spark-operator
readonly NODE_NAME=kwok-node-0
readonly PKI="$STATE_DIR/pki"
readonly LOG_DIR="$STATE_DIR/logs"
readonly KUBECONFIG_FILE="$STATE_DIR/admin.kubeconfig"
# Started in this order, stopped in the reverse one.
readonly PARTS="etcd kube-apiserver kube-scheduler kube-controller-manager kwok spark-operator"

# shellcheck source=scripts/local-k8s/versions.sh
source "$HERE/versions.sh"
readonly CACHE_ROOT="${SPARK_DEPLOY_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/spark-deploy-action}/local-k8s"
readonly ETCD_BIN="$CACHE_ROOT/etcd-$ETCD_VERSION/bin"
readonly K8S_BIN="$CACHE_ROOT/kubernetes-$KUBERNETES_VERSION/bin"
readonly KWOK_DIR="$CACHE_ROOT/kwok-$KWOK_VERSION"
readonly OPERATOR_DIR="$CACHE_ROOT/spark-operator-$SPARK_OPERATOR_VERSION"
readonly SUBMIT_HOME="$CACHE_ROOT/spark-submit-$SPARK_VERSION"
readonly KUBECTL="$K8S_BIN/kubectl"
if [[ -n "${JAVA_HOME:-}" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA="$(command -v java || true)"; fi

log() { printf 'local-k8s: %s\n' "$*" >&2; }
die() { printf 'local-k8s: error: %s\n' "$*" >&2; exit 1; }
tail_log() { [[ -f "$1" ]] && tail -n 25 "$1" | sed 's/^/  | /' >&2 || true; }

pid_of() {
  local f="$STATE_DIR/$1.pid" pid
  [[ -f "$f" ]] || return 1
  pid="$(cat "$f")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && printf '%s' "$pid"
}

kc() { "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" --request-timeout=10s "$@"; }
api_ready() { [[ -f "$KUBECONFIG_FILE" ]] && kc get --raw /readyz >/dev/null 2>&1; }
operator_ready() {
  # The operator's readyz answers on its health port once its informers have synced.
  (exec 3<>"/dev/tcp/$HOST/$OPERATOR_HEALTH_PORT" && printf 'GET /readyz HTTP/1.0\r\n\r\n' >&3 &&
    head -n 1 <&3 | grep -q ' 200') 2>/dev/null
}

# spark_submit_home: the Spark the operator runs spark-submit from: spark-core and spark-kubernetes jars
# (spark-submit-pom.xml) and a bin/spark-submit that starts SparkSubmit with Spark's Java 17 module options.
spark_submit_home() {
  [[ -f "$SUBMIT_HOME/.done" ]] && return 0
  command -v mvn >/dev/null 2>&1 || die "mvn not found: the operator's spark-submit jars come from Maven Central"
  [[ -x "$JAVA" ]] || die "java not found (set JAVA_HOME): the operator runs spark-submit"
  local partial="$SUBMIT_HOME.partial.$$" started=$SECONDS
  rm -rf "$partial"
  mkdir -p "$partial/jars" "$partial/bin" "$partial/conf" "$LOG_DIR"
  log "fetching Spark $SPARK_VERSION spark-core + spark-kubernetes jars for the operator's spark-submit"
  if ! mvn -B -ntp -f "$HERE/spark-submit-pom.xml" "-Dspark.version=$SPARK_VERSION" \
    dependency:copy-dependencies "-DoutputDirectory=$partial/jars" >"$LOG_DIR/mvn-spark-submit.log" 2>&1; then
    tail_log "$LOG_DIR/mvn-spark-submit.log"
    rm -rf "$partial"
    die "Maven could not fetch the spark-submit jars (log: $LOG_DIR/mvn-spark-submit.log)"
  fi
  local src
  src="$(mktemp -d)"
  printf '%s\n' 'public class P { public static void main(String[] a) {' \
    '  System.out.println(org.apache.spark.launcher.JavaModuleOptions.defaultModuleOptions()); } }' >"$src/P.java"
  "$JAVA" -cp "$partial/jars/*" "$src/P.java" >"$partial/conf/java-opts" || die "could not read Spark's JavaModuleOptions"
  rm -rf "$src"
  cp "$HERE/spark-submit" "$partial/bin/spark-submit"
  chmod +x "$partial/bin/spark-submit"
  touch "$partial/.done"
  rm -rf "$SUBMIT_HOME"
  mv "$partial" "$SUBMIT_HOME"
  log "spark-submit home ready in $((SECONDS - started)) s: $SUBMIT_HOME"
}

build() {
  bash "$HERE/build.sh" all
  spark_submit_home
}

# pki: a CA, the API server's serving certificate (127.0.0.1, localhost), an admin client certificate
# (system:masters) and the service-account signing key pair. Made once per state dir.
pki() {
  [[ -f "$PKI/.done" ]] && return 0
  command -v openssl >/dev/null 2>&1 || die "openssl not found (certificates for the local control plane)"
  rm -rf "$PKI"
  mkdir -p "$PKI"
  (
    cd "$PKI"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj /CN=local-k8s-ca
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=kube-apiserver
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 3650 -extfile server.ext
    openssl req -newkey rsa:2048 -nodes -keyout admin.key -out admin.csr -subj /O=system:masters/CN=local-k8s-admin
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out admin.crt -days 3650 -extfile client.ext
    openssl genrsa -out sa.key 2048
    openssl rsa -in sa.key -pubout -out sa.pub
    rm -f ./*.csr ./*.ext
  ) >"$LOG_DIR/pki.log" 2>&1 || { tail_log "$LOG_DIR/pki.log"; die "openssl failed"; }
  chmod 600 "$PKI"/*.key
  touch "$PKI/.done"
}

write_kubeconfig() {
  cat >"$KUBECONFIG_FILE" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: local-k8s
  cluster:
    server: https://$HOST:$API_PORT
    certificate-authority: $PKI/ca.crt
users:
- name: admin
  user:
    client-certificate: $PKI/admin.crt
    client-key: $PKI/admin.key
contexts:
- name: local-k8s
  context: {cluster: local-k8s, user: admin}
current-context: local-k8s
EOF
}

# launch NAME CMD...: start CMD in the background (its own process group), log to logs/NAME.log.
launch() {
  local name="$1"; shift
  if pid_of "$name" >/dev/null; then return 0; fi
  log "starting $name"
  setsid "$@" >"$LOG_DIR/$name.log" 2>&1 </dev/null &
  printf '%s\n' "$!" >"$STATE_DIR/$name.pid"
}

# wait_for NAME CHECK...: until CHECK succeeds, the process is alive, and the timeout has not passed.
wait_for() {
  local name="$1" deadline=$((SECONDS + START_TIMEOUT)); shift
  until "$@"; do
    pid_of "$name" >/dev/null || { tail_log "$LOG_DIR/$name.log"; die "$name exited (log: $LOG_DIR/$name.log)"; }
    ((SECONDS < deadline)) || { tail_log "$LOG_DIR/$name.log"; die "$name not ready after ${START_TIMEOUT}s"; }
    sleep 0.5
  done
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
# crds_established: the operator's three CRDs and kwok's Logs (the operator needs all three before it starts).
crds_established() {
  [[ "$(kc get crd -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Established")].status}{"\n"}{end}' 2>/dev/null |
    grep -c True)" -ge 4 ]]
}

start() {
  build
  mkdir -p "$STATE_DIR" "$LOG_DIR"
  pki
  write_kubeconfig
  local started=$SECONDS

  launch etcd "$ETCD_BIN/etcd" --name local-k8s --data-dir "$STATE_DIR/etcd" \
    --listen-client-urls "http://$HOST:$ETCD_PORT" --advertise-client-urls "http://$HOST:$ETCD_PORT" \
    --listen-peer-urls "http://$HOST:$((ETCD_PORT + 1))" --initial-advertise-peer-urls "http://$HOST:$((ETCD_PORT + 1))" \
    --initial-cluster "local-k8s=http://$HOST:$((ETCD_PORT + 1))" --listen-metrics-urls '' \
    --quota-backend-bytes 2147483648 --unsafe-no-fsync --log-level warn
  wait_for etcd port_open "$ETCD_PORT"

  # --endpoint-reconciler-type=none: the default reconciler refuses a loopback advertise address.
  launch kube-apiserver "$K8S_BIN/kube-apiserver" --etcd-servers "http://$HOST:$ETCD_PORT" \
    --bind-address "$HOST" --advertise-address "$HOST" --secure-port "$API_PORT" \
    --tls-cert-file "$PKI/server.crt" --tls-private-key-file "$PKI/server.key" --client-ca-file "$PKI/ca.crt" \
    --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$PKI/sa.pub" \
    --service-account-signing-key-file "$PKI/sa.key" --service-cluster-ip-range 10.96.0.0/16 \
    --authorization-mode Node,RBAC --endpoint-reconciler-type none --allow-privileged \
    --kubelet-client-certificate "$PKI/admin.crt" --kubelet-client-key "$PKI/admin.key" \
    --kubelet-preferred-address-types InternalIP --profiling=false
  wait_for kube-apiserver api_ready

  launch kube-scheduler "$K8S_BIN/kube-scheduler" --kubeconfig "$KUBECONFIG_FILE" \
    --authentication-kubeconfig "$KUBECONFIG_FILE" --authorization-kubeconfig "$KUBECONFIG_FILE" \
    --bind-address "$HOST" --secure-port "$SCHEDULER_PORT" --leader-elect=false
  # nodeipam needs a cluster CIDR; garbage collection (owned objects) is what the tests need from here.
  launch kube-controller-manager "$K8S_BIN/kube-controller-manager" --kubeconfig "$KUBECONFIG_FILE" \
    --authentication-kubeconfig "$KUBECONFIG_FILE" --authorization-kubeconfig "$KUBECONFIG_FILE" \
    --bind-address "$HOST" --secure-port "$CM_PORT" --leader-elect=false --controllers '*,-nodeipam' \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --use-service-account-credentials=false

  # The operator's namespace, the fake node kwok manages, the Spark Operator CRDs (server-side: the
  # SparkApplication CRD is too large for the last-applied annotation) and kwok's Logs CRD (a test's
  # `Logs` object names a driver pod and the file kwok serves as its log, through the API server's pods/log).
  kc create namespace "$OPERATOR_NAMESPACE" --dry-run=client -o yaml | kc apply -f - >/dev/null
  sed "s/@KWOK_PORT@/$KWOK_PORT/" "$HERE/node.yaml" | kc apply -f - >/dev/null
  kc apply --server-side --force-conflicts -f "$OPERATOR_DIR/crds" -f "$KWOK_DIR/crds" >/dev/null
  wait_for kube-apiserver crds_established
  launch kwok "$KWOK_DIR/bin/kwok" --kubeconfig "$KUBECONFIG_FILE" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --config "$KWOK_DIR/stages/node.yaml" --config "$HERE/stages.yaml" --enable-crds Logs \
    --server-address "$HOST:$KWOK_PORT" --node-ip "$HOST" --node-port "$KWOK_PORT" \
    --tls-cert-file "$PKI/server.crt" --tls-private-key-file "$PKI/server.key"

  # Out of cluster: the operator builds spark-submit's --master from KUBERNETES_SERVICE_HOST/_PORT, and
  # spark-submit's fabric8 client reads KUBECONFIG; the health port stays off the Spark worker's 8081;
  # SPARK_LOCAL_IP keeps spark-submit on loopback (and its stderr, which the operator reports, free of the warning).
  launch spark-operator env KUBECONFIG="$KUBECONFIG_FILE" KUBERNETES_SERVICE_HOST="$HOST" \
    KUBERNETES_SERVICE_PORT="$API_PORT" SPARK_HOME="$SUBMIT_HOME" SPARK_LOCAL_IP="$HOST" JAVA_HOME="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$JAVA")")")}" \
    "$OPERATOR_DIR/bin/spark-operator" controller start --kubeconfig "$KUBECONFIG_FILE" \
    --health-probe-bind-address "$HOST:$OPERATOR_HEALTH_PORT" --metrics-bind-address 0 \
    --leader-election=false --enable-ui-service=true --controller-threads 4 --zap-log-level info
  wait_for kwok node_ready
  wait_for spark-operator operator_ready
  log "ready in $((SECONDS - started)) s (API https://$HOST:$API_PORT, logs in $LOG_DIR)"
  print_env
}

node_ready() {
  [[ "$(kc get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" == True ]]
}

print_env() {
  printf 'KUBECONFIG=%s\n' "$KUBECONFIG_FILE"
  printf 'LOCAL_K8S_OPERATOR_NAMESPACE=%s\n' "$OPERATOR_NAMESPACE"
  printf 'LOCAL_K8S_API=https://%s:%s\n' "$HOST" "$API_PORT"
  printf 'LOCAL_K8S_KUBECTL=%s\n' "$KUBECTL"
  printf 'LOCAL_K8S_PKI=%s\n' "$PKI"
}

status() {
  local p ok=0
  for p in $PARTS; do
    if pid_of "$p" >/dev/null; then log "$p: running (pid $(pid_of "$p"))"; else log "$p: not running"; ok=1; fi
  done
  if api_ready; then log "API server: ready"; else log "API server: not ready"; ok=1; fi
  if operator_ready; then log "spark-operator: ready"; else log "spark-operator: not ready"; ok=1; fi
  [[ "$ok" == 0 ]] && print_env
  return "$ok"
}

stop() {
  local p pid parts i
  read -r -a parts <<<"$PARTS"
  for ((i = ${#parts[@]} - 1; i >= 0; i--)); do
    p="${parts[$i]}"
    if pid="$(pid_of "$p")"; then
      log "stopping $p (pid $pid)"
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    rm -f "$STATE_DIR/$p.pid"
  done
  # etcd's data goes with it: the next start is a fresh cluster (the PKI and kubeconfig stay).
  rm -rf "$STATE_DIR/etcd"
}

case "${1:-}" in
  build) build ;;
  spark-submit-home) spark_submit_home; printf '%s\n' "$SUBMIT_HOME" ;;
  start) if status >/dev/null 2>&1; then print_env; else start; fi ;;
  stop) stop ;;
  status) status ;;
  env) print_env ;;
  *) die "usage: $0 build|start|stop|status|env|spark-submit-home" ;;
esac
