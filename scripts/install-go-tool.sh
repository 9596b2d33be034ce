#!/usr/bin/env bash
# install-go-tool.sh - install one Go command-line tool from its Go module, pinned and idempotent. The
# project's tool installers (install-actionlint.sh, install-kubeconform.sh) are thin wrappers around it.
#
# What it does:
#   * runs `go install <package>@<version>` with its own GOPATH, module and build caches under
#       ${XDG_CACHE_HOME:-$HOME/.cache}/spark-deploy-action/<name>/<version>/
#     so it works on a fresh machine (no GOPATH, no go.mod around) and never touches the user's Go setup;
#     the module download is checked against the Go checksum database as `go install` always does;
#   * builds into a scratch directory and moves the binary into place, so an interrupted build never
#     leaves a binary the next run would take for a finished one;
#   * skips everything when the cached binary already reports <version>;
#   * in a GitHub Actions step, appends the bin directory to $GITHUB_PATH.
#
# Usage: install-go-tool.sh --name NAME --package MODULE/cmd/NAME --version vX.Y.Z
#                           [--version-flag -version] [--version-var main.version]
#                           [--print-path] [--check] [--force] [--quiet]
#   --version-flag  the flag that makes the tool print its version on its first line (default -version)
#   --version-prefix  what the tool prints before the version on that first line (e.g. "act version ")
#   --version-var   a Go variable set to the version at link time (-ldflags -X), for tools whose release
#                   build sets it that way (otherwise `go install` builds report "dev" or similar)
#   --print-path    print only the bin directory on stdout (progress stays quiet)
#   --check         install nothing: exit 0 when the pinned version is installed, 1 when not
#   --force         rebuild even when the pinned version is already there
#
# Environment: SPARK_DEPLOY_TOOLS_CACHE (cache root, default ${XDG_CACHE_HOME:-$HOME/.cache}/spark-deploy-action),
# GOPROXY (honoured as go honours it).
# Output: progress on stderr; stdout gets the directory that holds the binary.
# Needs go on PATH (Go 1.21 or later fetches a newer toolchain a module asks for through the module
# proxy). Works unattended (CI=true, no stdin): it never prompts.
set -euo pipefail

name=''
package=''
version=''
version_flag='-version'
version_var=''
version_prefix=''
print_path=0
check_only=0
force=0
quiet=0

log() { [ "$quiet" = 1 ] || printf 'install-%s: %s\n' "${name:-go-tool}" "$*" >&2; }
die() { printf 'install-%s: error: %s\n' "${name:-go-tool}" "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --name|--package|--version|--version-flag|--version-var|--version-prefix)
      [ $# -ge 2 ] || die "$1 needs a value"
      case "$1" in
        --name) name="$2" ;;
        --package) package="$2" ;;
        --version) version="$2" ;;
        --version-flag) version_flag="$2" ;;
        --version-var) version_var="$2" ;;
        --version-prefix) version_prefix="$2" ;;
      esac
      shift 2 ;;
    --version=*) version="${1#*=}"; shift ;;
    --print-path) print_path=1; quiet=1; shift ;;
    --check) check_only=1; shift ;;
    --force) force=1; shift ;;
    --quiet|-q) quiet=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

if [ -z "$name" ] || [ -z "$package" ] || [ -z "$version" ]; then
  die "--name, --package and --version are required"
fi
case "$version" in
  v[0-9]*.[0-9]*.[0-9]*) ;;
  [0-9]*.[0-9]*.[0-9]*) version="v$version" ;;
  *) die "invalid $name version '$version' (expected vX.Y.Z)" ;;
esac

[ -n "${HOME:-}" ] || die "HOME is not set"
install_dir="${SPARK_DEPLOY_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/spark-deploy-action}/$name/$version"
bin_dir="$install_dir/bin"
binary="$bin_dir/$name"

# installed_ok: the binary runs and its first line of version output is the pinned version (with or
# without the leading v), after --version-prefix when one is given.
installed_ok() {
  [ -x "$binary" ] || return 1
  local first
  first="$("$binary" "$version_flag" 2>/dev/null | head -n 1 | tr -d '\r')" || return 1
  [ -z "$version_prefix" ] || [ "${first#"$version_prefix"}" != "$first" ] || return 1
  first="${first#"$version_prefix"}"
  [ "$first" = "$version" ] || [ "$first" = "${version#v}" ]
}

if [ "$force" = 0 ] && installed_ok; then
  log "$name $version already installed: $binary (go install skipped)"
elif [ "$check_only" = 1 ]; then
  log "$name $version is not installed (run: bash scripts/install-$name.sh)"
  exit 1
else
  command -v go >/dev/null 2>&1 || die "go is not on PATH: $name is built from its Go module (install Go from https://go.dev/dl/ or apt-get install golang-go)"
  mkdir -p "$install_dir"
  work="$(mktemp -d "$install_dir/.build.XXXXXX")"
  trap 'chmod -R u+w "$work" 2>/dev/null || true; rm -rf "$work"' EXIT
  ldflags='-s -w'
  [ -z "$version_var" ] || ldflags="$ldflags -X $version_var=$version"
  log "go install $package@$version"
  # GOFLAGS=-mod=mod (replacing the caller's) so no go.mod or vendor directory around interferes; CGO off
  # for a static binary that needs no C compiler and no particular libc.
  if ! out="$(
    cd "$work" &&
      env GOPATH="$work/gopath" GOBIN="$work/bin" GOMODCACHE="$work/gopath/pkg/mod" GOCACHE="$work/gocache" \
        GOFLAGS=-mod=mod GO111MODULE=on CGO_ENABLED=0 \
        go install -trimpath -ldflags "$ldflags" "$package@$version" 2>&1
  )"; then
    printf '%s\n' "$out" | tail -n 20 >&2
    die "go install $package@$version failed (see above)"
  fi
  [ -x "$work/bin/$name" ] || die "go install succeeded but left no $name binary"
  mkdir -p "$bin_dir"
  mv -f "$work/bin/$name" "$binary"
  installed_ok || die "$binary does not report version $version (got: $("$binary" "$version_flag" 2>&1 | head -n 1))"
  log "installed $binary"
fi

# Inside a GitHub Actions step: later steps get the directory on PATH.
if [ "$check_only" = 0 ] && [ -n "${GITHUB_PATH:-}" ] && { [ -w "$GITHUB_PATH" ] || [ -w "$(dirname "$GITHUB_PATH")" ]; }; then
  if ! grep -Fxq "$bin_dir" "$GITHUB_PATH" 2>/dev/null; then
    printf '%s\n' "$bin_dir" >> "$GITHUB_PATH"
    log "added $bin_dir to \$GITHUB_PATH (for the following workflow steps)"
  fi
fi

[ "$print_path" = 1 ] || log "$name $version ready: $binary"
printf '%s\n' "$bin_dir"
