#!/usr/bin/env bash
# install-kubeconform.sh - install kubeconform (the Kubernetes manifest validator) from its Go module,
# idempotently.
#
# What it does:
#   * runs `go install github.com/yannh/kubeconform/cmd/kubeconform@<version>` with its own GOPATH,
#     GOBIN, GOMODCACHE and GOCACHE under
#       ${XDG_CACHE_HOME:-$HOME/.cache}/spark-deploy-action/kubeconform/<version>/
#     so it works on a fresh machine (no GOPATH, no go.mod in the current directory) and never touches the
#     user's Go setup; the module download is checked against sum.golang.org as `go install` always does;
#   * skips everything when that directory already holds a kubeconform binary that reports <version>;
#   * in a GitHub Actions step it also appends the bin directory to $GITHUB_PATH.
#
# Usage: install-kubeconform.sh [--version vX.Y.Z] [--print-path] [--force] [--quiet] [--help]
#
# Environment:
#   KUBECONFORM_VERSION          module version (default below; --version wins)
#   SPARK_DEPLOY_KUBECONFORM_CACHE  cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/spark-deploy-action/kubeconform)
#   GOPROXY                      Go module proxy (default: Go's own, https://proxy.golang.org,direct)
#
# Output: progress goes to stderr. stdout gets the directory that contains `kubeconform` (with
# --print-path, only that line), so a workflow or script can do:
#   PATH="$(bash scripts/install-kubeconform.sh --print-path):$PATH"
#
# Needs: go on PATH (v0.8.0 declares go 1.26; Go 1.21 or later fetches that toolchain from the module
# proxy when it is older). Works unattended (CI=true, no stdin): it never prompts.
set -euo pipefail

# The latest release on the Go module proxy when this was pinned (go list -m -versions github.com/yannh/kubeconform).
readonly DEFAULT_VERSION="v0.8.0"
readonly MODULE="github.com/yannh/kubeconform"

version="${KUBECONFORM_VERSION:-$DEFAULT_VERSION}"
print_path=0
force=0
quiet=0

log() { [ "$quiet" = 1 ] || printf 'install-kubeconform: %s\n' "$*" >&2; }
die() { printf 'install-kubeconform: error: %s\n' "$*" >&2; exit 1; }

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --version) [ $# -ge 2 ] || die "--version needs a value"; version="$2"; shift 2 ;;
    --version=*) version="${1#*=}"; shift ;;
    --print-path) print_path=1; quiet=1; shift ;;
    --force) force=1; shift ;;
    --quiet|-q) quiet=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

case "$version" in
  v[0-9]*.[0-9]*.[0-9]*) ;;
  [0-9]*.[0-9]*.[0-9]*) version="v$version" ;;
  *) die "invalid kubeconform version '$version' (expected e.g. $DEFAULT_VERSION)" ;;
esac

[ -n "${HOME:-}" ] || die "HOME is not set"
cache_root="${SPARK_DEPLOY_KUBECONFORM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/spark-deploy-action/kubeconform}"
install_dir="$cache_root/$version"
bin_dir="$install_dir/bin"
binary="$bin_dir/kubeconform"

# installed_version prints what the cached binary says it is (empty when it does not run).
installed_version() {
  [ -x "$binary" ] || return 0
  "$binary" -v 2>/dev/null | head -n 1 | tr -d '\r' || true
}

have="$(installed_version)"
if [ "$force" = 0 ] && [ "$have" = "$version" ]; then
  log "kubeconform $version already installed: $binary (go install skipped)"
else
  command -v go >/dev/null 2>&1 || die "go is not on PATH: install Go 1.26 or later (https://go.dev/dl/) or apt-get install golang-go"
  [ -n "$have" ] && log "cached binary reports '$have', not $version: installing again"
  mkdir -p "$bin_dir"
  log "go install $MODULE/cmd/kubeconform@$version (into $bin_dir)"
  # Everything Go writes stays in the cache directory. GOFLAGS=-mod=mod (replacing the caller's GOFLAGS) so
  # a go.mod or vendor directory around cannot interfere; CGO_ENABLED=0 for a static binary without a C
  # compiler. The version string is set the way upstream's
  # release build does (main.version), so `kubeconform -v` answers with it and the skip above works.
  (
    cd "$install_dir"
    env GOPATH="$install_dir/gopath" \
      GOBIN="$bin_dir" \
      GOMODCACHE="$install_dir/gopath/pkg/mod" \
      GOCACHE="$install_dir/gocache" \
      GOFLAGS="-mod=mod" \
      GO111MODULE=on \
      CGO_ENABLED=0 \
      go install -trimpath -ldflags "-s -w -X main.version=$version" "$MODULE/cmd/kubeconform@$version"
  ) >&2 || die "go install $MODULE/cmd/kubeconform@$version failed (see above)"
  # The build cache is only needed to build; the module cache is read-only by design: make it removable.
  chmod -R u+w "$install_dir/gopath" 2>/dev/null || true
  rm -rf "$install_dir/gocache" "$install_dir/gopath"
  have="$(installed_version)"
  [ -x "$binary" ] || die "go install finished but $binary is missing"
  [ "$have" = "$version" ] || die "$binary reports '$have', expected $version"
  log "installed $binary ($have)"
fi

# Inside a GitHub Actions step: later steps get the directory on PATH.
if [ -n "${GITHUB_PATH:-}" ] && { [ -w "$GITHUB_PATH" ] || [ -w "$(dirname "$GITHUB_PATH")" ]; }; then
  if ! grep -Fxq "$bin_dir" "$GITHUB_PATH" 2>/dev/null; then
    printf '%s\n' "$bin_dir" >> "$GITHUB_PATH"
    log "added $bin_dir to \$GITHUB_PATH (for the following workflow steps)"
  fi
fi

[ "$print_path" = 1 ] || log "kubeconform $version ready: $binary"
printf '%s\n' "$bin_dir"
