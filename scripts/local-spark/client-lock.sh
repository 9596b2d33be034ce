#!/usr/bin/env bash
# Writes the lock of the spark-submit client the standalone target provisions (provision.ts): every jar of
# spark-core_<scala> <version> and its dependencies as Spark's own build chooses them (client-pom.xml), each
# with its Maven Central path and sha1, into src/targets/standalone/spark-client-lock.json (one entry per
# Spark and Scala version; other entries are kept).
#
#   scripts/local-spark/client-lock.sh [SPARK_VERSION [SCALA_BINARY]]     (defaults 3.5.6 2.12)
set -euo pipefail
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
VERSION="${1:-3.5.6}"
SCALA="${2:-2.12}"
LOCK="$ROOT/src/targets/standalone/spark-client-lock.json"
REPO="$(mvn -B -q -Dstyle.color=never help:evaluate -Dexpression=settings.localRepository -DforceStdout 2>/dev/null | sed "s/\x1b\[[0-9;]*m//g" || true)"
REPO="${REPO:-$HOME/.m2/repository}"
LIST="$(mktemp)"
trap 'rm -f "$LIST"' EXIT
# Every scope, as local-spark.sh copies them: Spark's BOM marks guava and protobuf-java "provided".
mvn -B -ntp -f "$SCRIPT_DIR/client-pom.xml" "-Dspark.version=$VERSION" "-Dscala.binary.version=$SCALA" \
  dependency:list -DoutputAbsoluteArtifactFilename=true -DoutputFile="$LIST" -DexcludeTransitive=false >&2
node - "$LIST" "$REPO" "$LOCK" "$VERSION" "$SCALA" <<'JS'
const { readFileSync, writeFileSync, existsSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { relative } = require('node:path');
const [list, repo, lock, version, scala] = process.argv.slice(2);
const jars = [];
for (const line of readFileSync(list, 'utf8').split('\n')) {
  const m = /:jar:.*?:(?:compile|runtime|provided|system|test)(?::(\/\S+\.jar))?/.exec(line.trim());
  const path = m?.[1] ?? /(\/\S+\.jar)/.exec(line)?.[1];
  if (!path || !line.includes(':jar:')) continue;
  const rel = relative(repo, path);
  if (rel.startsWith('..')) throw new Error(`${path} is not under ${repo}`);
  const sha1 = createHash('sha1').update(readFileSync(path)).digest('hex');
  jars.push({ path: rel, sha1, size: readFileSync(path).length });
}
jars.sort((a, b) => a.path.localeCompare(b.path));
const all = existsSync(lock) ? JSON.parse(readFileSync(lock, 'utf8')) : {};
all[`${version}_${scala}`] = jars;
writeFileSync(lock, `${JSON.stringify(all, null, 1)}\n`);
console.error(`client-lock: ${jars.length} jars, ${(jars.reduce((n, j) => n + j.size, 0) / 1e6).toFixed(1)} MB for Spark ${version} Scala ${scala}`);
JS
