# versions.sh - the pinned versions of the local control plane (sourced by scripts/local-k8s.sh and
# scripts/local-k8s/build.sh). The cache directories are keyed on them; override one with its variable.
ETCD_VERSION="${LOCAL_K8S_ETCD_VERSION:-v3.7.4}"
KUBERNETES_VERSION="${LOCAL_K8S_KUBERNETES_VERSION:-v1.37.2}"
KWOK_VERSION="${LOCAL_K8S_KWOK_VERSION:-v0.8.0}"
SPARK_OPERATOR_VERSION="${LOCAL_K8S_SPARK_OPERATOR_VERSION:-v2.4.0}"
# The Spark Operator pins every k8s.io module with replace lines of its own (its go.mod at v2.4.0); a
# scratch module must repeat them, since replace lines only count in the main module.
SPARK_OPERATOR_K8S_VERSION="${LOCAL_K8S_SPARK_OPERATOR_K8S_VERSION:-v0.32.5}"
