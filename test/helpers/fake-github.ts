/**
 * A fake GitHub REST API for tests: a real HTTP server on 127.0.0.1:0 that maps every request (method +
 * path) to its operation in GitHub's own OpenAPI description (`@octokit/openapi`,
 * generated/api.github.com.deref.json, loaded once per test process) and validates its path and query
 * parameters and its JSON body against the operation's schemas with Ajv (`strict: false`: the spec carries
 * `x-*` and `example` keywords). Every mismatch is recorded in `violations`, and tests assert that list is
 * empty. The fake's own answers are validated against the operation's response schema too, so it cannot
 * drift from what GitHub sends.
 *
 * Beyond the schemas it enforces what the API documents in prose (docs/protocols.md §4): a completed check run
 * needs a conclusion; annotations are appended across requests; 202/409 on deployment creation.
 *
 * Scenarios: `forbidden` (403 "Resource not accessible by integration", as a fork's read-only token gets),
 * `deploymentAnswer` 202 or 409, `failOnce` (one 5xx per listed operation, then normal answers),
 * `secondaryRateLimitOnce` (one 403 secondary rate limit with retry-after: 1).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

type Json = Record<string, unknown>;
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Json;
}
interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Json }> };
  responses: Record<string, { content?: Record<string, { schema: Json }> }>;
}
interface Route {
  method: string;
  template: string;
  regex: RegExp;
  names: string[];
  op: Operation;
}

let routes: Route[] | undefined;

/** loadRoutes reads the 73 MB dereferenced description once per process and indexes its operations. */
function loadRoutes(): Route[] {
  if (routes) return routes;
  const require = createRequire(import.meta.url);
  const file = join(
    require.resolve('@octokit/openapi/package.json'),
    '..',
    'generated/api.github.com.deref.json',
  );
  const spec = JSON.parse(readFileSync(file, 'utf8')) as { paths: Record<string, Record<string, Operation>> };
  const list: Route[] = [];
  for (const [template, ops] of Object.entries(spec.paths)) {
    const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
    const regex = new RegExp(
      `^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '([^/]+)')}$`,
    );
    for (const [method, op] of Object.entries(ops)) {
      if (!op || typeof op !== 'object' || !('operationId' in op)) continue;
      list.push({ method: method.toUpperCase(), template, regex, names, op });
    }
  }
  // Literal segments win over parameters (e.g. /issues/comments/{id} over /issues/{issue_number}).
  list.sort((a, b) => a.names.length - b.names.length);
  routes = list;
  return list;
}

const addFormats = addFormatsModule as unknown as (a: Ajv) => void;
// Requests are held to the letter of the description.
const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
addFormats(ajv);
// Responses are checked against what GitHub really sends where the description disagrees with it: unset
// URLs are "" (deployment status target_url/log_url/environment_url, format uri).
const ajvResponses = new Ajv({ strict: false, allErrors: true, logger: false });
addFormats(ajvResponses);
const uri = ajvResponses.formats.uri as (s: string) => boolean;
ajvResponses.addFormat('uri', (s: string) => s === '' || uri(s));

/**
 * openApiNullable rewrites OpenAPI 3.0 `nullable: true` next to an `enum` so null is allowed, as OpenAPI
 * means it (Ajv's `nullable` does not extend an enum).
 */
function openApiNullable(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(openApiNullable);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) out[k] = openApiNullable(v);
  if (out.nullable === true && Array.isArray(out.enum) && !out.enum.includes(null))
    out.enum = [...out.enum, null];
  return out;
}

const compiled = new Map<string, ValidateFunction>();
function check(key: string, schema: Json, value: unknown): string | undefined {
  const response = key.includes(' response ');
  const instance = response ? ajvResponses : ajv;
  let v = compiled.get(key);
  if (!v) {
    v = instance.compile(openApiNullable(schema) as Json);
    compiled.set(key, v);
  }
  if (v(value)) return undefined;
  return instance.errorsText(v.errors, { dataVar: key.split(' ').pop() ?? 'data' });
}

/** coerce turns a path/query string into the type its schema wants, as a server would parse it. */
function coerce(schema: Json | undefined, raw: string): unknown {
  const t = schema?.type;
  if ((t === 'integer' || t === 'number') && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (t === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}

/**
 * proseRules are limits GitHub states only in descriptions, not in the schemas (docs/protocols.md §4.1, §4.2):
 * they are enforced like schema violations.
 */
function proseRules(id: string, body: unknown, query: Record<string, string>): string[] {
  const out: string[] = [];
  if (query.per_page !== undefined && Number(query.per_page) > 100)
    out.push(`${id}: per_page=${query.per_page} (max 100)`);
  const b = (body ?? {}) as Json;
  if (id === 'checks/create' || id === 'checks/update') {
    if (b.conclusion === 'stale') out.push(`${id}: conclusion stale can only be set by GitHub`);
    const o = (b.output ?? {}) as Json;
    for (const k of ['summary', 'text'] as const)
      if (typeof o[k] === 'string' && (o[k] as string).length > 65_535)
        out.push(`${id}: output.${k} over 65535 characters`);
    const anns = Array.isArray(o.annotations) ? (o.annotations as Json[]) : [];
    anns.forEach((a, i) => {
      if (typeof a.title === 'string' && a.title.length > 255)
        out.push(`${id}: annotations[${i}].title over 255 characters`);
      for (const k of ['message', 'raw_details'] as const)
        if (typeof a[k] === 'string' && Buffer.byteLength(a[k] as string) > 64 * 1024)
          out.push(`${id}: annotations[${i}].${k} over 64 KB`);
      if ((a.start_column !== undefined || a.end_column !== undefined) && a.start_line !== a.end_line)
        out.push(`${id}: annotations[${i}] has columns but spans lines ${a.start_line}-${a.end_line}`);
      for (const k of ['start_line', 'end_line', 'start_column', 'end_column'] as const)
        if (typeof a[k] === 'number' && (a[k] as number) < 1) out.push(`${id}: annotations[${i}].${k} < 1`);
    });
    if (Array.isArray(b.actions) && b.actions.length > 3) out.push(`${id}: more than 3 actions`);
  }
  if (
    id === 'repos/create-deployment-status' &&
    typeof b.description === 'string' &&
    b.description.length > 140
  )
    out.push(`${id}: description over 140 characters`);
  return out;
}

export interface RecordedRequest {
  method: string;
  path: string;
  operationId?: string;
  query: Record<string, string>;
  body?: unknown;
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

export interface FakeCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  output: { title?: string; summary?: string; text?: string };
  annotations: Json[];
  details_url?: string;
  external_id?: string;
  started_at?: string;
  completed_at?: string | null;
  /** How many requests carried annotations. */
  annotationRequests: number;
}
export interface FakeDeployment {
  id: number;
  request: Json;
  statuses: Json[];
}
export interface FakeComment {
  id: number;
  issue: number;
  body: string;
  user: string;
}

type Area = 'checks' | 'deployments' | 'comments';

export interface FakeGitHubOptions {
  /** 403 "Resource not accessible by integration" on writes (true: all; or per area). */
  forbidden?: boolean | Area[];
  /** Answer deployment creation with 202 (auto-merge) or 409 (conflict) instead of creating one. */
  deploymentAnswer?: 202 | 409;
  /** Operation ids answered once with 502, then normally. */
  failOnce?: string[];
  /** Operation ids answered once with a 403 secondary rate limit (retry-after: 1). */
  secondaryRateLimitOnce?: string[];
  /** Comments already on pull requests. */
  comments?: { issue: number; body: string; user?: string }[];
  /** Repository the fake serves (default acme/etl). */
  repository?: string;
}

export interface FakeGitHub {
  url: string;
  requests: RecordedRequest[];
  /** Every schema or protocol violation seen; a test fails when this is not empty. */
  violations: string[];
  checkRuns: FakeCheckRun[];
  deployments: FakeDeployment[];
  comments: FakeComment[];
  /** Requests of one operation id. */
  calls(operationId: string): RecordedRequest[];
  close(): Promise<void>;
}

const AREA: Record<string, Area> = {
  'checks/create': 'checks',
  'checks/update': 'checks',
  'repos/create-deployment': 'deployments',
  'repos/create-deployment-status': 'deployments',
  'issues/create-comment': 'comments',
  'issues/update-comment': 'comments',
};

const NOW = '2026-01-15T10:00:00Z';

function user(login: string, id: number): Json {
  const u = `https://api.github.com/users/${encodeURIComponent(login)}`;
  return {
    login,
    id,
    node_id: `MDM6Qm90${id}`,
    avatar_url: `https://avatars.githubusercontent.com/in/${id}?v=4`,
    gravatar_id: '',
    url: u,
    html_url: `https://github.com/apps/${login.replace(/\[bot\]$/, '')}`,
    followers_url: `${u}/followers`,
    following_url: `${u}/following{/other_user}`,
    gists_url: `${u}/gists{/gist_id}`,
    starred_url: `${u}/starred{/owner}{/repo}`,
    subscriptions_url: `${u}/subscriptions`,
    organizations_url: `${u}/orgs`,
    repos_url: `${u}/repos`,
    events_url: `${u}/events{/privacy}`,
    received_events_url: `${u}/received_events`,
    type: 'Bot',
    site_admin: false,
  };
}
const BOT_LOGIN = 'github-actions[bot]';
const BOT = user(BOT_LOGIN, 41898282);

/** startFakeGitHub starts the fake on 127.0.0.1 with a random port. */
export async function startFakeGitHub(opts: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const all = loadRoutes();
  const repoName = opts.repository ?? 'acme/etl';
  const api = 'https://api.github.com';
  const web = 'https://github.com';
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const checkRuns: FakeCheckRun[] = [];
  const deployments: FakeDeployment[] = [];
  const comments: FakeComment[] = [];
  let nextId = 1000;
  for (const c of opts.comments ?? [])
    comments.push({ id: nextId++, issue: c.issue, body: c.body, user: c.user ?? 'someone' });
  const failOnce = new Set(opts.failOnce ?? []);
  const limitOnce = new Set(opts.secondaryRateLimitOnce ?? []);
  const forbidden = (id: string) => {
    const area = AREA[id];
    if (!area || !opts.forbidden) return false;
    return opts.forbidden === true || opts.forbidden.includes(area);
  };

  const checkRunJson = (r: FakeCheckRun): Json => ({
    id: r.id,
    node_id: `CR_${r.id}`,
    head_sha: r.head_sha,
    external_id: r.external_id ?? '',
    url: `${api}/repos/${repoName}/check-runs/${r.id}`,
    html_url: `${web}/${repoName}/runs/${r.id}`,
    details_url: r.details_url ?? null,
    status: r.status,
    conclusion: r.conclusion,
    started_at: r.started_at ?? NOW,
    completed_at: r.completed_at ?? null,
    output: {
      title: r.output.title ?? null,
      summary: r.output.summary ?? null,
      text: r.output.text ?? null,
      annotations_count: r.annotations.length,
      annotations_url: `${api}/repos/${repoName}/check-runs/${r.id}/annotations`,
    },
    name: r.name,
    check_suite: { id: 5000 },
    app: null,
    pull_requests: [],
  });
  const deploymentJson = (d: FakeDeployment): Json => ({
    url: `${api}/repos/${repoName}/deployments/${d.id}`,
    id: d.id,
    node_id: `DE_${d.id}`,
    sha: d.request.ref,
    ref: d.request.ref,
    task: d.request.task ?? 'deploy',
    payload: typeof d.request.payload === 'object' && d.request.payload ? d.request.payload : {},
    original_environment: d.request.environment ?? 'production',
    environment: d.request.environment ?? 'production',
    description: d.request.description ?? null,
    creator: BOT,
    created_at: NOW,
    updated_at: NOW,
    statuses_url: `${api}/repos/${repoName}/deployments/${d.id}/statuses`,
    repository_url: `${api}/repos/${repoName}`,
    transient_environment: d.request.transient_environment ?? false,
    production_environment: d.request.production_environment ?? d.request.environment === 'production',
  });
  const commentJson = (c: FakeComment): Json => ({
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${api}/repos/${repoName}/issues/comments/${c.id}`,
    body: c.body,
    html_url: `${web}/${repoName}/pull/${c.issue}#issuecomment-${c.id}`,
    user: c.user === BOT_LOGIN ? BOT : user(c.user, 7),
    created_at: NOW,
    updated_at: NOW,
    issue_url: `${api}/repos/${repoName}/issues/${c.issue}`,
    author_association: c.user === BOT_LOGIN ? 'NONE' : 'MEMBER',
  });

  const statusJson = (d: FakeDeployment, b: Json): Json => ({
    url: `${api}/repos/${repoName}/deployments/${d.id}/statuses/${b.id}`,
    id: b.id,
    node_id: `DES_${b.id}`,
    state: b.state,
    creator: BOT,
    description: b.description ?? '',
    environment: b.environment ?? d.request.environment ?? 'production',
    target_url: b.log_url ?? b.target_url ?? '',
    log_url: b.log_url ?? b.target_url ?? '',
    environment_url: b.environment_url ?? '',
    created_at: NOW,
    updated_at: NOW,
    deployment_url: `${api}/repos/${repoName}/deployments/${d.id}`,
    repository_url: `${api}/repos/${repoName}`,
  });

  type Answer = { status: number; body?: unknown; headers?: Record<string, string> };
  const handlers: Record<string, (p: Record<string, unknown>, q: Record<string, string>, b: Json) => Answer> =
    {
      'checks/create': (_p, _q, b) => {
        const output = (b.output ?? {}) as Json;
        const anns = (output.annotations as Json[] | undefined) ?? [];
        const run: FakeCheckRun = {
          id: nextId++,
          name: String(b.name),
          head_sha: String(b.head_sha),
          status: b.conclusion ? 'completed' : String(b.status ?? 'queued'),
          conclusion: (b.conclusion as string | undefined) ?? null,
          output: { ...(output as FakeCheckRun['output']) },
          annotations: [...anns],
          annotationRequests: anns.length ? 1 : 0,
          ...(b.details_url ? { details_url: String(b.details_url) } : {}),
          ...(b.external_id ? { external_id: String(b.external_id) } : {}),
          ...(b.started_at ? { started_at: String(b.started_at) } : {}),
        };
        if (run.status === 'completed' && !run.conclusion) {
          violations.push('checks/create: status completed without a conclusion');
          return { status: 422, body: { message: 'Invalid request.\n\nconclusion is required' } };
        }
        checkRuns.push(run);
        return { status: 201, body: checkRunJson(run) };
      },
      'checks/update': (p, _q, b) => {
        const run = checkRuns.find((r) => r.id === p.check_run_id);
        if (!run) return { status: 404, body: { message: 'Not Found' } };
        const output = b.output as Json | undefined;
        if (output) {
          const anns = (output.annotations as Json[] | undefined) ?? [];
          const { annotations: _drop, ...rest } = output;
          run.output = { ...run.output, ...(rest as FakeCheckRun['output']) };
          run.annotations.push(...anns);
          if (anns.length) run.annotationRequests++;
        }
        if (b.status === 'completed' && !b.conclusion) {
          violations.push('checks/update: status completed without a conclusion');
          return { status: 422, body: { message: 'Invalid request.\n\nconclusion is required' } };
        }
        if (b.status) run.status = String(b.status);
        if (b.conclusion) {
          run.conclusion = String(b.conclusion);
          run.status = 'completed';
        }
        if (b.completed_at) run.completed_at = String(b.completed_at);
        return { status: 200, body: checkRunJson(run) };
      },
      'repos/create-deployment': (_p, _q, b) => {
        if (opts.deploymentAnswer === 202)
          return { status: 202, body: { message: 'Auto-merged master into topic-branch on deployment.' } };
        if (opts.deploymentAnswer === 409)
          return {
            status: 409,
            body: {
              message: 'Conflict: Commit status checks failed for topic-branch.',
              documentation_url: 'https://docs.github.com/rest/deployments/deployments#create-a-deployment',
            },
          };
        const d: FakeDeployment = { id: nextId++, request: b, statuses: [] };
        deployments.push(d);
        return { status: 201, body: deploymentJson(d) };
      },
      'repos/list-deployments': (_p, q) => {
        const list = deployments
          .filter((d) => !q.environment || d.request.environment === q.environment)
          .reverse();
        const per = Number(q.per_page ?? 30);
        const page = Number(q.page ?? 1);
        return { status: 200, body: list.slice((page - 1) * per, page * per).map(deploymentJson) };
      },
      'repos/create-deployment-status': (p, _q, b) => {
        const d = deployments.find((x) => x.id === p.deployment_id);
        if (!d) return { status: 404, body: { message: 'Not Found' } };
        const s = { id: nextId++, ...b };
        d.statuses.push(s);
        return { status: 201, body: statusJson(d, s) };
      },
      // Newest first, as GitHub lists them.
      'repos/list-deployment-statuses': (p, q) => {
        const d = deployments.find((x) => x.id === p.deployment_id);
        if (!d) return { status: 404, body: { message: 'Not Found' } };
        const per = Number(q.per_page ?? 30);
        const page = Number(q.page ?? 1);
        const list = [...d.statuses].reverse().slice((page - 1) * per, page * per);
        return { status: 200, body: list.map((s) => statusJson(d, s)) };
      },
      'issues/list-comments': (p, q) => {
        const list = comments.filter((c) => c.issue === p.issue_number);
        const per = Number(q.per_page ?? 30);
        const page = Number(q.page ?? 1);
        return { status: 200, body: list.slice((page - 1) * per, page * per).map(commentJson) };
      },
      'issues/create-comment': (p, _q, b) => {
        const c: FakeComment = {
          id: nextId++,
          issue: Number(p.issue_number),
          body: String(b.body),
          user: BOT_LOGIN,
        };
        comments.push(c);
        return { status: 201, body: commentJson(c) };
      },
      'issues/update-comment': (p, _q, b) => {
        const c = comments.find((x) => x.id === p.comment_id);
        if (!c) return { status: 404, body: { message: 'Not Found' } };
        c.body = String(b.body);
        return { status: 200, body: commentJson(c) };
      },
    };

  const handle = (
    req: IncomingMessage,
    raw: string,
  ): Answer & { operationId?: string; query: Record<string, string>; reqBody?: unknown } => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const query = Object.fromEntries(url.searchParams);
    const route = all.find((r) => r.method === method && r.regex.test(url.pathname));
    if (!route) {
      violations.push(`${method} ${url.pathname}: no such operation in the GitHub REST API description`);
      return { status: 404, body: { message: 'Not Found' }, query };
    }
    const id = route.op.operationId;
    const m = route.regex.exec(url.pathname) as RegExpExecArray;
    const params: Record<string, unknown> = {};
    const declared = route.op.parameters ?? [];
    route.names.forEach((name, i) => {
      const p = declared.find((d) => d.in === 'path' && d.name === name);
      const value = coerce(p?.schema, decodeURIComponent(m[i + 1] ?? ''));
      params[name] = value;
      if (p?.schema) {
        const err = check(`${id} path ${name}`, p.schema, value);
        if (err) violations.push(`${id}: path parameter ${name}=${String(value)}: ${err}`);
      }
    });
    for (const [k, v] of Object.entries(query)) {
      const p = declared.find((d) => d.in === 'query' && d.name === k);
      if (!p) {
        violations.push(`${id}: unknown query parameter ${k}`);
        continue;
      }
      const err = p.schema ? check(`${id} query ${k}`, p.schema, coerce(p.schema, v)) : undefined;
      if (err) violations.push(`${id}: query parameter ${k}=${v}: ${err}`);
    }
    for (const p of declared)
      if (p.in === 'query' && p.required && !(p.name in query))
        violations.push(`${id}: missing required query parameter ${p.name}`);
    // Headers every Octokit request must carry.
    if (!/^(token|bearer) \S+$/i.test(String(req.headers.authorization ?? '')))
      violations.push(`${id}: no token in the Authorization header`);
    if (!String(req.headers['user-agent'] ?? '').startsWith('spark-deploy-action'))
      violations.push(`${id}: user agent is "${req.headers['user-agent']}", not spark-deploy-action`);
    if (!String(req.headers.accept ?? '').includes('application/vnd.github'))
      violations.push(`${id}: Accept header is "${req.headers.accept}"`);

    let body: unknown;
    const schema = route.op.requestBody?.content['application/json']?.schema;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        violations.push(`${id}: request body is not JSON`);
        return { status: 400, body: { message: 'Problems parsing JSON' }, operationId: id, query };
      }
      if (!schema) violations.push(`${id}: sends a body but the operation takes none`);
      else {
        const err = check(`${id} body`, schema, body);
        if (err) violations.push(`${id}: request body: ${err}`);
        if (err)
          return {
            status: 422,
            body: { message: `Invalid request.\n\n${err}` },
            operationId: id,
            query,
            reqBody: body,
          };
      }
    } else if (route.op.requestBody?.required) {
      violations.push(`${id}: request body is required`);
    }
    const broken = proseRules(id, body, query);
    if (broken.length) {
      violations.push(...broken);
      return {
        status: 422,
        body: { message: `Validation Failed: ${broken.join('; ')}` },
        operationId: id,
        query,
        reqBody: body,
      };
    }

    if (failOnce.delete(id))
      return { status: 502, body: { message: 'Server Error' }, operationId: id, query, reqBody: body };
    if (limitOnce.delete(id))
      return {
        status: 403,
        headers: { 'retry-after': '1' },
        body: {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url:
            'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        },
        operationId: id,
        query,
        reqBody: body,
      };
    if (forbidden(id))
      return {
        status: 403,
        body: {
          message: 'Resource not accessible by integration',
          documentation_url: 'https://docs.github.com/rest',
          status: '403',
        },
        operationId: id,
        query,
        reqBody: body,
      };
    const h = handlers[id];
    if (!h) {
      violations.push(`${id}: the fake does not implement this operation`);
      return {
        status: 501,
        body: { message: 'not implemented by the fake' },
        operationId: id,
        query,
        reqBody: body,
      };
    }
    const answer = h(params, query, (body ?? {}) as Json);
    // Spot-check the fake against the response schema of the documented status.
    const resSchema = route.op.responses[String(answer.status)]?.content?.['application/json']?.schema;
    if (resSchema && answer.body !== undefined) {
      const err = check(`${id} response ${answer.status}`, resSchema, answer.body);
      if (err) violations.push(`fake: ${id} ${answer.status} response: ${err}`);
    }
    return { ...answer, operationId: id, query, reqBody: body };
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let a: ReturnType<typeof handle>;
      try {
        a = handle(req, Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        violations.push(`fake crashed: ${err instanceof Error ? err.stack : String(err)}`);
        a = { status: 500, body: { message: 'fake crashed' }, query: {} };
      }
      requests.push({
        method: req.method ?? '',
        path: (req.url ?? '').split('?')[0] ?? '',
        ...(a.operationId ? { operationId: a.operationId } : {}),
        query: a.query,
        ...(a.reqBody !== undefined ? { body: a.reqBody } : {}),
        status: a.status,
        headers: req.headers,
      });
      const payload = a.body === undefined ? '' : JSON.stringify(a.body);
      res.writeHead(a.status, {
        'content-type': 'application/json; charset=utf-8',
        'x-github-api-version-selected': '2022-11-28',
        'x-ratelimit-limit': '1000',
        'x-ratelimit-remaining': '999',
        ...a.headers,
      });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    violations,
    checkRuns,
    deployments,
    comments,
    calls: (operationId) => requests.filter((r) => r.operationId === operationId),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
