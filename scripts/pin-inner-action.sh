#!/usr/bin/env bash
# Pins the reusable workflows' own action to a release's commit. The reusable workflows run
# `uses: <repo>@v<major>` in the steps that hold the deploy credentials; a caller who pins the reusable
# workflow by SHA would still run whatever the moving major tag points at. The release workflow runs this
# on the release's commit, commits the result and moves the release tag (and the major tag) onto it, so
# every tagged commit's workflows run exactly the action of that release.
#
#   scripts/pin-inner-action.sh <owner/repo> <40-hex commit sha> <vX.Y.Z> [workflow dir]
#
# Rewrites every `uses: <owner/repo>@<ref>` (the action itself, not <owner/repo>/.github/workflows/...)
# to `uses: <owner/repo>@<sha> # <vX.Y.Z>`; prints the files it changed; fails when it changed none.
set -euo pipefail

repo="${1:?usage: pin-inner-action.sh <owner/repo> <sha> <vX.Y.Z> [dir]}"
sha="${2:?commit sha missing}"
tag="${3:?release tag missing}"
dir="${4:-.github/workflows}"

[[ "$repo" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || { echo "pin-inner-action: '$repo' is not owner/repo" >&2; exit 2; }
[[ "$sha" =~ ^[0-9a-f]{40}$ ]] || { echo "pin-inner-action: '$sha' is not a full commit SHA" >&2; exit 2; }
[[ "$tag" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || { echo "pin-inner-action: '$tag' is not vX.Y.Z (or vX.Y.Z-prerelease)" >&2; exit 2; }

# The repo as a literal in an extended regex (its dots escaped).
pattern="$(printf '%s' "$repo" | sed 's/[.]/\\./g')"
changed=0
for f in "$dir"/*.yml "$dir"/*.yaml; do
  [ -f "$f" ] || continue
  if grep -Eq "uses:[[:space:]]*${pattern}@" "$f"; then
    sed -E -i "s#(uses:[[:space:]]*)${pattern}@[^[:space:]]+([[:space:]]*\#.*)?\$#\\1${repo}@${sha} \# ${tag}#" "$f"
    echo "$f"
    changed=$((changed + 1))
  fi
done
if [ "$changed" -eq 0 ]; then
  echo "pin-inner-action: no 'uses: ${repo}@...' in $dir" >&2
  exit 1
fi
