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
# machine, 6.6 GB of Go caches; seconds warm): in the
# background, beside bundling, typecheck, lint and the unit tests.
k8s_build_log="$(mktemp)"
bash scripts/local-k8s.sh build >"$k8s_build_log" 2>&1 &
k8s_build=$!

npm run --silent bundle >/dev/null
npm run --silent typecheck
npm run --silent lint
npm run --silent test:unit

if ! wait "$k8s_build"; then
  tail -n 30 "$k8s_build_log" >&2
  echo "test.sh: building the local Kubernetes control plane failed (scripts/local-k8s.sh build)" >&2
  exit 1
fi
rm -f "$k8s_build_log"

# Real local components for the end-to-end tests; each is stopped again only if this script started it.
started=()
shipped=()
cleanup() {
  local c
  for c in "${started[@]}"; do bash "scripts/local-$c.sh" stop >/dev/null 2>&1 || true; done
  for c in "${shipped[@]}"; do env $c bash scripts/local-spark.sh stop >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
for c in spark moto registry k8s; do
  if ! bash "scripts/local-$c.sh" status >/dev/null 2>&1; then
    bash "scripts/local-$c.sh" start >/dev/null
    started+=("$c")
  fi
done

# Spark as shipped (REST off), and with shared-secret auth, each beside the REST-on cluster on its own ports;
# a REST-on cluster whose nodes read s3a:// from moto (hadoop-aws; standalone.jar.stage: s3). Only the
# shared REST-on cluster needs a History Server (test/e2e/spark-run.e2e.ts).
for c in "LOCAL_SPARK_REST=off LOCAL_SPARK_HISTORY=off" \
  "LOCAL_SPARK_REST=off LOCAL_SPARK_AUTH_SECRET=local-spark-test-secret LOCAL_SPARK_HISTORY=off" \
  "LOCAL_SPARK_S3_ENDPOINT=http://127.0.0.1:${LOCAL_MOTO_PORT:-5055} LOCAL_SPARK_HISTORY=off"; do
  if ! env $c bash scripts/local-spark.sh status >/dev/null 2>&1; then
    env $c bash scripts/local-spark.sh start >/dev/null
    shipped+=("$c")
  fi
done

npm run --silent test:e2e
