// The real local control plane of scripts/local-k8s.sh (etcd, kube-apiserver, scheduler, controller-manager,
// kwok and the Spark Operator) as the Kubernetes end-to-end tests use it: whether it runs, kubectl against
// it, namespaces and ServiceAccounts made per test run, and kubeconfigs carrying a ServiceAccount's token.
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';

const run = promisify(execFile);
const SCRIPT = join(import.meta.dirname, '../../scripts/local-k8s.sh');

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects as kubectl prints them
export type K8sObject = Record<string, any>;

/** LocalK8s is what `scripts/local-k8s.sh env` prints about the running control plane. */
export interface LocalK8s {
  /** The admin kubeconfig (client certificate, system:masters). */
  kubeconfig: string;
  kubectl: string;
  api: string;
  operatorNamespace: string;
  /** The control plane's certificates: ca.crt, and server.crt/.key (valid for 127.0.0.1). */
  pki: string;
}

/** localK8s is the running control plane, or undefined when `scripts/local-k8s.sh status` says it is not up. */
export function localK8s(): LocalK8s | undefined {
  const r = spawnSync('bash', [SCRIPT, 'status'], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const env = Object.fromEntries(
    r.stdout
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  if (!env.KUBECONFIG || !env.LOCAL_K8S_KUBECTL || !env.LOCAL_K8S_API || !env.LOCAL_K8S_PKI) return undefined;
  return {
    kubeconfig: env.KUBECONFIG,
    kubectl: env.LOCAL_K8S_KUBECTL,
    api: env.LOCAL_K8S_API,
    operatorNamespace: env.LOCAL_K8S_OPERATOR_NAMESPACE ?? 'spark-operator',
    pki: env.LOCAL_K8S_PKI,
  };
}

/** Kube runs kubectl as the admin of the local control plane. */
export class Kube {
  constructor(readonly k: LocalK8s) {}

  async kubectl(args: string[], input?: string): Promise<string> {
    const p = run(this.k.kubectl, ['--kubeconfig', this.k.kubeconfig, ...args], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    if (input !== undefined) {
      p.child.stdin?.end(input);
    }
    return (await p).stdout;
  }

  /** apply applies objects server-side as the test's own field manager. */
  async apply(...objects: K8sObject[]): Promise<void> {
    await this.kubectl(
      ['apply', '--server-side', '--field-manager', 'e2e-setup', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
    );
  }

  /** get is one object, or undefined when it does not exist. */
  async get(resource: string, namespace: string, name: string): Promise<K8sObject | undefined> {
    const out = await this.kubectl([
      'get',
      resource,
      name,
      '-n',
      namespace,
      '-o',
      'json',
      '--ignore-not-found',
      '--show-managed-fields',
    ]);
    return out.trim() ? (JSON.parse(out) as K8sObject) : undefined;
  }

  /** list is every object of a resource in a namespace (with an optional label selector). */
  async list(resource: string, namespace: string, selector?: string): Promise<K8sObject[]> {
    const out = await this.kubectl([
      'get',
      resource,
      '-n',
      namespace,
      '-o',
      'json',
      ...(selector ? ['-l', selector] : []),
    ]);
    return (JSON.parse(out) as { items: K8sObject[] }).items;
  }

  /** namespace creates a namespace with the ServiceAccount the drivers run as. */
  async namespace(name: string, driverServiceAccount = 'spark-driver-sa'): Promise<void> {
    await this.apply(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: driverServiceAccount, namespace: name } },
    );
  }

  /** tokenKubeconfig is a kubeconfig for a ServiceAccount, with a bearer token from the TokenRequest API. */
  async tokenKubeconfig(namespace: string, serviceAccount: string): Promise<{ yaml: string; token: string }> {
    const token = (
      await this.kubectl(['create', 'token', serviceAccount, '-n', namespace, '--duration', '2h'])
    ).trim();
    return { yaml: kubeconfigFor(this.k, token), token };
  }

  async deleteNamespaces(names: string[]): Promise<void> {
    if (names.length === 0) return;
    await this.kubectl(['delete', 'namespace', ...names, '--ignore-not-found', '--wait=false']);
  }
}

/** kubeconfigFor is a kubeconfig for the local API server carrying a bearer token (the CA inline). */
export function kubeconfigFor(k: LocalK8s, token: string, server = k.api): string {
  const admin = parseYaml(readFileSync(k.kubeconfig, 'utf8'));
  const ca = readFileSync(admin.clusters[0].cluster['certificate-authority']).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: local-k8s',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${ca}`,
    'users:',
    '- name: e2e',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: e2e',
    '  context: {cluster: local-k8s, user: e2e}',
    'current-context: e2e',
    '',
  ].join('\n');
}
