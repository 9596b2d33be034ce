#!/usr/bin/env bash
# build.sh - build the local control plane's pinned binaries from their Go modules into a cache keyed on
# their versions (used by scripts/local-k8s.sh; can be run on its own: `bash scripts/local-k8s/build.sh`).
#
#   <cache>/local-k8s/etcd-<v>/bin/etcd
#   <cache>/local-k8s/kubernetes-<v>/bin/{kube-apiserver,kube-scheduler,kube-controller-manager,kubectl}
#   <cache>/local-k8s/kwok-<v>/bin/kwok
#   <cache>/local-k8s/spark-operator-<v>/bin/spark-operator  and  .../crds/*.yaml
# <cache> is ${SPARK_DEPLOY_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/spark-deploy-action}.
# Each part is built in a scratch module (go.mod written here: `go install mod@v` refuses modules with
# replace lines) under a scratch directory and moved into place when complete; a part whose directory
# holds its `.done` marker is skipped. Go's module and build caches are shared under <cache>/local-k8s/go,
# so a rebuild after a version bump reuses what it can. Parts build in sequence (2 cores).
set -euo pipefail

# shellcheck source=scripts/local-k8s/versions.sh
source "$(dirname "${BASH_SOURCE[0]}")/versions.sh"
# The Kubernetes staging repositories (k8s.io/kubernetes' own replace lines point at ./staging; the module
# proxy serves them as k8s.io/<name> v0.<minor>.<patch>). sample-cli-plugin and sample-controller are not
# served and not needed.
readonly STAGING="api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider
cluster-bootstrap code-generator component-base component-helpers controller-manager cri-api cri-client
cri-streaming csi-translation-lib dynamic-resource-allocation endpointslice externaljwt kms kube-aggregator
kube-controller-manager kube-proxy kube-scheduler kubectl kubelet metrics mount-utils pod-security-admission
sample-apiserver streaming"

readonly CACHE_ROOT="${SPARK_DEPLOY_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/spark-deploy-action}/local-k8s"
readonly GO_CACHE="$CACHE_ROOT/go"

log() { printf 'local-k8s build: %s\n' "$*" >&2; }
die() { printf 'local-k8s build: error: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null 2>&1 || die "go is not on PATH (the control plane is built from Go modules)"

# gobuild OUT PKG... : go build PKGs inside the current scratch module (OUT: a file for one package, a
# directory ending in / for several).
gobuild() {
  local out="$1"; shift
  env GOMODCACHE="$GO_CACHE/mod" GOCACHE="$GO_CACHE/build" GOPATH="$GO_CACHE/path" \
    GOFLAGS=-mod=mod GO111MODULE=on CGO_ENABLED=0 \
    go build -trimpath -ldflags "${LDFLAGS:--s -w}" -o "$out" "$@"
}
goget() {
  env GOMODCACHE="$GO_CACHE/mod" GOCACHE="$GO_CACHE/build" GOPATH="$GO_CACHE/path" \
    GOFLAGS=-mod=mod GO111MODULE=on go get "$@"
}

# part NAME VERSION FUNCTION: run FUNCTION in a scratch dir (module 'scratch') unless NAME-VERSION is done.
part() {
  local name="$1" version="$2" fn="$3" dest="$CACHE_ROOT/$1-$2"
  if [[ -f "$dest/.done" ]]; then log "$name $version: cached ($dest)"; return 0; fi
  mkdir -p "$CACHE_ROOT"
  local work started=$SECONDS
  work="$(mktemp -d "$CACHE_ROOT/.build-$name.XXXXXX")"
  log "$name $version: building in $work"
  mkdir -p "$work/mod" "$work/out/bin"
  ( cd "$work/mod" && printf 'module scratch\n\ngo 1.24\n' > go.mod && "$fn" "$work/out" ) >"$work/build.log" 2>&1 || {
    tail -n 30 "$work/build.log" >&2; die "$name $version failed (log above; scratch dir $work kept)"; }
  touch "$work/out/.done"
  rm -rf "$dest"
  mv "$work/out" "$dest"
  rm -rf "$work"
  log "$name $version: built in $((SECONDS - started)) s"
}

build_etcd() {
  local v="$ETCD_VERSION"
  # server/v3's go.mod replaces its sibling modules with ../ paths: require them all at the same version.
  goget "go.etcd.io/etcd/server/v3@$v" "go.etcd.io/etcd/api/v3@$v" "go.etcd.io/etcd/client/pkg/v3@$v" \
    "go.etcd.io/etcd/client/v3@$v" "go.etcd.io/etcd/pkg/v3@$v"
  gobuild "$1/bin/etcd" go.etcd.io/etcd/server/v3
}

build_kubernetes() {
  local v="$KUBERNETES_VERSION" s="v0.${KUBERNETES_VERSION#v1.}" r
  for r in $STAGING; do printf 'replace k8s.io/%s => k8s.io/%s %s\n' "$r" "$r" "$s" >> go.mod; done
  goget "k8s.io/kubernetes@$v"
  local minor="${v#v1.}"; minor="${minor%%.*}"
  LDFLAGS="-s -w -X k8s.io/component-base/version.gitVersion=$v -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/client-go/pkg/version.gitVersion=$v" \
    gobuild "$1/bin/" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-scheduler \
      k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl
}

build_kwok() {
  goget "sigs.k8s.io/kwok@$KWOK_VERSION"
  LDFLAGS="-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" gobuild "$1/bin/kwok" sigs.k8s.io/kwok/cmd/kwok
  # kwok needs node stages beside the project's pod stages: its own, from the module (not committed).
  local src="$GO_CACHE/mod/sigs.k8s.io/kwok@$KWOK_VERSION/kustomize/stage/node"
  mkdir -p "$1/stages"
  { cat "$src/fast/node-initialize.yaml"; printf '\n---\n'; cat "$src/heartbeat-with-lease/node-heartbeat-with-lease.yaml"; } >"$1/stages/node.yaml"
  # The Logs CRD: a test names a pod and a file, and kwok serves that file as the pod's log.
  mkdir -p "$1/crds"
  cp "$GO_CACHE/mod/sigs.k8s.io/kwok@$KWOK_VERSION/kustomize/crd/bases/kwok.x-k8s.io_logs.yaml" "$1/crds/"
  chmod u+w "$1/crds"/*.yaml
}

build_spark_operator() {
  local v="$SPARK_OPERATOR_VERSION" r
  for r in api apiextensions-apiserver apimachinery apiserver cli-runtime client-go code-generator \
    component-base component-helpers controller-manager kube-aggregator kubectl metrics; do
    printf 'replace k8s.io/%s => k8s.io/%s %s\n' "$r" "$r" "$SPARK_OPERATOR_K8S_VERSION" >> go.mod
  done
  goget "github.com/kubeflow/spark-operator/v2@$v"
  gobuild "$1/bin/spark-operator" github.com/kubeflow/spark-operator/v2/cmd/operator
  local src="$GO_CACHE/mod/github.com/kubeflow/spark-operator/v2@$v/config/crd/bases"
  mkdir -p "$1/crds"; cp "$src"/*.yaml "$1/crds/"; chmod u+w "$1/crds"/*.yaml
}

only="${1:-all}"
case "$only" in
  all) part etcd "$ETCD_VERSION" build_etcd; part kwok "$KWOK_VERSION" build_kwok
       part spark-operator "$SPARK_OPERATOR_VERSION" build_spark_operator
       part kubernetes "$KUBERNETES_VERSION" build_kubernetes ;;
  etcd) part etcd "$ETCD_VERSION" build_etcd ;;
  kubernetes) part kubernetes "$KUBERNETES_VERSION" build_kubernetes ;;
  kwok) part kwok "$KWOK_VERSION" build_kwok ;;
  spark-operator) part spark-operator "$SPARK_OPERATOR_VERSION" build_spark_operator ;;
  *) die "unknown part '$only' (all, etcd, kubernetes, kwok, spark-operator)" ;;
esac
