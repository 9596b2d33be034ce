#!/usr/bin/env bash
# setup.sh - install everything the tests and the demo need on a fresh machine, idempotently:
# npm dependencies, unzip (oracle for the zip reader tests), sbt (scripts/install-sbt.sh) and the local
# Spark home (scripts/local-spark.sh home). Each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

if ! command -v unzip >/dev/null 2>&1; then
  log "installing unzip (apt)"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq unzip >/dev/null
  else
    sudo apt-get update -qq >/dev/null && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq unzip >/dev/null
  fi
fi

sbt_dir=$(bash scripts/install-sbt.sh --print-path --quiet)
case ":$PATH:" in *":$sbt_dir:"*) ;; *) export PATH="$sbt_dir:$PATH" ;; esac
command -v sbt >/dev/null || { log "sbt is not on PATH after install"; exit 1; }

# actionlint (workflow lint, test/unit/workflows.test.ts) and kubeconform (manifest validation,
# test/e2e/kubernetes.e2e.ts), each built from its Go module; the tests find them in their cache.
bash scripts/install-actionlint.sh --quiet >/dev/null
bash scripts/install-kubeconform.sh --quiet >/dev/null
# act runs the workflows users copy (test/e2e/workflows.e2e.ts); its first build takes a few minutes.
bash scripts/install-act.sh --quiet >/dev/null

# Node 24: the runtime action.yml names; the tests run the bundle with it (scripts/run-action.mjs).
bash scripts/install-node.sh >/dev/null

bash scripts/local-spark.sh home >/dev/null
log "ready: sbt in $sbt_dir, Spark home prepared"
