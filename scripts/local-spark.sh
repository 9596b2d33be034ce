#!/usr/bin/env bash
# Local Spark standalone cluster for tests and end-to-end runs: one Master (with the REST
# submission server enabled) and one Worker, all bound to 127.0.0.1, built from Spark jars
# fetched from Maven Central (no Spark tarball needed).
#
# LOCAL_SPARK_REST=off starts the cluster as Spark ships it instead: REST submission server off
# (spark.master.rest.enabled=false, the default of Spark 2.4-4.0), reached only through
# spark://127.0.0.1:<port>. It is a second cluster beside the REST-on one, on its own ports
# (7177, UI 8180, worker UI 8181) and state dir (.../local-spark-rest-off) unless those are set.
# With LOCAL_SPARK_AUTH_SECRET=<secret> as well, master and worker also require Spark's shared-secret
# authentication (spark.authenticate): a third cluster on 7277, UI 8280, worker UI 8281, .../local-spark-auth.
#
# LOCAL_SPARK_S3_ENDPOINT=<url> (e.g. moto's http://127.0.0.1:5055) gives the cluster what a real one needs
# to read s3a:// JARs: hadoop-aws and its AWS SDK bundle (scripts/local-spark/s3a-pom.xml, the Hadoop version
# Spark ships) on the classpath of the master, the worker and its drivers and executors, and a core-site.xml
# pointing S3A at that endpoint (path-style, LOCAL_SPARK_S3_ACCESS_KEY/_SECRET_KEY [testing], region
# [us-east-1]; the same keys in the daemons' environment).
# REST on only: a fourth cluster on 7377, REST 6366, UI 8380, worker UI 8381, .../local-spark-s3.
#
#   scripts/local-spark.sh start    prepare SPARK_HOME, start master + worker, wait until ready
#   scripts/local-spark.sh stop     stop worker (and the drivers/executors it spawned) and master
#   scripts/local-spark.sh status   print what is up; exit 0 only when master, worker and REST are
#   scripts/local-spark.sh home     only prepare SPARK_HOME and print its path (for `java -cp`)
#
# Every subcommand is idempotent. Progress goes to stderr; `home` prints only the path on stdout,
# `start`/`status` print KEY=value lines (SPARK_HOME, URLs) on stdout.
#
# Environment (defaults in brackets):
#   SPARK_VERSION [3.5.6]   SPARK_SCALA_VERSION [2.12]   JAVA_HOME [java on PATH]
#   SPARK_HOME [${XDG_CACHE_HOME:-~/.cache}/spark-deploy-action/spark-<version>, -scala<v> if not 2.12]
#   SPARK_DEPLOY_STATE_DIR [${TMPDIR:-/tmp}/spark-deploy-action/local-spark]: pids, logs/, work/
#   LOCAL_SPARK_REST [on]: off starts Spark as shipped (see above)
#   LOCAL_SPARK_MASTER_PORT [7077; 7177 with REST off]  LOCAL_SPARK_REST_PORT [6066]
#   LOCAL_SPARK_MASTER_UI_PORT [8080; 8180]  LOCAL_SPARK_WORKER_UI_PORT [8081; 8181]
#   LOCAL_SPARK_WORKER_CORES [8]  LOCAL_SPARK_WORKER_MEMORY [4g]  LOCAL_SPARK_DAEMON_MEMORY [512m]
#   LOCAL_SPARK_START_TIMEOUT [120 s]  LOCAL_SPARK_STOP_TIMEOUT [20 s]
#   LOCAL_SPARK_FETCH_LOCK_TIMEOUT [1200 s]
#   LOCAL_SPARK_HISTORY [on]: every driver writes its event log to <state dir>/events, and a History
#     Server on 127.0.0.1:LOCAL_SPARK_HISTORY_PORT [18080; 18180 with REST off; 18280 with auth; 18380 s3a] reads
#     them (off: neither)
#   LOCAL_SPARK_S3_ENDPOINT [none]  LOCAL_SPARK_S3_REGION [us-east-1]
#   LOCAL_SPARK_S3A_HOME [${XDG_CACHE_HOME:-~/.cache}/spark-deploy-action/s3a-<spark version>]: hadoop-aws jars
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR
readonly POM="$SCRIPT_DIR/local-spark/pom.xml"

readonly SPARK_VERSION="${SPARK_VERSION:-3.5.6}"
# Also the variable Spark's launcher reads (AbstractCommandBuilder.getScalaVersion).
readonly SCALA_BINARY="${SPARK_SCALA_VERSION:-2.12}"
readonly CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/spark-deploy-action"
if [[ "$SCALA_BINARY" == 2.12 ]]; then
  SPARK_HOME="${SPARK_HOME:-$CACHE_DIR/spark-$SPARK_VERSION}"
else
  SPARK_HOME="${SPARK_HOME:-$CACHE_DIR/spark-$SPARK_VERSION-scala$SCALA_BINARY}"
fi
export SPARK_HOME # the worker hands it to every driver/executor command it builds
readonly REST="${LOCAL_SPARK_REST:-on}"
[[ "$REST" == on || "$REST" == off ]] || { echo "local-spark: error: LOCAL_SPARK_REST must be on or off" >&2; exit 2; }
readonly AUTH_SECRET="${LOCAL_SPARK_AUTH_SECRET:-}"
readonly S3_ENDPOINT="${LOCAL_SPARK_S3_ENDPOINT:-}"
if [[ -n "$S3_ENDPOINT" ]]; then
  [[ "$REST" == on && -z "$AUTH_SECRET" ]] || { echo "local-spark: error: LOCAL_SPARK_S3_ENDPOINT needs LOCAL_SPARK_REST=on and no LOCAL_SPARK_AUTH_SECRET" >&2; exit 2; }
  [[ "$S3_ENDPOINT" =~ ^https?://[^/]+/?$ ]] || { echo "local-spark: error: LOCAL_SPARK_S3_ENDPOINT must be http(s)://host:port, got '$S3_ENDPOINT'" >&2; exit 2; }
  # A cluster that reads s3a:// from that endpoint: a fourth one, on its own ports and state dir.
  readonly STATE_DIR="${SPARK_DEPLOY_STATE_DIR:-${TMPDIR:-/tmp}/spark-deploy-action/local-spark-s3}"
  readonly MASTER_PORT="${LOCAL_SPARK_MASTER_PORT:-7377}"
  readonly MASTER_UI_PORT="${LOCAL_SPARK_MASTER_UI_PORT:-8380}"
  readonly WORKER_UI_PORT="${LOCAL_SPARK_WORKER_UI_PORT:-8381}"
  DEFAULT_REST_PORT=6366
elif [[ -n "$AUTH_SECRET" ]]; then
  [[ "$REST" == off ]] || { echo "local-spark: error: LOCAL_SPARK_AUTH_SECRET needs LOCAL_SPARK_REST=off" >&2; exit 2; }
  # Spark as shipped with shared-secret authentication: a third cluster, on its own ports and state dir.
  readonly STATE_DIR="${SPARK_DEPLOY_STATE_DIR:-${TMPDIR:-/tmp}/spark-deploy-action/local-spark-auth}"
  readonly MASTER_PORT="${LOCAL_SPARK_MASTER_PORT:-7277}"
  readonly MASTER_UI_PORT="${LOCAL_SPARK_MASTER_UI_PORT:-8280}"
  readonly WORKER_UI_PORT="${LOCAL_SPARK_WORKER_UI_PORT:-8281}"
elif [[ "$REST" == off ]]; then
  # Spark as shipped: a second cluster, on ports and a state dir the REST-on one does not use.
  readonly STATE_DIR="${SPARK_DEPLOY_STATE_DIR:-${TMPDIR:-/tmp}/spark-deploy-action/local-spark-rest-off}"
  readonly MASTER_PORT="${LOCAL_SPARK_MASTER_PORT:-7177}"
  readonly MASTER_UI_PORT="${LOCAL_SPARK_MASTER_UI_PORT:-8180}"
  readonly WORKER_UI_PORT="${LOCAL_SPARK_WORKER_UI_PORT:-8181}"
else
  readonly STATE_DIR="${SPARK_DEPLOY_STATE_DIR:-${TMPDIR:-/tmp}/spark-deploy-action/local-spark}"
  readonly MASTER_PORT="${LOCAL_SPARK_MASTER_PORT:-7077}"
  readonly MASTER_UI_PORT="${LOCAL_SPARK_MASTER_UI_PORT:-8080}"
  readonly WORKER_UI_PORT="${LOCAL_SPARK_WORKER_UI_PORT:-8081}"
fi

readonly HOST=127.0.0.1
readonly REST_PORT="${LOCAL_SPARK_REST_PORT:-${DEFAULT_REST_PORT:-6066}}"
# Oversubscribed on purpose: a cluster-mode driver and its executor each take cores and memory, and a
# streaming redeploy runs the new driver beside the old one until it is healthy.
readonly WORKER_CORES="${LOCAL_SPARK_WORKER_CORES:-8}"
readonly WORKER_MEMORY="${LOCAL_SPARK_WORKER_MEMORY:-4g}"
readonly DAEMON_MEMORY="${LOCAL_SPARK_DAEMON_MEMORY:-512m}"
readonly START_TIMEOUT="${LOCAL_SPARK_START_TIMEOUT:-120}"
readonly STOP_TIMEOUT="${LOCAL_SPARK_STOP_TIMEOUT:-20}"
readonly FETCH_LOCK_TIMEOUT="${LOCAL_SPARK_FETCH_LOCK_TIMEOUT:-1200}"

readonly MASTER_CLASS=org.apache.spark.deploy.master.Master
readonly WORKER_CLASS=org.apache.spark.deploy.worker.Worker
readonly MARKER_NAME=.local-spark-complete
readonly LOG_DIR="$STATE_DIR/logs"
readonly MASTER_URL="spark://$HOST:$MASTER_PORT"
readonly REST_URL="http://$HOST:$REST_PORT"
readonly MASTER_UI_URL="http://$HOST:$MASTER_UI_PORT"
readonly WORKER_UI_URL="http://$HOST:$WORKER_UI_PORT"

if [[ -n "${JAVA_HOME:-}" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi
readonly JAVA

log() { printf 'local-spark: %s\n' "$*" >&2; }
die() { printf 'local-spark: error: %s\n' "$*" >&2; exit 1; }

# tail_log FILE: show the end of a log on stderr (used on every failure).
tail_log() {
  if [[ -s "$1" ]]; then
    printf -- '--- last lines of %s ---\n' "$1" >&2
    tail -n "${2:-40}" "$1" >&2
    printf -- '---\n' >&2
  fi
}

need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found on PATH: $2"; }

# ---------------------------------------------------------------------------------------------
# SPARK_HOME
# ---------------------------------------------------------------------------------------------

# marker_content: what a complete home built from the current pom/version must contain.
marker_content() {
  local pom_sum
  pom_sum="$(sha256sum "$POM" | cut -d' ' -f1)"
  printf 'spark=%s scala=%s pom=%s\n' "$SPARK_VERSION" "$SCALA_BINARY" "$pom_sum"
}

# is_distribution DIR: a real Spark distribution (unpacked tarball) that we use as it is.
is_distribution() {
  [[ ! -e "$1/$MARKER_NAME" && -f "$1/RELEASE" && -d "$1/jars" ]]
}

home_is_complete() {
  [[ -f "$SPARK_HOME/$MARKER_NAME" && "$(cat "$SPARK_HOME/$MARKER_NAME")" == "$(marker_content)" ]]
}

# write_module_options JARS_DIR OUT: Java 17 needs the --add-opens list of Spark's own
# JavaModuleOptions on every Spark JVM. Spark adds it to spark-submit and to executors, but the
# worker's WorkerCommandBuilder does not add it to a cluster-mode driver launched through the REST
# server; it does read $SPARK_CONF_DIR/java-opts for every JVM it builds, so the list goes there.
write_module_options() {
  local jars="$1" out="$2" src
  src="$(mktemp -d)"
  cat >"$src/PrintModuleOptions.java" <<'JAVA'
public class PrintModuleOptions {
  public static void main(String[] args) {
    System.out.println(org.apache.spark.launcher.JavaModuleOptions.defaultModuleOptions());
  }
}
JAVA
  if ! "$JAVA" -cp "$jars/*" "$src/PrintModuleOptions.java" >"$out" 2>"$src/err"; then
    tail_log "$src/err"
    rm -rf "$src"
    die "could not read JavaModuleOptions from the Spark launcher jar in $jars"
  fi
  rm -rf "$src"
  [[ -s "$out" ]] || die "JavaModuleOptions printed nothing"
}

# fetch_home: fill a fresh SPARK_HOME from Maven Central, atomically (build aside, then rename).
fetch_home() {
  need mvn "install Maven 3.6+ (the local Spark is assembled from Maven Central jars)"
  need "$JAVA" "install a JDK 17 (or set JAVA_HOME)"
  local partial="$SPARK_HOME.partial.$$" mvn_log="$LOG_DIR/mvn-fetch.log" started=$SECONDS
  rm -rf "$partial"
  mkdir -p "$partial/jars" "$partial/conf" "$LOG_DIR"
  log "fetching Spark $SPARK_VERSION (Scala $SCALA_BINARY) jars from Maven Central into $SPARK_HOME (first run only)"
  if ! mvn -B -ntp -f "$POM" \
      "-Dspark.version=$SPARK_VERSION" "-Dscala.binary.version=$SCALA_BINARY" \
      dependency:copy-dependencies "-DoutputDirectory=$partial/jars" \
      >"$mvn_log" 2>&1; then
    tail_log "$mvn_log"
    rm -rf "$partial"
    die "Maven could not fetch Spark $SPARK_VERSION for Scala $SCALA_BINARY (full log: $mvn_log)"
  fi
  local core="$partial/jars/spark-core_$SCALA_BINARY-$SPARK_VERSION.jar"
  [[ -f "$core" ]] || { rm -rf "$partial"; die "Maven finished but $(basename "$core") is missing"; }

  write_module_options "$partial/jars" "$partial/conf/java-opts"
  local hadoop
  hadoop="$(find "$partial/jars" -name 'hadoop-client-api-*.jar' -printf '%f\n' | sed 's/^hadoop-client-api-//; s/\.jar$//')"
  {
    printf 'Spark %s built for Hadoop %s\n' "$SPARK_VERSION" "${hadoop:-unknown}"
    printf 'Assembled from Maven Central jars (spark-core_%s, spark-sql_%s) by scripts/local-spark.sh\n' \
      "$SCALA_BINARY" "$SCALA_BINARY"
  } >"$partial/RELEASE"
  marker_content >"$partial/$MARKER_NAME" # last: the home is complete from here on

  if [[ -e "$SPARK_HOME" ]]; then rm -rf "$SPARK_HOME"; fi
  mv "$partial" "$SPARK_HOME"
  log "SPARK_HOME ready in $((SECONDS - started))s: $(find "$SPARK_HOME/jars" -name '*.jar' | wc -l) jars, $(du -sh "$SPARK_HOME" | cut -f1)"
}

# prepare_home: make SPARK_HOME usable; fetch only when it is missing or stale.
prepare_home() {
  if home_is_complete; then return 0; fi
  if is_distribution "$SPARK_HOME"; then
    log "using the Spark distribution at $SPARK_HOME as it is"
    if [[ ! -f "$SPARK_HOME/conf/java-opts" ]]; then
      log "note: without $SPARK_HOME/conf/java-opts, drivers the worker launches on Java 17 lack Spark's --add-opens flags and die with IllegalAccessError (sun.nio.ch.DirectBuffer) unless the submission sets spark.driver.extraJavaOptions"
    fi
    return 0
  fi
  if [[ -d "$SPARK_HOME" && ! -e "$SPARK_HOME/$MARKER_NAME" && -n "$(ls -A "$SPARK_HOME")" ]]; then
    die "SPARK_HOME=$SPARK_HOME is not empty and was not built by this script; unset SPARK_HOME or point it to an empty or new directory"
  fi
  mkdir -p "$(dirname "$SPARK_HOME")"
  # Parallel callers (test workers) wait for one fetch instead of racing it.
  local lock
  lock="$(dirname "$SPARK_HOME")/.$(basename "$SPARK_HOME").lock"
  exec 9>"$lock"
  if command -v flock >/dev/null 2>&1; then
    flock -w "$FETCH_LOCK_TIMEOUT" 9 || die "timed out waiting for another fetch of $SPARK_HOME ($lock)"
  fi
  if ! home_is_complete; then fetch_home; fi
  exec 9>&-
}

# ---------------------------------------------------------------------------------------------
# S3A: hadoop-aws for a cluster that reads s3a:// (LOCAL_SPARK_S3_ENDPOINT set)
# ---------------------------------------------------------------------------------------------

readonly S3A_POM="$SCRIPT_DIR/local-spark/s3a-pom.xml"
readonly S3A_HOME="${LOCAL_SPARK_S3A_HOME:-$CACHE_DIR/s3a-$SPARK_VERSION}"
readonly S3A_CONF_DIR="$STATE_DIR/s3a-conf"

s3a_marker_content() { printf 'pom=%s\n' "$(sha256sum "$S3A_POM" | cut -d' ' -f1)"; }
s3a_home_is_complete() { [[ -f "$S3A_HOME/$MARKER_NAME" && "$(cat "$S3A_HOME/$MARKER_NAME")" == "$(s3a_marker_content)" ]]; }

# spark_hadoop_version: the Hadoop version of the Spark home (its hadoop-client-api jar).
spark_hadoop_version() {
  find "$SPARK_HOME/jars" -name 'hadoop-client-api-*.jar' -printf '%f\n' | sed 's/^hadoop-client-api-//; s/\.jar$//' | head -n 1
}

# fetch_s3a: hadoop-aws and the AWS SDK bundle from Maven Central into S3A_HOME, atomically.
fetch_s3a() {
  need mvn "install Maven 3.6+ (hadoop-aws comes from Maven Central)"
  local partial="$S3A_HOME.partial.$$" mvn_log="$LOG_DIR/mvn-s3a.log"
  rm -rf "$partial"
  mkdir -p "$partial/jars" "$LOG_DIR"
  log "fetching hadoop-aws and the AWS SDK bundle from Maven Central into $S3A_HOME (first run only)"
  if ! mvn -B -ntp -f "$S3A_POM" dependency:copy-dependencies -DincludeScope=runtime \
      "-DoutputDirectory=$partial/jars" >"$mvn_log" 2>&1; then
    tail_log "$mvn_log"
    rm -rf "$partial"
    die "Maven could not fetch hadoop-aws (full log: $mvn_log)"
  fi
  s3a_marker_content >"$partial/$MARKER_NAME"
  if [[ -e "$S3A_HOME" ]]; then rm -rf "$S3A_HOME"; fi
  mv "$partial" "$S3A_HOME"
}

# prepare_s3a: S3A_HOME complete, and hadoop-aws of the very Hadoop version the Spark home ships (a
# mismatch fails at the first s3a:// read with NoSuchMethodError or a missing class).
prepare_s3a() {
  if ! s3a_home_is_complete; then
    mkdir -p "$(dirname "$S3A_HOME")"
    exec 7>"$(dirname "$S3A_HOME")/.$(basename "$S3A_HOME").lock"
    if command -v flock >/dev/null 2>&1; then
      flock -w "$FETCH_LOCK_TIMEOUT" 7 || die "timed out waiting for another fetch of $S3A_HOME"
    fi
    if ! s3a_home_is_complete; then fetch_s3a; fi
    exec 7>&-
  fi
  local hadoop aws
  hadoop="$(spark_hadoop_version)"
  aws="$(find "$S3A_HOME/jars" -name 'hadoop-aws-*.jar' -printf '%f\n' | sed 's/^hadoop-aws-//; s/\.jar$//')"
  [[ -n "$aws" && "$aws" == "$hadoop" ]] ||
    die "hadoop-aws ${aws:-missing} in $S3A_HOME does not match Spark $SPARK_VERSION's Hadoop ${hadoop:-unknown}; set hadoop.version (and the aws-java-sdk-bundle its hadoop-aws pom names) in $S3A_POM"
}

# write_s3a_conf: the workers' Hadoop configuration for the endpoint (what a real cluster's core-site.xml holds).
write_s3a_conf() {
  local ssl=true
  [[ "$S3_ENDPOINT" == http://* ]] && ssl=false
  mkdir -p "$S3A_CONF_DIR"
  (
    umask 077
    cat >"$S3A_CONF_DIR/core-site.xml" <<XML
<?xml version="1.0"?>
<!-- Written by scripts/local-spark.sh for LOCAL_SPARK_S3_ENDPOINT: test credentials of a local store only. -->
<configuration>
  <property><name>fs.s3a.endpoint</name><value>$S3_ENDPOINT</value></property>
  <property><name>fs.s3a.endpoint.region</name><value>${LOCAL_SPARK_S3_REGION:-us-east-1}</value></property>
  <property><name>fs.s3a.path.style.access</name><value>true</value></property>
  <property><name>fs.s3a.connection.ssl.enabled</name><value>$ssl</value></property>
  <property><name>fs.s3a.aws.credentials.provider</name><value>org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider</value></property>
  <property><name>fs.s3a.access.key</name><value>${LOCAL_SPARK_S3_ACCESS_KEY:-testing}</value></property>
  <property><name>fs.s3a.secret.key</name><value>${LOCAL_SPARK_S3_SECRET_KEY:-testing}</value></property>
  <property><name>fs.s3a.attempts.maximum</name><value>3</value></property>
  <property><name>fs.s3a.retry.limit</name><value>3</value></property>
</configuration>
XML
  )
}

# s3a_setup: the worker (and, through the environment it hands down, every driver and executor it launches:
# WorkerCommandBuilder adds HADOOP_CONF_DIR and SPARK_DIST_CLASSPATH) gets hadoop-aws and the conf. The
# master gets the same classpath, as a real cluster's nodes share one $SPARK_HOME/jars: a worker reports a
# failed JAR download with the exception itself, and a master that cannot deserialise the AWS SDK's
# exception classes drops that report and shows the driver RUNNING for ever.
s3a_setup() {
  prepare_s3a
  write_s3a_conf
  # The credentials also as the environment a node with keys (or a role) has: drivers that choose the AWS
  # SDK's default chain (spark.hadoop.fs.s3a.aws.credentials.provider) find them there.
  LAUNCH_ENV=("HADOOP_CONF_DIR=$S3A_CONF_DIR" "SPARK_DIST_CLASSPATH=$S3A_HOME/jars/*"
    "AWS_ACCESS_KEY_ID=${LOCAL_SPARK_S3_ACCESS_KEY:-testing}" "AWS_SECRET_ACCESS_KEY=${LOCAL_SPARK_S3_SECRET_KEY:-testing}"
    "AWS_REGION=${LOCAL_SPARK_S3_REGION:-us-east-1}")
  LAUNCH_CP=":$S3A_CONF_DIR:$S3A_HOME/jars/*"
}

# ---------------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------------

pid_file() { printf '%s/%s.pid' "$STATE_DIR" "$1"; }

# running_pid NAME CLASS: print the pid from NAME's pid file if that process is alive and is the
# Spark daemon CLASS (guards against pid reuse); fail otherwise.
running_pid() {
  local file pid cmd
  file="$(pid_file "$1")"
  [[ -f "$file" ]] || return 1
  pid="$(cat "$file")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/cmdline" ]]; then
    cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline")"
  else
    cmd="$(ps -o command= -p "$pid" 2>/dev/null || true)"
  fi
  [[ "$cmd" == *"$2"* ]] || return 1
  printf '%s\n' "$pid"
}

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

http_get() { curl -fsS --max-time 5 "$1" 2>/dev/null; }

# alive_workers: number of ALIVE workers the master reports in /json/ (0 when unreachable).
alive_workers() {
  local json n
  json="$(http_get "$MASTER_UI_URL/json/")" || { echo 0; return; }
  n="$(grep -Eo '"aliveworkers" *: *[0-9]+' <<<"$json" | grep -Eo '[0-9]+$' || true)"
  echo "${n:-0}"
}

# worker_registered: the worker's own /json/ names our master, which it does only once the master
# accepted its registration (a stale ALIVE entry of a killed worker cannot fake this).
worker_registered() {
  local json
  json="$(http_get "$WORKER_UI_URL/json/")" || return 1
  grep -Eq "\"masterurl\" *: *\"$MASTER_URL\"" <<<"$json"
}

# rest_up: the REST submission server answers a status request with a SubmissionStatusResponse.
rest_up() {
  [[ "$REST" == on ]] || return 0 # nothing to probe: as shipped, no REST server
  local body
  body="$(curl -sS --max-time 5 "$REST_URL/v1/submissions/status/local-spark-probe" 2>/dev/null)" || return 1
  [[ "$body" == *SubmissionStatusResponse* ]]
}

# launch NAME CLASS ARGS...: start a Spark daemon in the background in its own process group
# (so `stop` can also reach the drivers and executors a worker forks), record its pid.
launch() {
  local name="$1" class="$2"
  shift 2
  local out="$LOG_DIR/$name.log" opts=()
  # Same JVM flags Spark's launcher gives its daemons: the Java 17 --add-opens list.
  if [[ -f "$SPARK_HOME/conf/java-opts" ]]; then
    read -r -a opts <"$SPARK_HOME/conf/java-opts"
  fi
  # One log per run (the previous one kept as .1), so failure tails show only this run.
  if [[ -f "$out" ]]; then mv -f "$out" "$out.1"; fi
  set -m # job control: the background job becomes its own process group leader
  SPARK_SCALA_VERSION="$SCALA_BINARY" SPARK_LOCAL_IP="$HOST" \
    SPARK_LOCAL_DIRS="$STATE_DIR/local" \
    nohup env "${LAUNCH_ENV[@]}" "$JAVA" -cp "$SPARK_HOME/conf/:$SPARK_HOME/jars/*$LAUNCH_CP" \
    "-Xmx$DAEMON_MEMORY" "${opts[@]}" \
    "-Dlocal-spark.state-dir=$STATE_DIR" "$@" "$class" "${DAEMON_ARGS[@]}" \
    </dev/null >>"$out" 2>&1 8>&- 9>&- & # the daemons must not inherit (and hold) our locks
  local pid=$!
  set +m
  echo "$pid" >"$(pid_file "$name")"
  LAUNCHED+=("$name")
  log "started $name (pid $pid, log $out)"
}

# check_ports: before launching anything, the ports of the daemons that are not running are free.
check_ports() {
  local port ports=()
  if ! running_pid master "$MASTER_CLASS" >/dev/null; then
    ports+=("$MASTER_PORT" "$MASTER_UI_PORT")
    [[ "$REST" == off ]] || ports+=("$REST_PORT")
  fi
  running_pid worker "$WORKER_CLASS" >/dev/null || ports+=("$WORKER_UI_PORT")
  for port in "${ports[@]}"; do
    if port_open "$port"; then
      die "port $HOST:$port is already in use by a process this script did not start (state dir $STATE_DIR); stop it, or choose other ports with LOCAL_SPARK_MASTER_PORT / LOCAL_SPARK_REST_PORT / LOCAL_SPARK_MASTER_UI_PORT / LOCAL_SPARK_WORKER_UI_PORT"
    fi
  done
}

start_master() {
  if running_pid master "$MASTER_CLASS" >/dev/null; then return 0; fi
  if [[ -n "$S3_ENDPOINT" ]]; then s3a_setup; fi
  DAEMON_ARGS=(--host "$HOST" --port "$MASTER_PORT" --webui-port "$MASTER_UI_PORT")
  # Spark reads spark.* JVM system properties into its conf (what SPARK_MASTER_OPTS does).
  if [[ "$REST" == on ]]; then
    launch master "$MASTER_CLASS" \
      -Dspark.master.rest.enabled=true "-Dspark.master.rest.port=$REST_PORT"
  else
    launch master "$MASTER_CLASS" -Dspark.master.rest.enabled=false "${AUTH_OPTS[@]}"
  fi
}

start_worker() {
  if running_pid worker "$WORKER_CLASS" >/dev/null; then return 0; fi
  mkdir -p "$STATE_DIR/work"
  if [[ -n "$S3_ENDPOINT" ]]; then s3a_setup; fi
  DAEMON_ARGS=("$MASTER_URL" --host "$HOST" --webui-port "$WORKER_UI_PORT"
    --cores "$WORKER_CORES" --memory "$WORKER_MEMORY" --work-dir "$STATE_DIR/work")
  # The worker builds every driver's and executor's command from $SPARK_CONF_DIR/java-opts.
  SPARK_CONF_DIR="$(worker_conf_dir)" launch worker "$WORKER_CLASS" "${AUTH_OPTS[@]}"
}

# wait_master_port: until the master accepts RPC connections (or died / timed out).
wait_master_port() {
  local deadline=$((SECONDS + START_TIMEOUT))
  until port_open "$MASTER_PORT"; do
    if ! running_pid master "$MASTER_CLASS" >/dev/null; then
      tail_log "$LOG_DIR/master.log"
      die "the master exited during start-up (log: $LOG_DIR/master.log)"
    fi
    ((SECONDS < deadline)) || die "the master did not listen on $HOST:$MASTER_PORT after ${START_TIMEOUT}s (log: $LOG_DIR/master.log)"
    sleep 0.2
  done
}

# wait_ready: until the master lists an ALIVE worker and REST answers, or fail with log tails.
wait_ready() {
  local deadline=$((SECONDS + START_TIMEOUT)) name class
  while ((SECONDS < deadline)); do
    for name in master worker; do
      class="$MASTER_CLASS"
      [[ "$name" == worker ]] && class="$WORKER_CLASS"
      if ! running_pid "$name" "$class" >/dev/null; then
        tail_log "$LOG_DIR/$name.log"
        die "the $name exited during start-up (log: $LOG_DIR/$name.log)"
      fi
    done
    if worker_registered && (($(alive_workers) >= 1)) && rest_up; then return 0; fi
    sleep 0.25
  done
  tail_log "$LOG_DIR/master.log" 20
  tail_log "$LOG_DIR/worker.log" 20
  die "Spark was not ready after ${START_TIMEOUT}s (master /json/ aliveworkers=$(alive_workers), REST $(rest_up && echo up || echo down)); logs in $LOG_DIR"
}

# kill_orphans PGID: KILL the members of process group PGID that are ours (working directory under
# the worker's work dir, or started by this script); a reused pid never matches both tests.
kill_orphans() {
  local pgid="$1" member cwd cmd
  for member in $(ps -e -o pid=,pgid= | awk -v g="$pgid" '$2 == g { print $1 }'); do
    cwd="$(readlink "/proc/$member/cwd" 2>/dev/null || true)"
    cmd="$(tr '\0' ' ' <"/proc/$member/cmdline" 2>/dev/null || true)"
    if [[ "$cwd" == "$STATE_DIR/work"* || "$cmd" == *"-Dlocal-spark.state-dir=$STATE_DIR"* ]]; then
      log "killing leftover Spark process $member"
      kill -KILL "$member" 2>/dev/null || true
    fi
  done
}

# stop_daemons [NAME...]: TERM the worker's and the master's process groups together (the worker's
# group holds the drivers and executors it forked), wait, then KILL what is left.
stop_daemons() {
  local name class pid file deadline groups=() names=()
  (($# > 0)) || set -- worker master history
  for name in "$@"; do
    class="$(daemon_class "$name")"
    file="$(pid_file "$name")"
    if pid="$(running_pid "$name" "$class")"; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      groups+=("$pid")
      names+=("$name (pid $pid)")
    else
      # The daemon is gone; drivers/executors it forked may still run in its process group.
      if [[ -f "$file" ]] && pid="$(cat "$file")" && [[ "$pid" =~ ^[0-9]+$ ]]; then
        kill_orphans "$pid"
      fi
      log "$name was not running"
    fi
  done
  deadline=$((SECONDS + STOP_TIMEOUT))
  for pid in "${groups[@]}"; do
    while kill -0 -- "-$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if kill -0 -- "-$pid" 2>/dev/null; then
      log "process group $pid did not stop within ${STOP_TIMEOUT}s, killing it"
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
  done
  for name in "$@"; do rm -f "$(pid_file "$name")"; done
  if ((${#names[@]} > 0)); then log "stopped ${names[*]}"; fi
}

print_env() {
  cat <<EOF
SPARK_HOME=$SPARK_HOME
SPARK_VERSION=$SPARK_VERSION
SPARK_MASTER_URL=$MASTER_URL
SPARK_REST_URL=$([[ "$REST" == on ]] && echo "$REST_URL" || echo off)
SPARK_MASTER_UI_URL=$MASTER_UI_URL
SPARK_WORKER_UI_URL=$WORKER_UI_URL
LOCAL_SPARK_STATE_DIR=$STATE_DIR
SPARK_HISTORY_URL=$([[ "$HISTORY" == on ]] && echo "$HISTORY_URL" || echo off)
SPARK_EVENT_LOG_DIR=$([[ "$HISTORY" == on ]] && echo "$EVENT_DIR" || echo off)
SPARK_S3_ENDPOINT=${S3_ENDPOINT:-none}
EOF
}

# ---------------------------------------------------------------------------------------------
# Event logs and the History Server (LOCAL_SPARK_HISTORY): drivers write their event logs to
# $EVENT_DIR, and a History Server serves the finished applications' UIs and monitoring REST API
# (/api/v1) from it, the way users read a batch job after its driver (and its live UI) is gone.
# ---------------------------------------------------------------------------------------------

readonly HISTORY="${LOCAL_SPARK_HISTORY:-on}"
[[ "$HISTORY" == on || "$HISTORY" == off ]] || die "LOCAL_SPARK_HISTORY must be on or off"
# Each cluster variant (REST on, REST off, REST off with auth) has its own History Server port.
if [[ -n "${S3_ENDPOINT:-}" ]]; then
  readonly HISTORY_PORT="${LOCAL_SPARK_HISTORY_PORT:-18380}"
elif [[ -n "$AUTH_SECRET" ]]; then
  readonly HISTORY_PORT="${LOCAL_SPARK_HISTORY_PORT:-18280}"
elif [[ "$REST" == off ]]; then
  readonly HISTORY_PORT="${LOCAL_SPARK_HISTORY_PORT:-18180}"
else
  readonly HISTORY_PORT="${LOCAL_SPARK_HISTORY_PORT:-18080}"
fi
readonly HISTORY_URL="http://$HOST:$HISTORY_PORT"
readonly HISTORY_CLASS=org.apache.spark.deploy.history.HistoryServer
readonly EVENT_DIR="$STATE_DIR/events"

# daemon_class NAME: the main class of one of our daemons.
daemon_class() {
  case "$1" in
    worker) printf '%s\n' "$WORKER_CLASS" ;;
    history) printf '%s\n' "$HISTORY_CLASS" ;;
    *) printf '%s\n' "$MASTER_CLASS" ;;
  esac
}

# worker_conf_dir: the conf dir the worker hands to what it launches. With event logs on, a copy of
# $SPARK_HOME/conf whose java-opts also turns event logging on (a submitted spark.eventLog.* still
# wins: it comes later on the command line); SPARK_HOME itself is shared and left untouched.
worker_conf_dir() {
  if [[ "$HISTORY" == off ]]; then
    printf '%s\n' "${SPARK_CONF_DIR:-$SPARK_HOME/conf}"
    return 0
  fi
  local conf="$STATE_DIR/conf" opts=""
  mkdir -p "$conf" "$EVENT_DIR"
  if [[ -d "$SPARK_HOME/conf" ]]; then cp -R "$SPARK_HOME/conf/." "$conf/"; fi
  if [[ -f "$SPARK_HOME/conf/java-opts" ]]; then opts="$(cat "$SPARK_HOME/conf/java-opts")"; fi
  printf '%s -Dspark.eventLog.enabled=true -Dspark.eventLog.dir=file://%s\n' "$opts" "$EVENT_DIR" >"$conf/java-opts"
  printf '%s\n' "$conf"
}

history_up() {
  [[ "$HISTORY" == on ]] || return 0
  http_get "$HISTORY_URL/api/v1/version" | grep -q '"spark"'
}

# start_history: the History Server on $HISTORY_PORT, checking for new event logs every second
# (Spark's default is 10 s) so a finished application is listed soon after its driver exits.
start_history() {
  [[ "$HISTORY" == on ]] || return 0
  if running_pid history "$HISTORY_CLASS" >/dev/null; then return 0; fi
  if port_open "$HISTORY_PORT"; then
    die "port $HOST:$HISTORY_PORT (History Server) is already in use by a process this script did not start; stop it, choose another with LOCAL_SPARK_HISTORY_PORT, or set LOCAL_SPARK_HISTORY=off"
  fi
  mkdir -p "$EVENT_DIR"
  DAEMON_ARGS=()
  launch history "$HISTORY_CLASS" "-Dspark.history.fs.logDirectory=file://$EVENT_DIR" \
    "-Dspark.history.ui.port=$HISTORY_PORT" -Dspark.history.fs.update.interval=1s
}

# wait_history: until the History Server answers its REST API (or died / timed out).
wait_history() {
  [[ "$HISTORY" == on ]] || return 0
  local deadline=$((SECONDS + START_TIMEOUT))
  until history_up; do
    if ! running_pid history "$HISTORY_CLASS" >/dev/null; then
      tail_log "$LOG_DIR/history.log"
      die "the History Server exited during start-up (log: $LOG_DIR/history.log)"
    fi
    ((SECONDS < deadline)) || die "the History Server did not answer on $HISTORY_URL after ${START_TIMEOUT}s (log: $LOG_DIR/history.log)"
    sleep 0.25
  done
}

history_status() {
  local pid
  if [[ "$HISTORY" == off ]]; then
    echo "history: off"
  elif pid="$(running_pid history "$HISTORY_CLASS")" && history_up; then
    echo "history: up (pid $pid) $HISTORY_URL, event logs $EVENT_DIR"
  else
    echo "history: down"
    return 1
  fi
}

# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------

cmd_home() {
  prepare_home
  printf '%s\n' "$SPARK_HOME"
}

cmd_start() {
  need curl "install curl (used to probe the master and the REST server)"
  local started=$SECONDS
  if running_pid master "$MASTER_CLASS" >/dev/null && running_pid worker "$WORKER_CLASS" >/dev/null &&
    worker_registered && (($(alive_workers) >= 1)) && rest_up &&
    { [[ "$HISTORY" == off ]] || running_pid history "$HISTORY_CLASS" >/dev/null; } && history_up; then
    log "already running"
    print_env
    return 0
  fi
  prepare_home
  mkdir -p "$LOG_DIR" "$STATE_DIR/local"
  # A failed start stops what it launched, so the next start begins clean.
  trap 'on_start_exit $?' EXIT
  check_ports
  start_master
  # A worker that starts before the master listens retries only after 5-15 s: wait for the port.
  wait_master_port
  start_worker
  start_history
  wait_ready
  wait_history
  print_env | tee "$STATE_DIR/env"
  log "ready in $((SECONDS - started))s"
}

on_start_exit() {
  if (($1 != 0 && ${#LAUNCHED[@]} > 0)); then
    log "start failed; stopping what it launched (${LAUNCHED[*]})"
    stop_daemons "${LAUNCHED[@]}"
  fi
}

cmd_stop() {
  stop_daemons
  rm -f "$STATE_DIR/env"
}

cmd_status() {
  local ok=0 pid workers
  if pid="$(running_pid master "$MASTER_CLASS")"; then
    echo "master: up (pid $pid) $MASTER_URL, UI $MASTER_UI_URL"
  else
    echo "master: down"
    ok=1
  fi
  if pid="$(running_pid worker "$WORKER_CLASS")"; then
    workers="$(alive_workers)"
    if ((workers >= 1)) && worker_registered; then
      echo "worker: up (pid $pid) ALIVE in master, UI $WORKER_UI_URL"
    else
      echo "worker: process up (pid $pid) but not registered with the master (master lists $workers ALIVE)"
      ok=1
    fi
  else
    echo "worker: down"
    ok=1
  fi
  if [[ "$REST" == off ]]; then echo "rest:   off (Spark as shipped; submit to $MASTER_URL)"; elif rest_up; then echo "rest:   up $REST_URL"; else
    echo "rest:   down"
    ok=1
  fi
  history_status || ok=1
  if ((ok == 0)); then print_env; fi
  echo "logs:   $LOG_DIR"
  return "$ok"
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

# lock_state: one start/stop at a time per state dir (parallel test runners, several shells).
lock_state() {
  mkdir -p "$STATE_DIR"
  exec 8>"$STATE_DIR/.lock"
  if command -v flock >/dev/null 2>&1; then
    flock -w "$((START_TIMEOUT + FETCH_LOCK_TIMEOUT))" 8 || die "timed out waiting for another start/stop on $STATE_DIR"
  fi
}

DAEMON_ARGS=()
LAUNCH_ENV=()
LAUNCH_CP=""
LAUNCHED=()
AUTH_OPTS=()
# A test cluster only: the secret is on the daemons' command lines.
if [[ -n "$AUTH_SECRET" ]]; then AUTH_OPTS=(-Dspark.authenticate=true "-Dspark.authenticate.secret=$AUTH_SECRET"); fi
case "${1:-}" in
  start) lock_state && cmd_start ;;
  stop) lock_state && cmd_stop ;;
  status) cmd_status ;;
  home) cmd_home ;;
  *) usage ;;
esac
