#!/usr/bin/env bash
# test.sh - the one command that runs every test (the README's test command; .ci/run calls exactly this).
# Installs what is missing (scripts/setup.sh), bundles dist/, starts the real local Spark, moto (S3/EMR),
# registry and Kubernetes control plane with the Spark Operator (scripts/local-k8s.sh) for the end-to-end
# tests, runs typecheck, lint, unit and end-to-end tests (among them the
# workflows users copy, run with act: test/e2e/workflows.e2e.ts), and stops Spark again.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
sbt_dir=$(bash scripts/install-sbt.sh --print-path --quiet)
export PATH="$sbt_dir:$PATH"

# The local Kubernetes control plane is built from Go modules (measured 31 min cold on a busy 2-core
# machine, 6.6 GB of Go caches; seconds warm): in the background, beside bundling, typecheck, lint, the unit
# tests and the two other end-to-end lanes; its own lane starts when it is built.
k8s_build_log="$(mktemp)"
bash scripts/local-k8s.sh build >"$k8s_build_log" 2>&1 &
k8s_build=$!

npm run --silent bundle >/dev/null
npm run --silent typecheck
npm run --silent lint
npm run --silent test:unit

# Real local components for the end-to-end tests; each is stopped again only if this script started it.
started=()
shipped=()
cleanup() {
  local c
  rm -rf "${shared_dir:-}"
  for c in "${started[@]}"; do bash "scripts/local-$c.sh" stop >/dev/null 2>&1 || true; done
  for c in "${shipped[@]}"; do env $c bash scripts/local-spark.sh stop >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
for c in spark moto registry; do
  if ! bash "scripts/local-$c.sh" status >/dev/null 2>&1; then
    bash "scripts/local-$c.sh" start >/dev/null
    started+=("$c")
  fi
done

# Spark as shipped (REST off), and with shared-secret auth, each beside the REST-on cluster on its own ports;
# a REST-on cluster whose nodes read s3a:// from moto (hadoop-aws; standalone.jar.stage: s3); and a REST-on
# cluster of the act workflows' own (vitest.e2e.config.ts runs them in a second lane, beside the files that
# use the README's cluster). Only the README's cluster needs a History Server (test/e2e/spark-run.e2e.ts).
# They start side by side: each waits for its own master and worker.
act_state="${TMPDIR:-/tmp}/spark-deploy-action/local-spark-act"
pids=()
for c in "LOCAL_SPARK_REST=off LOCAL_SPARK_HISTORY=off" \
  "LOCAL_SPARK_REST=off LOCAL_SPARK_AUTH_SECRET=local-spark-test-secret LOCAL_SPARK_HISTORY=off" \
  "LOCAL_SPARK_S3_ENDPOINT=http://127.0.0.1:${LOCAL_MOTO_PORT:-5055} LOCAL_SPARK_HISTORY=off" \
  "SPARK_DEPLOY_STATE_DIR=$act_state LOCAL_SPARK_MASTER_PORT=7477 LOCAL_SPARK_REST_PORT=6466 LOCAL_SPARK_MASTER_UI_PORT=8480 LOCAL_SPARK_WORKER_UI_PORT=8481 LOCAL_SPARK_HISTORY=off"; do
  if ! env $c bash scripts/local-spark.sh status >/dev/null 2>&1; then
    env $c bash scripts/local-spark.sh start >/dev/null &
    pids+=($!)
    shipped+=("$c")
  fi
done
for p in "${pids[@]}"; do wait "$p"; done

# The lanes of vitest.e2e.config.ts side by side (they share no service), each line prefixed with its lane;
# the example JAR is built once, by whichever lane asks first (test/e2e/global-setup.ts). The kubernetes lane
# starts once the control plane is built and started.
shared_dir=$(mktemp -d "${TMPDIR:-/tmp}/spark-deploy-e2e-shared-XXXXXX")
export SPARK_DEPLOY_E2E_SHARED_DIR="$shared_dir"
lane() {
  set -o pipefail
  npx vitest run --config vitest.e2e.config.ts --project "$1" 2>&1 | sed -u "s/^/[$1] /"
}
lane shared-spark &
shared_pid=$!
lane own-services &
own_pid=$!
rc=0
if ! wait "$k8s_build"; then
  tail -n 30 "$k8s_build_log" >&2
  echo "test.sh: building the local Kubernetes control plane failed (scripts/local-k8s.sh build)" >&2
  rc=1
elif ! bash scripts/local-k8s.sh status >/dev/null 2>&1; then
  if bash scripts/local-k8s.sh start >/dev/null; then started+=(k8s); else rc=1; fi
fi
rm -f "$k8s_build_log"
if [[ "$rc" == 0 ]]; then lane kubernetes || rc=1; fi
wait "$shared_pid" || rc=1
wait "$own_pid" || rc=1
rm -rf "$shared_dir"
exit "$rc"
