// A protocol-faithful fake Kubernetes API server for the Kubernetes target's tests: real HTTP on
// 127.0.0.1:0, the REST paths @kubernetes/client-node uses, and a scripted Spark Operator.
//
// Sources for every shape:
// - Paths, kind, plural, the /status subresource, states, transitions, errorMessage texts, driverInfo and
//   naming: docs/protocols.md section 2 (2.2 states/transitions, 2.3 status fields, 2.4 naming/UI).
// - Validation: the CRD's spec.versions[0].schema.openAPIV3Schema (the contract file, loaded at start); an
//   invalid object gets 422 Invalid with causes, as the API server answers (API conventions, "Status" kind).
// - Errors: Kubernetes API conventions, the `Status` kind (`kind: Status, apiVersion: v1, status: Failure,
//   message, reason, details{name, group, kind, causes}, code`) for 401/403/404/409/410/415/422/500.
// - Server-side apply: `PATCH` with `Content-Type: application/apply-patch+yaml`, query `fieldManager`
//   (required for apply) and `force`; it creates the object when absent; a different manager that changes
//   fields owned by another manager without force gets 409 Conflict (Kubernetes "Server-Side Apply" docs).
// - Watch: `?watch=true` streams one JSON WatchEvent per line ({type: ADDED|MODIFIED|DELETED|ERROR, object});
//   a resourceVersion older than the window gets an ERROR event with a 410 Gone Status ("too old resource
//   version"), as the watch cache does (API concepts, "Efficient detection of changes").
// - Discovery: GET /api/v1 and /apis/<group>/<version> return an APIResourceList (KubernetesObjectApi resolves
//   plurals through it).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';

export const CRD_CONTRACT = resolve(
  import.meta.dirname,
  '../contracts/sparkoperator.k8s.io_sparkapplications.yaml',
);

/**
 * sparkApplicationCrd is the SparkApplication CRD's group, kind, version and openAPIV3Schema, read from the
 * contract CRD in test/contracts/ (the upstream file, not the action's compact copy of its schema: the double
 * must not validate with the production code's own schema).
 */
export function sparkApplicationCrd(): { group: string; kind: string; version: string; schema: Obj } {
  const crd = parseYaml(readFileSync(CRD_CONTRACT, 'utf8'));
  const v = crd.spec.versions[0];
  return {
    group: crd.spec.group,
    kind: crd.spec.names.kind,
    version: v.name,
    schema: v.schema.openAPIV3Schema,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: a test double over arbitrary JSON objects
type Obj = Record<string, any>;

/** Scenario is how the simulated operator drives one SparkApplication (docs/protocols.md 2.2 transitions). */
export type Scenario =
  | 'success'
  | 'fail' // driver exits 1
  | 'oom' // driver OOMKilled (exit 137)
  | 'submission-failed' // spark-submit fails every time
  | 'image-pull' // driver pod stuck in ImagePullBackOff: stays SUBMITTED
  | 'unschedulable' // driver pod Pending, FailedScheduling event: stays SUBMITTED
  | 'driver-missing' // driver pod never appears: FAILING "driver pod not found"
  | 'streaming' // stays RUNNING
  | 'fail-then-succeed'; // first attempt fails, the retry completes

interface Fault {
  method?: string;
  path: RegExp;
  status: number;
  times: number;
  reason?: string;
  message?: string;
}

interface Resource {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

const RESOURCES: Resource[] = [
  {
    group: 'sparkoperator.k8s.io',
    version: 'v1beta2',
    plural: 'sparkapplications',
    kind: 'SparkApplication',
    namespaced: true,
  },
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true },
  { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true },
  { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true },
  { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true },
  {
    group: 'monitoring.coreos.com',
    version: 'v1',
    plural: 'servicemonitors',
    kind: 'ServiceMonitor',
    namespaced: true,
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'networkpolicies',
    kind: 'NetworkPolicy',
    namespaced: true,
  },
];

/** statusObject is a Kubernetes `Status` (API conventions). */
export function statusObject(code: number, reason: string, message: string, details?: Obj): Obj {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

/** matchesSelector evaluates a label selector (`k=v`, `k==v`, `k!=v`, `k`, `!k`, comma = and). */
export function matchesSelector(labels: Record<string, string> = {}, selector = ''): boolean {
  return selector
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .every((term) => {
      let m = /^([^!=]+)!=(.*)$/.exec(term);
      if (m) return labels[m[1] as string] !== m[2];
      m = /^([^!=]+)==?(.*)$/.exec(term);
      if (m) return labels[m[1] as string] === m[2];
      if (term.startsWith('!')) return !(term.slice(1) in labels);
      return term in labels;
    });
}

function compileCrd(): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  ajv.addFormat('int32', {
    type: 'number',
    validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** 31,
  });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  return ajv.compile(sparkApplicationCrd().schema);
}

interface Watcher {
  res: ServerResponse;
  key: string;
  ns: string;
  selector: string;
  name?: string;
  sent: number;
}

/** FakeKubeApi is the fake server plus the knobs tests turn. */
export class FakeKubeApi {
  readonly store = new Map<string, Obj>(); // key: `${plural}/${ns}/${name}`
  readonly requests: {
    method: string;
    path: string;
    query: Record<string, string>;
    contentType?: string;
    auth?: string;
    body?: string;
  }[] = [];
  readonly received: Obj[] = [];
  readonly podLogs = new Map<string, string>();
  readonly events: Obj[] = [];
  faults: Fault[] = [];
  defaultScenario: Scenario = 'success';
  readonly scenarios = new Map<string, Scenario>();
  /** Simulated operator step in ms (each state lasts this long). */
  stepMs = 15;
  /** Close every watch stream after this many events (a dropped watch). */
  dropWatchAfter?: number;
  /** Oldest resourceVersion a watch may resume from; older gets 410 Gone. */
  compactedBelow = 0;
  token?: string;
  url = '';
  private rv = 1;
  private server?: Server;
  private readonly validate = compileCrd();
  private readonly watchers = new Set<Watcher>();
  private readonly timers = new Set<NodeJS.Timeout>();

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((err) => {
        this.send(res, 500, statusObject(500, 'InternalError', String(err)));
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    for (const w of this.watchers) w.res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  /** openWatches is how many watch streams are still open (a client that stopped watching closed its stream). */
  get openWatches(): number {
    return this.watchers.size;
  }

  /** fault makes the next `times` matching requests fail with `status` and a Status body. */
  fault(f: Partial<Fault> & { path: RegExp; status: number }): void {
    this.faults.push({ times: 1, ...f });
  }

  /** apps lists the stored SparkApplications. */
  apps(ns?: string): Obj[] {
    return [...this.store.entries()]
      .filter(([k]) => k.startsWith(`sparkapplications/${ns ?? ''}`))
      .map(([, v]) => v);
  }

  get(plural: string, ns: string, name: string): Obj | undefined {
    return this.store.get(`${plural}/${ns}/${name}`);
  }

  /** put stores an object as if created by someone else (e.g. an older run), without the operator. */
  put(plural: string, obj: Obj): Obj {
    const ns = obj.metadata.namespace ?? 'default';
    const stored = {
      ...obj,
      metadata: {
        ...obj.metadata,
        namespace: ns,
        uid: obj.metadata.uid ?? randomUUID(),
        resourceVersion: String(++this.rv),
        creationTimestamp: obj.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    };
    this.store.set(`${plural}/${ns}/${obj.metadata.name}`, stored);
    return stored;
  }

  private send(res: ServerResponse, code: number, body: unknown): void {
    if (res.headersSent) return;
    const text = JSON.stringify(body);
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(url.searchParams);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    this.requests.push({
      method,
      path: url.pathname,
      query,
      ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
      ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
      ...(body ? { body } : {}),
    });

    if (this.token && req.headers.authorization !== `Bearer ${this.token}`) {
      return this.send(res, 401, statusObject(401, 'Unauthorized', 'Unauthorized'));
    }
    const fault = this.faults.find(
      (f) => f.times > 0 && (!f.method || f.method === method) && f.path.test(url.pathname),
    );
    if (fault) {
      fault.times--;
      const reason =
        fault.reason ??
        (
          { 401: 'Unauthorized', 403: 'Forbidden', 409: 'Conflict', 500: 'InternalError' } as Record<
            number,
            string
          >
        )[fault.status] ??
        'Unknown';
      return this.send(
        res,
        fault.status,
        statusObject(fault.status, reason, fault.message ?? `injected ${fault.status}`),
      );
    }

    // Discovery.
    const disc = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(url.pathname);
    if (disc && method === 'GET') {
      const group = disc[2] ?? '';
      const version = disc[1] ?? disc[3];
      const resources = RESOURCES.filter((r) => r.group === group && r.version === version).map((r) => ({
        name: r.plural,
        singularName: r.kind.toLowerCase(),
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      }));
      if (resources.length === 0)
        return this.send(
          res,
          404,
          statusObject(404, 'NotFound', 'the server could not find the requested resource'),
        );
      return this.send(res, 200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: group ? `${group}/${version}` : version,
        resources,
      });
    }

    const m =
      /^\/(?:api\/v1|apis\/([^/]+)\/([^/]+))\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?(?:\/(status|log))?$/.exec(
        url.pathname,
      );
    if (!m)
      return this.send(
        res,
        404,
        statusObject(404, 'NotFound', 'the server could not find the requested resource'),
      );
    const [, group = '', version = 'v1', ns = '', plural = '', name, sub] = m;
    const r = RESOURCES.find((x) => x.group === group && x.version === version && x.plural === plural);
    if (!r)
      return this.send(
        res,
        404,
        statusObject(404, 'NotFound', 'the server could not find the requested resource'),
      );
    const key = `${plural}/${ns}/${name ?? ''}`;
    const gr = r.group ? `${r.plural}.${r.group}` : r.plural;
    const notFound = () =>
      this.send(
        res,
        404,
        statusObject(404, 'NotFound', `${gr} "${name}" not found`, { name, group: r.group, kind: r.plural }),
      );

    if (!name) {
      if (method !== 'GET')
        return this.send(
          res,
          405,
          statusObject(
            405,
            'MethodNotAllowed',
            'the server does not allow this method on the requested resource',
          ),
        );
      if (query.watch === 'true') return this.watch(res, plural, ns, query);
      const fieldName = /metadata\.name=([^,]+)/.exec(query.fieldSelector ?? '')?.[1];
      const involved = /involvedObject\.name=([^,]+)/.exec(query.fieldSelector ?? '')?.[1];
      const items = [...this.store.entries()]
        .filter(([k]) => k.startsWith(`${plural}/${ns}/`))
        .map(([, v]) => v)
        .filter(
          (o) =>
            matchesSelector(o.metadata.labels, query.labelSelector) &&
            (!fieldName || o.metadata.name === fieldName),
        )
        .concat(
          plural === 'events'
            ? this.events.filter(
                (e) => e.metadata.namespace === ns && (!involved || e.involvedObject?.name === involved),
              )
            : [],
        );
      return this.send(res, 200, {
        apiVersion: r.group ? `${r.group}/${r.version}` : 'v1',
        kind: `${r.kind}List`,
        metadata: { resourceVersion: String(this.rv) },
        items,
      });
    }

    if (sub === 'log') {
      const pod = this.store.get(key);
      if (!pod) return notFound();
      const text = this.podLogs.get(name) ?? '';
      const lines = text.split('\n').filter((l, i, a) => l !== '' || i < a.length - 1);
      const tail = query.tailLines ? lines.slice(-Number(query.tailLines)) : lines;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(tail.length ? `${tail.join('\n')}\n` : '');
      return;
    }

    if (method === 'GET') {
      const o = this.store.get(key);
      return o ? this.send(res, 200, o) : notFound();
    }
    if (method === 'DELETE') {
      const o = this.store.get(key);
      if (!o) return notFound();
      this.remove(key);
      return this.send(res, 200, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name, group: r.group, kind: r.plural, uid: o.metadata.uid },
      });
    }
    if (method === 'PUT' && sub === 'status') {
      const o = this.store.get(key);
      if (!o) return notFound();
      this.setStatus(key, JSON.parse(body).status);
      return this.send(res, 200, this.store.get(key));
    }
    if (method === 'PATCH') {
      if (req.headers['content-type'] !== 'application/apply-patch+yaml') {
        return this.send(
          res,
          415,
          statusObject(
            415,
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: application/apply-patch+yaml`,
          ),
        );
      }
      if (!query.fieldManager) {
        return this.send(
          res,
          422,
          statusObject(
            422,
            'Invalid',
            'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
            {
              causes: [
                {
                  reason: 'FieldValueRequired',
                  message: 'Required value: is required for apply patch',
                  field: 'fieldManager',
                },
              ],
            },
          ),
        );
      }
      return this.apply(res, r, key, ns, name, parseYaml(body), query.fieldManager, query.force === 'true');
    }
    return this.send(
      res,
      405,
      statusObject(
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
      ),
    );
  }

  private apply(
    res: ServerResponse,
    r: Resource,
    key: string,
    ns: string,
    name: string,
    obj: Obj,
    manager: string,
    force: boolean,
  ) {
    this.received.push(obj);
    const apiVersion = r.group ? `${r.group}/${r.version}` : 'v1';
    if (obj.kind !== r.kind || obj.apiVersion !== apiVersion || obj.metadata?.name !== name) {
      return this.send(
        res,
        400,
        statusObject(
          400,
          'BadRequest',
          `the body's kind/apiVersion/name do not match the path (${r.kind} ${apiVersion} ${name})`,
        ),
      );
    }
    if (r.kind === 'SparkApplication') {
      if (!this.validate(obj)) {
        const causes = (this.validate.errors ?? []).map((e) => ({
          reason: 'FieldValueInvalid',
          message: `Invalid value: ${e.message}`,
          field: e.instancePath.slice(1).replace(/\//g, '.') || '<root>',
        }));
        return this.send(
          res,
          422,
          statusObject(
            422,
            'Invalid',
            `SparkApplication.sparkoperator.k8s.io "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`,
            { name, group: r.group, kind: r.kind, causes },
          ),
        );
      }
      if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) {
        // The operator's validating webhook (docs/protocols.md 2.1).
        return this.send(
          res,
          422,
          statusObject(
            422,
            'Invalid',
            `admission webhook denied the request: invalid SparkApplication name ${name}: must be a DNS-1035 label`,
          ),
        );
      }
    }
    const old = this.store.get(key);
    if (
      old &&
      old.metadata.managedFields?.[0]?.manager !== manager &&
      !force &&
      JSON.stringify(old.spec) !== JSON.stringify(obj.spec)
    ) {
      return this.send(
        res,
        409,
        statusObject(
          409,
          'Conflict',
          `Apply failed with 1 conflict: conflict with "${old.metadata.managedFields?.[0]?.manager}": .spec`,
          {
            name,
            group: r.group,
            kind: r.plural,
            causes: [
              {
                reason: 'FieldManagerConflict',
                message: `conflict with "${old.metadata.managedFields?.[0]?.manager}"`,
                field: '.spec',
              },
            ],
          },
        ),
      );
    }
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const stored: Obj = {
      ...obj,
      metadata: {
        ...obj.metadata,
        namespace: ns,
        uid: old?.metadata.uid ?? randomUUID(),
        resourceVersion: String(++this.rv),
        creationTimestamp: old?.metadata.creationTimestamp ?? now,
        generation:
          (old?.metadata.generation ?? 0) +
          (old && JSON.stringify(old.spec) === JSON.stringify(obj.spec) ? 0 : 1),
        managedFields: [{ manager, operation: 'Apply', apiVersion, time: now, fieldsType: 'FieldsV1' }],
      },
      ...(old?.status ? { status: old.status } : {}),
    };
    this.store.set(key, stored);
    this.notify(key, old ? 'MODIFIED' : 'ADDED', stored);
    if (r.kind === 'SparkApplication') {
      if (!old) this.operate(key, 1);
      else if (JSON.stringify(old.spec) !== JSON.stringify(obj.spec)) this.invalidate(key);
    }
    this.send(res, old ? 200 : 201, stored);
  }

  private remove(key: string): void {
    const o = this.store.get(key);
    if (!o) return;
    this.store.delete(key);
    this.notify(key, 'DELETED', o);
    // Garbage collection of dependents (ownerReferences) and the operator's driver pod.
    for (const [k, v] of [...this.store.entries()]) {
      if ((v.metadata.ownerReferences ?? []).some((ref: Obj) => ref.uid === o.metadata.uid)) this.remove(k);
    }
  }

  private notify(key: string, type: string, object: Obj): void {
    const [plural, ns] = key.split('/');
    for (const w of this.watchers) {
      if (w.key !== plural || w.ns !== ns) continue;
      if (w.name && w.name !== object.metadata.name) continue;
      if (!matchesSelector(object.metadata.labels, w.selector)) continue;
      w.res.write(`${JSON.stringify({ type, object })}\n`);
      w.sent++;
      if (this.dropWatchAfter !== undefined && w.sent >= this.dropWatchAfter) {
        this.watchers.delete(w);
        w.res.end();
      }
    }
  }

  private watch(res: ServerResponse, plural: string, ns: string, query: Record<string, string>): void {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    // kube-apiserver flushes the headers as the watch starts (apiserver/pkg/endpoints/handlers/watch.go:
    // WriteHeader, then flusher.Flush()), so a client sees the watch open before any event.
    res.flushHeaders();
    const since = query.resourceVersion ? Number(query.resourceVersion) : undefined;
    if (since !== undefined && since < this.compactedBelow) {
      res.end(
        `${JSON.stringify({ type: 'ERROR', object: statusObject(410, 'Expired', `too old resource version: ${since} (${this.compactedBelow})`) })}\n`,
      );
      return;
    }
    const name = /metadata\.name=([^,]+)/.exec(query.fieldSelector ?? '')?.[1];
    const w: Watcher = {
      res,
      key: plural,
      ns,
      selector: query.labelSelector ?? '',
      sent: 0,
      ...(name ? { name } : {}),
    };
    this.watchers.add(w);
    res.on('close', () => this.watchers.delete(w));
    // Without a resourceVersion (or "0") a watch starts with ADDED for every current object.
    if (since === undefined || since === 0) {
      for (const [k, v] of this.store) {
        if (!k.startsWith(`${plural}/${ns}/`)) continue;
        if (name && v.metadata.name !== name) continue;
        if (!matchesSelector(v.metadata.labels, w.selector)) continue;
        res.write(`${JSON.stringify({ type: 'ADDED', object: v })}\n`);
      }
    } else {
      // Resume: send the current state of objects changed since then as MODIFIED.
      for (const [k, v] of this.store) {
        if (!k.startsWith(`${plural}/${ns}/`) || Number(v.metadata.resourceVersion) <= since) continue;
        if (name && v.metadata.name !== name) continue;
        res.write(`${JSON.stringify({ type: 'MODIFIED', object: v })}\n`);
      }
    }
  }

  private later(fn: () => void, steps = 1): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, this.stepMs * steps);
    this.timers.add(t);
  }

  private setStatus(key: string, status: Obj): void {
    const o = this.store.get(key);
    if (!o) return;
    const next = { ...o, metadata: { ...o.metadata, resourceVersion: String(++this.rv) }, status };
    this.store.set(key, next);
    this.notify(key, 'MODIFIED', next);
  }

  private scenarioOf(name: string): Scenario {
    for (const [prefix, s] of this.scenarios) if (name.startsWith(prefix)) return s;
    return this.defaultScenario;
  }

  private podSet(app: Obj, phase: string, container: Obj): void {
    const ns = app.metadata.namespace;
    const podName = `${app.metadata.name}-driver`;
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: podName,
        namespace: ns,
        uid: randomUUID(),
        resourceVersion: String(++this.rv),
        labels: {
          'sparkoperator.k8s.io/app-name': app.metadata.name,
          'sparkoperator.k8s.io/launched-by-spark-operator': 'true',
          'spark-role': 'driver',
        },
        ownerReferences: [
          {
            apiVersion: 'sparkoperator.k8s.io/v1beta2',
            kind: 'SparkApplication',
            name: app.metadata.name,
            uid: app.metadata.uid,
            controller: true,
          },
        ],
      },
      status: { phase, containerStatuses: [{ name: 'spark-kubernetes-driver', ...container }] },
    };
    this.store.set(`pods/${ns}/${podName}`, pod);
  }

  /** operate runs one submission attempt of the app through the operator's transitions (docs/protocols.md 2.2). */
  private operate(key: string, attempt: number, submissionAttempt = 1): void {
    const app = () => this.store.get(key);
    const a0 = app();
    if (!a0) return;
    const name = a0.metadata.name;
    const ns = a0.metadata.namespace;
    const scenario = this.scenarioOf(name);
    const rp = a0.spec.restartPolicy ?? { type: 'Never' };
    const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const uiPort =
      Number(a0.spec.sparkUIOptions?.servicePort ?? a0.spec.sparkConf?.['spark.ui.port'] ?? 4040) || 4040;
    const driverInfo = {
      webUIServiceName: `${name}-ui-svc`,
      webUIPort: uiPort,
      webUIAddress: `10.96.${attempt}.${(name.length * 7) % 250}:${uiPort}`,
      podName: `${name}-driver`,
    };
    const base = (state: string, extra: Obj = {}) => ({
      sparkApplicationId: extra.sparkApplicationId,
      submissionID: `${attempt}-${submissionAttempt}-${name}`,
      lastSubmissionAttemptTime: now(),
      driverInfo,
      applicationState: { state, ...(extra.errorMessage ? { errorMessage: extra.errorMessage } : {}) },
      executionAttempts: attempt,
      submissionAttempts: submissionAttempt,
      ...(extra.terminationTime ? { terminationTime: extra.terminationTime } : {}),
    });
    const alive = () =>
      app()?.metadata.uid === a0.metadata.uid && app()?.metadata.generation === a0.metadata.generation;
    const step = (n: number, fn: () => void) => this.later(() => alive() && fn(), n);
    const appId = `spark-${a0.metadata.uid.replace(/-/g, '').slice(0, 32)}`;
    const finish = (ok: boolean, errorMessage?: string) => {
      const retries = ok ? 0 : (rp.onFailureRetries ?? 0);
      const canRetry = !ok && (rp.type === 'Always' || rp.type === 'OnFailure') && attempt <= retries;
      if (canRetry || (ok && rp.type === 'Always')) {
        step(1, () => {
          this.setStatus(key, base('PENDING_RERUN', { sparkApplicationId: appId, errorMessage }));
          step(1, () => this.operate(key, attempt + 1));
        });
        return;
      }
      step(1, () =>
        this.setStatus(
          key,
          base(ok ? 'COMPLETED' : 'FAILED', {
            sparkApplicationId: appId,
            errorMessage,
            terminationTime: now(),
          }),
        ),
      );
    };

    this.setStatus(key, { driverInfo: {}, applicationState: { state: '' } });
    if (scenario === 'submission-failed') {
      step(1, () => {
        const errorMessage = `failed to submit spark application: failed to run spark-submit: exit status 1`;
        this.setStatus(key, { ...base('SUBMISSION_FAILED', { errorMessage }), driverInfo: {} });
        const retries = rp.onSubmissionFailureRetries ?? 0;
        if (rp.type !== 'Never' && submissionAttempt <= retries)
          step(1, () => this.operate(key, attempt, submissionAttempt + 1));
        else
          step(1, () =>
            this.setStatus(key, {
              ...base('FAILED', { errorMessage, terminationTime: now() }),
              driverInfo: {},
            }),
          );
      });
      return;
    }
    step(1, () => {
      this.setStatus(key, base('SUBMITTED'));
      this.store.set(`services/${ns}/${name}-ui-svc`, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name: `${name}-ui-svc`,
          namespace: ns,
          uid: randomUUID(),
          ownerReferences: [
            {
              apiVersion: 'sparkoperator.k8s.io/v1beta2',
              kind: 'SparkApplication',
              name,
              uid: a0.metadata.uid,
              controller: true,
            },
          ],
        },
        spec: {
          type: 'ClusterIP',
          ports: [{ name: 'spark-driver-ui-port', port: uiPort, targetPort: 4040 }],
        },
      });
      if (scenario === 'driver-missing') {
        step(2, () => {
          this.setStatus(key, base('FAILING', { errorMessage: 'driver pod not found' }));
          finish(false, 'driver pod not found');
        });
        return;
      }
      if (scenario === 'image-pull') {
        this.podSet(a0, 'Pending', {
          ready: false,
          state: {
            waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${a0.spec.image}"` },
          },
        });
        return;
      }
      if (scenario === 'unschedulable') {
        this.podSet(a0, 'Pending', { ready: false, state: { waiting: { reason: 'ContainerCreating' } } });
        this.events.push({
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name: `${name}-driver.1`, namespace: ns },
          involvedObject: { kind: 'Pod', name: `${name}-driver`, namespace: ns },
          reason: 'FailedScheduling',
          type: 'Warning',
          message:
            '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
        });
        return;
      }
      this.podSet(a0, 'Pending', { ready: false, state: { waiting: { reason: 'ContainerCreating' } } });
      this.podLogs.set(
        `${name}-driver`,
        `${Array.from({ length: 80 }, (_, i) => `26/11/25 18:00:${String(i % 60).padStart(2, '0')} INFO SparkContext: line ${i + 1}`).join('\n')}\n`,
      );
      step(1, () => {
        this.podSet(a0, 'Running', { ready: true, state: { running: { startedAt: now() } } });
        this.setStatus(key, base('RUNNING', { sparkApplicationId: appId }));
        if (scenario === 'streaming') return;
        const fails =
          scenario === 'fail' || scenario === 'oom' || (scenario === 'fail-then-succeed' && attempt === 1);
        step(2, () => {
          if (!fails) {
            this.podSet(a0, 'Succeeded', {
              ready: false,
              state: { terminated: { exitCode: 0, reason: 'Completed' } },
            });
            this.setStatus(key, base('SUCCEEDING', { sparkApplicationId: appId }));
            finish(true);
            return;
          }
          const [code, reason] = scenario === 'oom' ? [137, 'OOMKilled'] : [1, 'Error'];
          this.podLogs.set(
            `${name}-driver`,
            `${this.podLogs.get(`${name}-driver`) ?? ''}Exception in thread "main" java.lang.IllegalStateException: input path s3a://bucket/in does not exist\n\tat com.etl.Main$.main(Main.scala:42)\n`,
          );
          this.podSet(a0, 'Failed', { ready: false, state: { terminated: { exitCode: code, reason } } });
          const errorMessage = `driver container failed with ExitCode: ${code}, Reason: ${reason}`;
          this.setStatus(key, base('FAILING', { sparkApplicationId: appId, errorMessage }));
          finish(false, errorMessage);
        });
      });
    });
  }

  /** invalidate is the operator's reaction to a spec change on a live app: INVALIDATING → PENDING_RERUN → rerun. */
  private invalidate(key: string): void {
    const o = this.store.get(key);
    if (!o) return;
    this.setStatus(key, { ...(o.status ?? {}), applicationState: { state: 'INVALIDATING' } });
    this.later(() => {
      const cur = this.store.get(key);
      if (!cur) return;
      this.store.delete(`pods/${cur.metadata.namespace}/${cur.metadata.name}-driver`);
      this.setStatus(key, { driverInfo: {}, applicationState: { state: 'PENDING_RERUN' } });
      this.later(() => this.operate(key, 1));
    });
  }
}

/** kubeconfigFor writes nothing: it returns kubeconfig YAML pointing at the fake with a bearer token. */
export function kubeconfigFor(url: string, token = 'test-token-not-a-secret', namespace?: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: fake',
    '  cluster:',
    `    server: ${url}`,
    // client-node refuses a plain-http server unless TLS verification is off (the fake speaks http).
    '    insecure-skip-tls-verify: true',
    'users:',
    '- name: ci',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: fake',
    '  context:',
    '    cluster: fake',
    '    user: ci',
    ...(namespace ? [`    namespace: ${namespace}`] : []),
    'current-context: fake',
    '',
  ].join('\n');
}
