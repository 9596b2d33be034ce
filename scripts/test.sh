#!/usr/bin/env bash
# test.sh - the one command that runs every test (the README's test command; .ci/run calls exactly this).
# Installs what is missing (scripts/setup.sh), bundles dist/, starts the real local Spark for the
# end-to-end tests, runs typecheck, lint, unit and end-to-end tests, and stops Spark again.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
sbt_dir=$(bash scripts/install-sbt.sh --print-path --quiet)
export PATH="$sbt_dir:$PATH"

npm run --silent bundle >/dev/null
npm run --silent typecheck
npm run --silent lint
npm run --silent test:unit

started_spark=0
if ! bash scripts/local-spark.sh status >/dev/null 2>&1; then
  bash scripts/local-spark.sh start
  started_spark=1
fi
cleanup() { if [ "$started_spark" = 1 ]; then bash scripts/local-spark.sh stop || true; fi; }
trap cleanup EXIT

npm run --silent test:e2e
