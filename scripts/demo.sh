#!/usr/bin/env bash
# demo.sh - the main job (the README's first command): on a fresh machine, install sbt and a local
# Spark, start a real standalone master + worker on 127.0.0.1, build examples/etl-app with sbt, and run
# the bundled action as a runner would: build -> verify -> deploy to the local cluster (the image stage is
# skipped: the standalone target runs the JAR itself). Prints the stage table, Spark UI links and the
# ETL output. Leaves Spark running for you to browse (stop it: bash scripts/local-spark.sh stop).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
sbt_dir=$(bash scripts/install-sbt.sh --print-path --quiet)
export PATH="$sbt_dir:$PATH"
[ -f dist/index.js ] || npm run --silent bundle
bash scripts/local-spark.sh start

exec node scripts/demo.mjs
