#!/usr/bin/env bash
# install-actionlint.sh - install actionlint (the GitHub Actions workflow linter) from its Go module,
# idempotently.
#
# What it does:
#   * builds github.com/rhysd/actionlint/cmd/actionlint@<version> with `go install` (through the Go
#     module proxy, checked against the Go checksum database) into
#       ${XDG_CACHE_HOME:-$HOME/.cache}/spark-deploy-action/actionlint/<version>/bin/
#     so CI can cache that directory and a second run does nothing;
#   * checks that the binary it finds there reports the pinned version (a half-written or foreign
#     binary is rebuilt);
#   * in a GitHub Actions step, appends the bin directory to $GITHUB_PATH; otherwise tells you which
#     directory to add to PATH.
#
# Usage: install-actionlint.sh [--version vX.Y.Z] [--print-path] [--check] [--force] [--quiet] [--help]
#   --print-path  print only the bin directory on stdout (progress stays quiet)
#   --check       install nothing: exit 0 when the pinned version is installed, 1 when not
#   --force       rebuild even when the pinned version is already there
#
# Environment:
#   ACTIONLINT_VERSION            version to install (default below; --version wins)
#   SPARK_DEPLOY_ACTIONLINT_CACHE cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/spark-deploy-action/actionlint)
#   GOPROXY, GOFLAGS, GOMODCACHE  honoured as go itself honours them
#
# Output: progress goes to stderr. stdout gets the directory that contains `actionlint`
# (with --print-path, only that line), so a script can do:
#   PATH="$(bash scripts/install-actionlint.sh --print-path):$PATH"
#
# Needs Go 1.25 or later (actionlint's go.mod); works unattended (CI=true, no stdin): it never prompts.
set -euo pipefail

# Pinned: upgrade by changing this line (list versions with
# `go list -m -versions github.com/rhysd/actionlint`).
readonly DEFAULT_ACTIONLINT_VERSION="v1.7.12"
readonly MODULE="github.com/rhysd/actionlint"

version="${ACTIONLINT_VERSION:-$DEFAULT_ACTIONLINT_VERSION}"
print_path=0
check_only=0
force=0
quiet=0

log() { [ "$quiet" = 1 ] || printf 'install-actionlint: %s\n' "$*" >&2; }
die() { printf 'install-actionlint: error: %s\n' "$*" >&2; exit 1; }

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --version) [ $# -ge 2 ] || die "--version needs a value"; version="$2"; shift 2 ;;
    --version=*) version="${1#*=}"; shift ;;
    --print-path) print_path=1; quiet=1; shift ;;
    --check) check_only=1; shift ;;
    --force) force=1; shift ;;
    --quiet|-q) quiet=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

case "$version" in
  v[0-9]*.[0-9]*.[0-9]*) ;;
  [0-9]*.[0-9]*.[0-9]*) version="v$version" ;;
  *) die "invalid actionlint version '$version' (expected e.g. $DEFAULT_ACTIONLINT_VERSION)" ;;
esac

[ -n "${HOME:-}" ] || die "HOME is not set"
cache_root="${SPARK_DEPLOY_ACTIONLINT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/spark-deploy-action/actionlint}"
install_dir="$cache_root/$version"
bin_dir="$install_dir/bin"
binary="$bin_dir/actionlint"

# installed_ok: the binary is there and reports the pinned version (`actionlint -version` prints it,
# with its v, on the first line; releases before 1.7 printed it without the v).
installed_ok() {
  [ -x "$binary" ] || return 1
  local first
  first="$("$binary" -version 2>/dev/null | head -n 1)" || return 1
  [ "$first" = "$version" ] || [ "$first" = "${version#v}" ]
}

if [ "$force" = 0 ] && installed_ok; then
  log "actionlint $version already installed: $binary (build skipped)"
elif [ "$check_only" = 1 ]; then
  log "actionlint $version is not installed (run: bash scripts/install-actionlint.sh)"
  exit 1
else
  command -v go >/dev/null 2>&1 || die "go is not on PATH: actionlint is built from its Go module (install Go 1.25+, e.g. from https://go.dev/dl/)"
  mkdir -p "$install_dir"
  # Build into a scratch GOBIN and move the binary into place, so an interrupted build never leaves a
  # binary that the next run would take for a finished one.
  tmp_bin="$(mktemp -d "$install_dir/.bin.XXXXXX")"
  trap 'rm -rf "$tmp_bin"' EXIT
  log "go install $MODULE/cmd/actionlint@$version"
  # CGO off: a static binary that does not depend on the runner's libc.
  if ! out="$(GOBIN="$tmp_bin" CGO_ENABLED=0 go install "$MODULE/cmd/actionlint@$version" 2>&1)"; then
    printf '%s\n' "$out" | tail -n 20 >&2
    die "go install $MODULE/cmd/actionlint@$version failed (see above)"
  fi
  [ -x "$tmp_bin/actionlint" ] || die "go install succeeded but left no actionlint in $tmp_bin"
  mkdir -p "$bin_dir"
  mv -f "$tmp_bin/actionlint" "$binary"
  rm -rf "$tmp_bin"
  trap - EXIT
  installed_ok || die "$binary does not report version $version (got: $("$binary" -version 2>&1 | head -n 1))"
  log "installed $binary"
fi

# Inside a GitHub Actions step: later steps get the directory on PATH.
if [ "$check_only" = 0 ] && [ -n "${GITHUB_PATH:-}" ] && { [ -w "$GITHUB_PATH" ] || [ -w "$(dirname "$GITHUB_PATH")" ]; }; then
  if ! grep -Fxq "$bin_dir" "$GITHUB_PATH" 2>/dev/null; then
    printf '%s\n' "$bin_dir" >> "$GITHUB_PATH"
    log "added $bin_dir to \$GITHUB_PATH (for the following workflow steps)"
  fi
else
  case ":${PATH:-}:" in
    *":$bin_dir:"*) ;;
    *) log "add $bin_dir to PATH to use actionlint" ;;
  esac
fi

[ "$print_path" = 1 ] || log "actionlint $version ready: $binary"
printf '%s\n' "$bin_dir"
