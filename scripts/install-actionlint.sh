#!/usr/bin/env bash
# install-actionlint.sh - install actionlint (the GitHub Actions workflow linter) from its Go module, pinned
# and idempotent, into ${XDG_CACHE_HOME:-$HOME/.cache}/spark-deploy-action/actionlint/<version>/bin.
#
# Usage: install-actionlint.sh [--version vX.Y.Z] [--print-path] [--check] [--force] [--quiet] [--help]
#   (see scripts/install-go-tool.sh for what each does)
# Environment: ACTIONLINT_VERSION (default below; --version wins), SPARK_DEPLOY_TOOLS_CACHE, GOPROXY.
# Use: PATH="$(bash scripts/install-actionlint.sh --print-path):$PATH"
# Needs Go 1.25 or later (actionlint's go.mod), or a Go that fetches that toolchain.
set -euo pipefail

# Pinned: upgrade by changing this line (list versions with `go list -m -versions github.com/rhysd/actionlint`).
readonly DEFAULT_VERSION="v1.7.12"

exec bash "$(dirname "$0")/install-go-tool.sh" \
  --name actionlint \
  --package github.com/rhysd/actionlint/cmd/actionlint \
  --version "${ACTIONLINT_VERSION:-$DEFAULT_VERSION}" \
  --version-flag -version \
  "$@"
