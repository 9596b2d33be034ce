#!/usr/bin/env bash
# install-act.sh - install act (nektos/act, runs GitHub Actions workflows locally) from its Go module, pinned
# and idempotent, into ${XDG_CACHE_HOME:-$HOME/.cache}/spark-deploy-action/act/<version>/bin. The workflow
# scenarios (test/e2e/workflows.e2e.ts, test/helpers/act/) run the reusable workflows and the examples with it.
#
# Usage: install-act.sh [--version vX.Y.Z] [--print-path] [--check] [--force] [--quiet] [--help]
#   (see scripts/install-go-tool.sh for what each does)
# Environment: ACT_VERSION (default below; --version wins), SPARK_DEPLOY_TOOLS_CACHE, GOPROXY.
# Use: PATH="$(bash scripts/install-act.sh --print-path):$PATH"
# Needs Go 1.24 or later (act v0.2.89's go.mod), or a Go that fetches that toolchain. The first build takes a
# few minutes on two cores; later runs find the cached binary.
set -euo pipefail

# Pinned: upgrade by changing this line (`go list -m -versions github.com/nektos/act`). act v0.2.89 refuses a
# job's `environment: { deployment: false }` (nektos/act#6086); the harness rewrites a temporary copy of the
# workflows for it (test/helpers/act/workflows.ts) — check whether that is still needed when upgrading.
readonly DEFAULT_VERSION="v0.2.89"

# Upstream's release build sets main.version; `act --version` prints "act version <version>".
exec bash "$(dirname "$0")/install-go-tool.sh" \
  --name act \
  --package github.com/nektos/act \
  --version "${ACT_VERSION:-$DEFAULT_VERSION}" \
  --version-flag --version \
  --version-prefix 'act version ' \
  --version-var main.version \
  "$@"
