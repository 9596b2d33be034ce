#!/usr/bin/env bash
# install-sbt.sh - install the sbt launcher from Maven Central, idempotently.
#
# What it does:
#   * downloads org.scala-sbt:sbt-launch:<version> (a single jar) from Maven
#     Central into  ${XDG_CACHE_HOME:-$HOME/.cache}/spark-deploy-action/sbt/<version>/
#     and verifies it against the .sha1 published next to it (and against a
#     pinned SHA-1 for the default version);
#   * writes a sbt "repositories" file there that lists only `local` (the
#     ~/.ivy2/local publish directory) and Maven Central;
#   * writes an `sbt` wrapper script there that runs the launcher with
#       -Dsbt.repository.config=<that file> -Dsbt.override.build.repos=true
#       -Dsbt.boot.directory=<cache>/boot
#     so that every resolution (sbt boot, Scala compiler, compiler bridge,
#     plugins, library dependencies) goes to Maven Central only, without
#     touching the user's ~/.sbt;
#   * links the wrapper as /usr/local/bin/sbt (or --link-dir) when that is
#     writable and not some other sbt; in a GitHub Actions step it also
#     appends the directory to $GITHUB_PATH; otherwise it tells you which
#     directory to add to PATH.
#
# Usage: install-sbt.sh [--version X.Y.Z] [--print-path] [--link-dir DIR]
#                       [--no-link] [--force] [--quiet] [--help]
#
# Environment:
#   SBT_LAUNCHER_VERSION  launcher version (default below; --version wins)
#   SPARK_DEPLOY_SBT_CACHE  cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/spark-deploy-action/sbt)
#   SBT_MAVEN_REPO        Maven Central URL or a mirror of it (default https://repo1.maven.org/maven2)
#   SBT_LINK_DIR          where to put the `sbt` symlink (default /usr/local/bin)
#
# Output: progress goes to stderr. stdout gets the directory that contains
# `sbt` (with --print-path, only that line), so a workflow can do:
#   echo "$(bash scripts/install-sbt.sh --print-path)" >> "$GITHUB_PATH"
#
# Works unattended (CI=true, no stdin): it never prompts.
set -euo pipefail

readonly DEFAULT_SBT_VERSION="1.11.7"
# SHA-1 of sbt-launch-1.11.7.jar as published on Maven Central.
readonly DEFAULT_SBT_SHA1="944fd5977882ceee10eeac579ce3571b0b4cbb5e"
readonly WRAPPER_FORMAT="4"   # bump when the generated wrapper changes

version="${SBT_LAUNCHER_VERSION:-$DEFAULT_SBT_VERSION}"
print_path=0
link_dir="${SBT_LINK_DIR:-/usr/local/bin}"
do_link=1
force=0
quiet=0

log() { [ "$quiet" = 1 ] || printf 'install-sbt: %s\n' "$*" >&2; }
die() { printf 'install-sbt: error: %s\n' "$*" >&2; exit 1; }

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --version) [ $# -ge 2 ] || die "--version needs a value"; version="$2"; shift 2 ;;
    --version=*) version="${1#*=}"; shift ;;
    --print-path) print_path=1; quiet=1; shift ;;
    --link-dir) [ $# -ge 2 ] || die "--link-dir needs a value"; link_dir="$2"; shift 2 ;;
    --link-dir=*) link_dir="${1#*=}"; shift ;;
    --no-link) do_link=0; shift ;;
    --force) force=1; shift ;;
    --quiet|-q) quiet=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

case "$version" in
  1.*.*|2.*.*) ;;
  *) die "invalid sbt launcher version '$version' (expected e.g. $DEFAULT_SBT_VERSION)" ;;
esac

[ -n "${HOME:-}" ] || die "HOME is not set"
cache_root="${SPARK_DEPLOY_SBT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/spark-deploy-action/sbt}"
repo_url="${SBT_MAVEN_REPO:-https://repo1.maven.org/maven2}"
repo_url="${repo_url%/}"
install_dir="$cache_root/$version"
boot_dir="$cache_root/boot"
jar_name="sbt-launch-$version.jar"
jar_path="$install_dir/$jar_name"
jar_url="$repo_url/org/scala-sbt/sbt-launch/$version/$jar_name"

sha1_of() {
  if command -v sha1sum >/dev/null 2>&1; then sha1sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then shasum -a 1 "$1" | cut -d' ' -f1
  else die "neither sha1sum nor shasum found"; fi
}

# fetch URL DEST
fetch() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 3 --retry-delay 2 --connect-timeout 30 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q --tries=3 -O "$2" "$1"
  else
    die "neither curl nor wget found"
  fi
}

mkdir -p "$install_dir" "$boot_dir"

# --- 1. launcher jar ---------------------------------------------------------
jar_ok=0
if [ "$force" = 0 ] && [ -s "$jar_path" ] && [ -s "$jar_path.sha1" ]; then
  if [ "$(sha1_of "$jar_path")" = "$(cut -c1-40 "$jar_path.sha1")" ]; then
    jar_ok=1
    log "sbt launcher $version already present: $jar_path (sha1 ok, download skipped)"
  else
    log "cached $jar_name does not match its recorded sha1; downloading again"
  fi
fi

if [ "$jar_ok" = 0 ]; then
  tmp_jar="$(mktemp "$install_dir/.$jar_name.XXXXXX")"
  tmp_sha="$(mktemp "$install_dir/.$jar_name.sha1.XXXXXX")"
  trap 'rm -f "$tmp_jar" "$tmp_sha"; rmdir "$install_dir" 2>/dev/null || true' EXIT
  log "downloading $jar_url"
  fetch "$jar_url" "$tmp_jar" || die "download failed: $jar_url"
  fetch "$jar_url.sha1" "$tmp_sha" || die "download failed: $jar_url.sha1"
  expected="$(tr -d ' \r\n' < "$tmp_sha" | cut -c1-40 | tr 'A-F' 'a-f')"
  actual="$(sha1_of "$tmp_jar")"
  [ "${#expected}" = 40 ] || die "malformed checksum file at $jar_url.sha1"
  [ "$actual" = "$expected" ] || die "sha1 mismatch for $jar_name: got $actual, Maven Central says $expected"
  if [ "$version" = "$DEFAULT_SBT_VERSION" ] && [ "$actual" != "$DEFAULT_SBT_SHA1" ]; then
    die "sha1 mismatch for $jar_name: got $actual, pinned $DEFAULT_SBT_SHA1"
  fi
  # sanity: it must be a jar with the launcher's main class
  if command -v unzip >/dev/null 2>&1; then
    unzip -l "$tmp_jar" 2>/dev/null | grep 'xsbt/boot/Boot.class' >/dev/null || die "$jar_name does not look like the sbt launcher"
  fi
  printf '%s\n' "$actual" > "$tmp_sha"
  chmod 0644 "$tmp_jar" "$tmp_sha"
  mv -f "$tmp_jar" "$jar_path"
  mv -f "$tmp_sha" "$jar_path.sha1"
  trap - EXIT
  log "installed $jar_path (sha1 $actual verified)"
fi

# --- 2. repositories file ----------------------------------------------------
# `maven-central` is sbt's predefined name for https://repo1.maven.org/maven2/;
# a mirror gets its own name. sbt plugins on Maven Central (e.g. sbt-assembly
# 2.x) are published in Maven layout (sbt-assembly_2.12_1.0), so no Ivy
# pattern is needed.
if [ "$repo_url" = "https://repo1.maven.org/maven2" ]; then
  central_line="  maven-central"
else
  central_line="  maven-central-mirror: $repo_url/"
fi
repos_content="[repositories]
  local
$central_line"
repos_file="$install_dir/repositories"
if [ ! -f "$repos_file" ] || [ "$(cat "$repos_file")" != "$repos_content" ]; then
  printf '%s\n' "$repos_content" > "$repos_file"
  log "wrote $repos_file (local + Maven Central only)"
else
  log "repositories file up to date: $repos_file"
fi

# --- 3. wrapper --------------------------------------------------------------
wrapper="$install_dir/sbt"
q() { printf '%q' "$1"; }
# The part in single quotes is literal wrapper code, expanded when sbt runs.
# shellcheck disable=SC2016
wrapper_content="#!/usr/bin/env bash
# sbt wrapper generated by spark-deploy-action scripts/install-sbt.sh (format $WRAPPER_FORMAT)
# launcher: $jar_name (from Maven Central, sha1 verified)
set -euo pipefail
SBT_LAUNCHER_JAR=$(q "$jar_path")
SBT_LAUNCHER_VERSION=$(q "$version")
SBT_DEFAULT_REPOSITORY_CONFIG=$(q "$repos_file")
SBT_DEFAULT_BOOT_DIRECTORY=$(q "$boot_dir")
"'
usage() {
  cat <<USAGE
sbt wrapper (spark-deploy-action), launcher $SBT_LAUNCHER_VERSION
Usage: sbt [wrapper options] [sbt commands...]
  -batch, --batch        non-interactive: stdin from /dev/null, no supershell
  -no-colors, --no-colors  plain log output
  -mem N, --mem N        JVM heap in MB (-Xms/-Xmx) for sbt itself
  -J<opt>                pass <opt> to the JVM, e.g. -J-Xmx3g
  -D<k>=<v>              pass a system property to the JVM
  -java-home DIR         use DIR/bin/java
  -sbt-version V         override project/build.properties sbt.version
  -v, --verbose          print the java command line before running it
  --wrapper-help         this help;  --script-version  wrapper/launcher version
Every other argument is passed to sbt.
Environment: JAVA_HOME, JAVA_OPTS, SBT_OPTS, SBT_REPOSITORY_CONFIG,
  SBT_BOOT_DIRECTORY, SBT_GLOBAL_BASE, SBT_ALLOW_BUILD_REPOS=1 (do not pass
  -Dsbt.override.build.repos=true). Files .jvmopts and .sbtopts in the
  current directory are read like the official sbt runner does.
USAGE
}

java_cmd="java"
[ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && java_cmd="$JAVA_HOME/bin/java"
java_args=()
sbt_args=()
batch=0
verbose=0

# read_opts FILE: one option per line, # comments, blank lines ignored
read_opts() {
  local line
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line%%#*}"
    line="${line#"${line%%[![:space:]]*}"}"; line="${line%"${line##*[![:space:]]}"}"
    [ -n "$line" ] && printf "%s\n" "$line"
  done < "$1"
}

all_args=()
[ -f .sbtopts ] && while IFS= read -r o; do all_args+=("$o"); done < <(read_opts .sbtopts)
all_args+=("$@")

extra_java=()
# shellcheck disable=SC2206
[ -n "${JAVA_OPTS:-}" ] && extra_java+=(${JAVA_OPTS})
[ -f .jvmopts ] && while IFS= read -r o; do extra_java+=("$o"); done < <(read_opts .jvmopts)
# shellcheck disable=SC2206
[ -n "${SBT_OPTS:-}" ] && extra_java+=(${SBT_OPTS})

set -- ${all_args[@]+"${all_args[@]}"}
while [ $# -gt 0 ]; do
  case "$1" in
    -batch|--batch) batch=1; shift ;;
    -no-colors|--no-colors) extra_java+=("-Dsbt.color=false" "-Dsbt.log.noformat=true"); shift ;;
    -mem|--mem) [ $# -ge 2 ] || { echo "sbt wrapper: $1 needs a value" >&2; exit 2; }
      extra_java+=("-Xms${2}m" "-Xmx${2}m"); shift 2 ;;
    -java-home|--java-home) [ $# -ge 2 ] || { echo "sbt wrapper: $1 needs a value" >&2; exit 2; }
      java_cmd="$2/bin/java"; shift 2 ;;
    -sbt-version|--sbt-version) [ $# -ge 2 ] || { echo "sbt wrapper: $1 needs a value" >&2; exit 2; }
      extra_java+=("-Dsbt.version=$2"); shift 2 ;;
    -J*) extra_java+=("${1#-J}"); shift ;;
    -D*) extra_java+=("$1"); shift ;;
    -v|--verbose) verbose=1; shift ;;
    --wrapper-help) usage; exit 0 ;;
    --script-version) echo "spark-deploy-action sbt wrapper, launcher $SBT_LAUNCHER_VERSION"; exit 0 ;;
    *) sbt_args+=("$1"); shift ;;
  esac
done

has_opt() { local p="$1" a; for a in ${extra_java[@]+"${extra_java[@]}"}; do case "$a" in "$p"*) return 0 ;; esac; done; return 1; }

# defaults of the official sbt runner, unless the user set them
has_opt -Xmx || java_args+=("-Xms1024m" "-Xmx2048m")
has_opt -Xss || java_args+=("-Xss4M")
has_opt -XX:ReservedCodeCacheSize || java_args+=("-XX:ReservedCodeCacheSize=128m")
has_opt -Dfile.encoding || java_args+=("-Dfile.encoding=UTF-8")

java_args+=("-Dsbt.repository.config=${SBT_REPOSITORY_CONFIG:-$SBT_DEFAULT_REPOSITORY_CONFIG}")
[ "${SBT_ALLOW_BUILD_REPOS:-0}" = 1 ] || java_args+=("-Dsbt.override.build.repos=true")
java_args+=("-Dsbt.boot.directory=${SBT_BOOT_DIRECTORY:-$SBT_DEFAULT_BOOT_DIRECTORY}")
[ -n "${SBT_GLOBAL_BASE:-}" ] && java_args+=("-Dsbt.global.base=$SBT_GLOBAL_BASE")
if [ "$batch" = 1 ]; then
  java_args+=("-Dsbt.supershell=false" "-Dsbt.server.forcestart=false")
fi

command -v "$java_cmd" >/dev/null 2>&1 || { echo "sbt wrapper: java not found (set JAVA_HOME or put java on PATH)" >&2; exit 127; }

cmd=("$java_cmd" ${java_args[@]+"${java_args[@]}"} ${extra_java[@]+"${extra_java[@]}"} -jar "$SBT_LAUNCHER_JAR" ${sbt_args[@]+"${sbt_args[@]}"})
[ "$verbose" = 1 ] && printf "sbt wrapper: %s\n" "${cmd[*]}" >&2
if [ "$batch" = 1 ]; then
  exec "${cmd[@]}" </dev/null
else
  exec "${cmd[@]}"
fi
'
tmp_wrapper="$(mktemp "$install_dir/.sbt.XXXXXX")"
printf '%s' "$wrapper_content" > "$tmp_wrapper"
if [ -x "$wrapper" ] && cmp -s "$tmp_wrapper" "$wrapper"; then
  rm -f "$tmp_wrapper"
  log "wrapper up to date: $wrapper"
else
  chmod 0755 "$tmp_wrapper"
  mv -f "$tmp_wrapper" "$wrapper"
  log "wrote wrapper $wrapper"
fi

# --- 4. put it on PATH -------------------------------------------------------
on_path_msg=""
if [ "$do_link" = 1 ]; then
  link="$link_dir/sbt"
  if [ -L "$link" ] && [ "$(readlink "$link")" = "$wrapper" ]; then
    log "symlink up to date: $link -> $wrapper"
  elif [ -d "$link_dir" ] && [ -w "$link_dir" ]; then
    other=""
    if [ -e "$link" ] || [ -L "$link" ]; then
      target="$(readlink "$link" 2>/dev/null || true)"
      case "$target" in
        */spark-deploy-action/sbt/*/sbt) ;;     # an older install of ours: replace
        *) other="$link" ;;
      esac
    fi
    if [ -n "$other" ] && [ "$force" = 0 ]; then
      log "not replacing existing $other (not installed by this script; use --force to replace)"
      on_path_msg="add $install_dir to PATH to use this sbt"
    else
      ln -sfn "$wrapper" "$link"
      log "linked $link -> $wrapper"
    fi
  else
    on_path_msg="$link_dir is not writable; add $install_dir to PATH"
  fi
else
  on_path_msg="add $install_dir to PATH to use this sbt"
fi
# Inside a GitHub Actions step: later steps get the directory on PATH.
if [ -n "${GITHUB_PATH:-}" ] && { [ -w "$GITHUB_PATH" ] || [ -w "$(dirname "$GITHUB_PATH")" ]; }; then
  if ! grep -Fxq "$install_dir" "$GITHUB_PATH" 2>/dev/null; then
    printf '%s\n' "$install_dir" >> "$GITHUB_PATH"
    log "added $install_dir to \$GITHUB_PATH (for the following workflow steps)"
  fi
  on_path_msg=""
fi
[ -n "$on_path_msg" ] && log "$on_path_msg"

if [ "$print_path" = 1 ]; then
  printf '%s\n' "$install_dir"
else
  log "sbt launcher $version ready: $wrapper (repositories: $repos_file, boot: $boot_dir)"
  printf '%s\n' "$install_dir"
fi
