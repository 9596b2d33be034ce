// The fake must catch what GitHub would reject: these requests break the OpenAPI description on purpose.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGitHub, startFakeGitHub } from '../../helpers/fake-github.js';

let fake: FakeGitHub;
beforeAll(async () => {
  fake = await startFakeGitHub();
});
afterAll(() => fake.close());

const HEADERS = {
  authorization: 'token ghs_x',
  'user-agent': 'spark-deploy-action test',
  accept: 'application/vnd.github+json',
  'content-type': 'application/json',
};
async function send(method: string, path: string, body?: unknown, headers: Record<string, string> = HEADERS) {
  const before = fake.violations.length;
  const res = await fetch(`${fake.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await res.text();
  return { status: res.status, violations: fake.violations.slice(before) };
}

const annotation = (i: number, level = 'failure') => ({
  path: 'src/Main.scala',
  start_line: i + 1,
  end_line: i + 1,
  annotation_level: level,
  message: 'm',
});

describe('fake GitHub validates requests against @octokit/openapi', () => {
  it('accepts the spec’s own example request for checks/create', async () => {
    const r = await send('POST', '/repos/acme/etl/check-runs', {
      name: 'mighty_readme',
      head_sha: 'ce587453ced02b1526dfb4cb910479d431683101',
      status: 'in_progress',
      external_id: '42',
      started_at: '2018-05-04T01:14:52Z',
      output: { title: 'Mighty Readme report', summary: '', text: '' },
    });
    expect(r).toEqual({ status: 201, violations: [] });
  });

  it.each([
    [
      'annotation_level error',
      { output: { title: 't', summary: 's', annotations: [annotation(0, 'error')] } },
      /annotation_level must be equal to one of the allowed values/,
    ],
    [
      '51 annotations',
      {
        output: {
          title: 't',
          summary: 's',
          annotations: Array.from({ length: 51 }, (_, i) => annotation(i)),
        },
      },
      /annotations must NOT have more than 50 items/,
    ],
    [
      'title over 255',
      { output: { title: 't', summary: 's', annotations: [{ ...annotation(0), title: 'x'.repeat(256) }] } },
      /annotations\[0\].title over 255 characters/,
    ],
    ['output without summary', { output: { title: 't' } }, /output must have required property 'summary'/],
    ['conclusion stale', { conclusion: 'stale' }, /conclusion stale can only be set by GitHub/],
  ])('checks/create: %s', async (_name, extra, message) => {
    const r = await send('POST', '/repos/acme/etl/check-runs', { name: 'n', head_sha: 'abc', ...extra });
    expect(r.status).toBe(422);
    expect(r.violations.join('\n')).toMatch(message);
  });

  it('checks/update: completed without a conclusion', async () => {
    const created = await fetch(`${fake.url}/repos/acme/etl/check-runs`, {
      method: 'POST',
      headers: HEADERS,
      body: JSON.stringify({ name: 'n', head_sha: 'abc' }),
    }).then((r) => r.json() as Promise<{ id: number }>);
    const r = await send('PATCH', `/repos/acme/etl/check-runs/${created.id}`, { status: 'completed' });
    expect(r.status).toBe(422);
    expect(r.violations.join('\n')).toMatch(/must have required property 'conclusion'/);
  });

  it.each([
    [
      'missing ref',
      'POST',
      '/repos/acme/etl/deployments',
      { environment: 'x' },
      /must have required property 'ref'/,
    ],
    [
      'bad status state',
      'POST',
      '/repos/acme/etl/deployments/1/statuses',
      { state: 'done' },
      /state must be equal to one of the allowed values/,
    ],
    [
      'non-integer id',
      'POST',
      '/repos/acme/etl/deployments/abc/statuses',
      { state: 'success' },
      /path parameter deployment_id=abc: .*must be integer/,
    ],
    [
      'unknown query parameter',
      'GET',
      '/repos/acme/etl/deployments?env=x',
      undefined,
      /unknown query parameter env/,
    ],
    [
      'per_page over 100',
      'GET',
      '/repos/acme/etl/issues/1/comments?per_page=500',
      undefined,
      /per_page=500 \(max 100\)/,
    ],
    ['no such route', 'POST', '/repos/acme/etl/deployment', { ref: 'x' }, /no such operation/],
    [
      'comment without body',
      'POST',
      '/repos/acme/etl/issues/1/comments',
      {},
      /must have required property 'body'/,
    ],
  ])('%s', async (_name, method, path, body, message) => {
    const r = await send(method, path, body);
    expect(r.violations.join('\n')).toMatch(message);
  });

  it('flags a request without token or with another user agent', async () => {
    const r = await send('GET', '/repos/acme/etl/deployments', undefined, { accept: 'application/json' });
    expect(r.violations).toEqual([
      'repos/list-deployments: no token in the Authorization header',
      'repos/list-deployments: user agent is "node", not spark-deploy-action',
      'repos/list-deployments: Accept header is "application/json"',
    ]);
    fake.violations.length = 0;
  });
});
