#!/usr/bin/env bash
# End-to-end check of the local Spark cluster through the REST submission API, with curl only:
# a finishing driver (SparkPi-like), a Parquet/CSV writer, a missing main class (FAILED), a missing
# jar (ERROR), a kill (KILLED), and unknown ids. Prints timings; exits non-zero on any surprise.
#
#   scripts/local-spark/smoke.sh [--fixtures DIR]
#
# --fixtures DIR also saves the real responses as golden files (machine paths replaced by
# <SPARK_HOME>, <STATE_DIR>, <JOB_DIR>, <JAVA_HOME>); run it on a freshly started cluster so the master JSON
# holds only this run. Starts the cluster with scripts/local-spark.sh if it is not up.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR
readonly LOCAL_SPARK="$SCRIPT_DIR/../local-spark.sh"
FIXTURES=""
if [[ "${1:-}" == --fixtures ]]; then
  FIXTURES="${2:?--fixtures needs a directory}"
  mkdir -p "$FIXTURES"
  FIXTURES="$(cd "$FIXTURES" && pwd)"
fi
readonly FIXTURES

for tool in curl jq javac jar; do
  command -v "$tool" >/dev/null 2>&1 || { echo "smoke: '$tool' is required" >&2; exit 1; }
done

cluster_env="$("$LOCAL_SPARK" start)"
eval "$(grep -E '^[A-Z_]+=' <<<"$cluster_env")"
: "${SPARK_HOME:?}" "${SPARK_VERSION:?}" "${SPARK_REST_URL:?}" "${SPARK_MASTER_UI_URL:?}" "${SPARK_WORKER_UI_URL:?}" "${LOCAL_SPARK_STATE_DIR:?}"
readonly REST="$SPARK_REST_URL/v1/submissions"
readonly JOB_DIR="$LOCAL_SPARK_STATE_DIR/smoke"
readonly JAR="$JOB_DIR/smoke-job.jar"
FAILURES=0
# The JVM the worker launches drivers with (it shows in their "Launch Command").
JAVA_HOME_DIR="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
readonly JAVA_HOME_DIR

say() { printf 'smoke: %s\n' "$*" >&2; }
fail() {
  say "FAIL: $*"
  FAILURES=$((FAILURES + 1))
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# save NAME: stdin (a response body) → $FIXTURES/NAME with machine paths replaced.
save() {
  local body
  body="$(cat)"
  [[ -n "$FIXTURES" ]] || return 0
  body="${body//$JOB_DIR/<JOB_DIR>}"
  body="${body//$LOCAL_SPARK_STATE_DIR/<STATE_DIR>}"
  body="${body//$SPARK_HOME/<SPARK_HOME>}"
  body="${body//$JAVA_HOME_DIR/<JAVA_HOME>}"
  printf '%s\n' "$body" >"$FIXTURES/$1"
}

# build_jar: compile SmokeJob against the cluster's own jars.
build_jar() {
  rm -rf "$JOB_DIR/classes"
  mkdir -p "$JOB_DIR/classes"
  javac -nowarn --release 8 -cp "$SPARK_HOME/jars/*" -d "$JOB_DIR/classes" "$SCRIPT_DIR/SmokeJob.java" 2>"$JOB_DIR/javac.log" ||
    { cat "$JOB_DIR/javac.log" >&2; exit 1; }
  jar cf "$JAR" -C "$JOB_DIR/classes" .
}

# request NAME MAIN_CLASS ARGS_JSON [JAR]: a CreateSubmissionRequest as spark-submit would send it.
request() {
  jq -n --arg name "$1" --arg main "$2" --argjson args "$3" --arg jar "file:${4:-$JAR}" \
    --arg master "spark://${SPARK_REST_URL#http://}" --arg version "$SPARK_VERSION" '{
    action: "CreateSubmissionRequest",
    appResource: $jar,
    clientSparkVersion: $version,
    mainClass: $main,
    appArgs: $args,
    sparkProperties: {
      "spark.app.name": $name,
      "spark.master": $master,
      "spark.submit.deployMode": "cluster",
      "spark.jars": $jar,
      "spark.driver.supervise": "false",
      "spark.driver.memory": "512m",
      "spark.executor.memory": "512m",
      "spark.cores.max": "1"
    },
    environmentVariables: {}
  }'
}

# create REQUEST_JSON: POST it, print the response body.
create() {
  curl -sS -X POST -H 'Content-Type: application/json;charset=UTF-8' --data "$1" "$REST/create"
}

status() { curl -sS "$REST/status/$1"; }
state_of() { jq -r '.driverState // "NONE"' <<<"$1"; }

# wait_terminal ID: poll status every 100 ms until a terminal state; print the last body.
# Writes the first RUNNING body seen to $JOB_DIR/running.json.
wait_terminal() {
  local id="$1" body state seen="" deadline=$(($(now_ms) + 180000))
  rm -f "$JOB_DIR/running.json"
  while (($(now_ms) < deadline)); do
    body="$(status "$id")"
    state="$(state_of "$body")"
    if [[ "$state" == RUNNING && -z "$seen" ]]; then
      seen=1
      printf '%s\n' "$body" >"$JOB_DIR/running.json"
      say "  $id RUNNING after $(($(now_ms) - T0)) ms"
    fi
    case "$state" in
      FINISHED | FAILED | ERROR | KILLED)
        printf '%s\n' "$body"
        return 0
        ;;
    esac
    sleep 0.1
  done
  fail "$id did not reach a terminal state in 180 s"
  printf '%s\n' "$body"
}

# wait_master_json ID APP_NAME: until /json/ lists the driver and the app as completed.
wait_master_json() {
  local id="$1" app="$2" json deadline=$(($(now_ms) + 30000))
  while (($(now_ms) < deadline)); do
    json="$(curl -sS "$SPARK_MASTER_UI_URL/json/")"
    if jq -e --arg id "$id" --arg app "$app" \
      'any(.completeddrivers[]; .id == $id) and any(.completedapps[]; .name == $app)' >/dev/null <<<"$json"; then
      printf '%s\n' "$json"
      return 0
    fi
    sleep 0.1
  done
  fail "/json/ did not list $id and app $app as completed within 30 s"
  printf '%s\n' "$json"
}

driver_log() { curl -sS "$SPARK_WORKER_UI_URL/log/?driverId=$1&logType=$2&byteLength=1000000"; }

expect_state() {
  local got
  got="$(state_of "$2")"
  if [[ "$got" == "$1" ]]; then say "  state $got as expected"; else fail "expected $1, got $got: $2"; fi
}

build_jar
say "job jar: $JAR"

# 1. SparkPi: create → RUNNING → FINISHED, master JSON, driver stdout.
say "1. pi (expect FINISHED)"
req="$(request smoke-pi SmokeJob '["pi","4"]')"
save create-request.json <<<"$req"
T0="$(now_ms)"
resp="$(create "$req")"
say "  create answered in $(($(now_ms) - T0)) ms"
save create-response.json <<<"$resp"
id="$(jq -r .submissionId <<<"$resp")"
final="$(wait_terminal "$id")"
t_rest=$(($(now_ms) - T0))
if [[ -f "$JOB_DIR/running.json" ]]; then save status-running.json <"$JOB_DIR/running.json"; else fail "never saw RUNNING"; fi
save status-finished.json <<<"$final"
expect_state FINISHED "$final"
json="$(wait_master_json "$id" smoke-pi)"
say "  REST FINISHED after $t_rest ms; /json/ completed after $(($(now_ms) - T0)) ms"
save master-json-completed.json <<<"$json"
jq -e --arg id "$id" 'any(.completeddrivers[]; .id == $id and .state == "FINISHED")' >/dev/null <<<"$json" ||
  fail "/json/ does not show $id FINISHED"
out="$(driver_log "$id" stdout)"
save worker-log-stdout-finished.txt <<<"$out"
if grep -q 'Pi is roughly' <<<"$out"; then say "  driver stdout: $(grep 'Pi is roughly' <<<"$out")"; else fail "no 'Pi is roughly' in driver stdout: $out"; fi

# 2. Spark SQL writes Parquet and CSV and reads them back.
say "2. write parquet+csv (expect FINISHED)"
T0="$(now_ms)"
resp="$(create "$(request smoke-write SmokeJob "[\"write\",\"$JOB_DIR/out\"]")")"
id="$(jq -r .submissionId <<<"$resp")"
final="$(wait_terminal "$id")"
expect_state FINISHED "$final"
say "  $(driver_log "$id" stdout | grep 'wrote parquet' || echo 'no output line')"

# 3. A main class that does not exist: the driver JVM exits non-zero.
say "3. missing main class (expect FAILED)"
T0="$(now_ms)"
resp="$(create "$(request smoke-no-class com.example.DoesNotExist '[]')")"
id="$(jq -r .submissionId <<<"$resp")"
final="$(wait_terminal "$id")"
save status-failed.json <<<"$final"
expect_state FAILED "$final"
err="$(driver_log "$id" stderr)"
save worker-log-stderr-failed.txt <<<"$err"
say "  stderr: $(grep -m1 'Exception in thread' <<<"$err" || echo '(no exception line)')"

# 4. A jar that does not exist: the worker cannot fetch it.
say "4. missing jar (expect ERROR)"
T0="$(now_ms)"
resp="$(create "$(request smoke-no-jar SmokeJob '["pi"]' "$JOB_DIR/does-not-exist.jar")")"
id="$(jq -r .submissionId <<<"$resp")"
final="$(wait_terminal "$id")"
save status-error.json <<<"$final"
expect_state ERROR "$final"
say "  message: $(jq -r '.message // ""' <<<"$final" | sed -n 2p)"

# 5. Kill a running driver.
say "5. kill a running driver (expect KILLED)"
T0="$(now_ms)"
resp="$(create "$(request smoke-kill SmokeJob '["sleep","300"]')")"
id="$(jq -r .submissionId <<<"$resp")"
deadline=$(($(now_ms) + 60000))
until jq -e 'any(.activeapps[]; .name == "smoke-kill" and .state == "RUNNING")' >/dev/null \
  <<<"$(curl -sS "$SPARK_MASTER_UI_URL/json/")"; do
  (($(now_ms) < deadline)) || { fail "smoke-kill app never RUNNING"; break; }
  sleep 0.2
done
save master-json-running.json <<<"$(curl -sS "$SPARK_MASTER_UI_URL/json/")"
T0="$(now_ms)"
kill_resp="$(curl -sS -X POST "$REST/kill/$id")"
save kill-response.json <<<"$kill_resp"
final="$(wait_terminal "$id")"
say "  KILLED $(($(now_ms) - T0)) ms after the kill request"
save status-killed.json <<<"$final"
expect_state KILLED "$final"
save kill-response-already-finished.json <<<"$(curl -sS -X POST "$REST/kill/$id")"

# 6. Unknown ids and malformed requests.
say "6. unknown ids and errors"
body="$(status driver-19700101000000-9999)"
save status-unknown.json <<<"$body"
[[ "$(jq -r .success <<<"$body")" == false ]] || fail "status of an unknown id did not say success:false"
save kill-response-unknown.json <<<"$(curl -sS -X POST "$REST/kill/driver-19700101000000-9999")"
# error-<http code>-<what>.json
bad="$(request smoke-bad SmokeJob '[]' | jq 'del(.sparkProperties["spark.app.name"])')"
code="$(curl -sS -o "$JOB_DIR/e1" -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data "$bad" "$REST/create")"
save "error-$code-create-without-app-name.json" <"$JOB_DIR/e1"
code="$(curl -sS -o "$JOB_DIR/e2" -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data 'not json' "$REST/create")"
save "error-$code-create-malformed-json.json" <"$JOB_DIR/e2"
code="$(curl -sS -o "$JOB_DIR/e3" -w '%{http_code}' "$SPARK_REST_URL/v2/submissions/status/x")"
save "error-$code-unknown-protocol-version.json" <"$JOB_DIR/e3"
code="$(curl -sS -o "$JOB_DIR/e4" -w '%{http_code}' "$REST/status/")"
save "error-$code-status-without-id.json" <"$JOB_DIR/e4"

if ((FAILURES > 0)); then
  say "$FAILURES check(s) failed; cluster logs: $LOCAL_SPARK_STATE_DIR/logs, driver logs: $LOCAL_SPARK_STATE_DIR/work"
  exit 1
fi
say "all checks passed"
