#!/usr/bin/env bash
# install-kubeconform.sh - install kubeconform (the Kubernetes manifest validator) from its Go module, pinned
# and idempotent, into ${XDG_CACHE_HOME:-$HOME/.cache}/spark-deploy-action/kubeconform/<version>/bin.
#
# Usage: install-kubeconform.sh [--version vX.Y.Z] [--print-path] [--check] [--force] [--quiet] [--help]
#   (see scripts/install-go-tool.sh for what each does)
# Environment: KUBECONFORM_VERSION (default below; --version wins), SPARK_DEPLOY_TOOLS_CACHE, GOPROXY.
# Use: PATH="$(bash scripts/install-kubeconform.sh --print-path):$PATH"
# Needs Go 1.26 or later (kubeconform v0.8.0's go.mod), or a Go that fetches that toolchain.
set -euo pipefail

# Pinned: the latest release on the Go module proxy when this was written
# (`go list -m -versions github.com/yannh/kubeconform`).
readonly DEFAULT_VERSION="v0.8.0"

# Upstream's release build sets main.version, so `kubeconform -v` reports the version only when it is set.
exec bash "$(dirname "$0")/install-go-tool.sh" \
  --name kubeconform \
  --package github.com/yannh/kubeconform/cmd/kubeconform \
  --version "${KUBECONFORM_VERSION:-$DEFAULT_VERSION}" \
  --version-flag -v \
  --version-var main.version \
  "$@"
