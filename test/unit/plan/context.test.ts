import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRunContext, reportedSha } from '../../../src/plan/context.js';

const dir = mkdtempSync(join(tmpdir(), 'context-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MERGE = '1111111111111111111111111111111111111111';
const HEAD = '2222222222222222222222222222222222222222';

function withEvent(event: unknown, eventName: string) {
  const path = join(dir, `${eventName}.json`);
  writeFileSync(path, JSON.stringify(event));
  return readRunContext(
    {
      GITHUB_SHA: MERGE,
      GITHUB_EVENT_PATH: path,
      GITHUB_EVENT_NAME: eventName,
      GITHUB_REPOSITORY: 'acme/etl',
    },
    dir,
  );
}

describe('readRunContext', () => {
  it('reads the pull request number and head commit of a pull_request event (a payload as GitHub sends it)', () => {
    const ctx = withEvent(
      { action: 'synchronize', number: 7, pull_request: { number: 7, head: { sha: HEAD, ref: 'feature' } } },
      'pull_request',
    );
    expect(ctx.pullRequest).toBe(7);
    expect(ctx.sha).toBe(MERGE);
    expect(ctx.headSha).toBe(HEAD);
    expect(reportedSha(ctx)).toBe(HEAD);
  });

  it('reports GITHUB_SHA for a push, and ignores a head that is not a commit id', () => {
    expect(reportedSha(withEvent({ ref: 'refs/heads/main' }, 'push'))).toBe(MERGE);
    expect(
      withEvent({ pull_request: { number: 3, head: { sha: 'not-a-sha' } } }, 'pull_request').headSha,
    ).toBe(undefined);
  });
});
