#!/usr/bin/env bash
# demo.sh - the main job (the README's first command): on a fresh machine, install sbt and a local
# Spark, start a real standalone master + worker on 127.0.0.1, build examples/etl-app with sbt, and run
# the bundled action as a runner would: build -> verify -> image (the daemonless oci builder, pushed to a
# local registry on 127.0.0.1:5000 on a small stand-in base) -> deploy to the local cluster (the standalone
# target runs the JAR itself). Prints the stage table, Spark UI links and the ETL output. Leaves Spark and
# the registry running for you to browse (stop them: bash scripts/local-spark.sh stop; bash
# scripts/local-registry.sh stop).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
sbt_dir=$(bash scripts/install-sbt.sh --print-path --quiet)
export PATH="$sbt_dir:$PATH"
[ -f dist/index.js ] || npm run --silent bundle
bash scripts/local-spark.sh start
bash scripts/local-registry.sh start >/dev/null
node scripts/local-base-image.mjs >/dev/null

exec node scripts/demo.mjs
