import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { forgetSecrets, redact, redactDeep, registerSecret, secretValues } from '../../../src/util/redact.js';
import * as runner from '../../../src/util/runner.js';

afterEach(() => forgetSecrets());

describe('redact', () => {
  test('replaces every registered secret, longest first, so a prefix never leaves the rest visible', () => {
    registerSecret('abc');
    registerSecret('abcdef-long');
    expect(redact('x abcdef-long y abc z')).toBe('x *** y *** z');
  });

  test('hides the JSON-escaped and URL-encoded forms and each line of a multi-line secret', () => {
    registerSecret('p"a\\ss w/rd');
    registerSecret('-----BEGIN KEY-----\nMIIEpAIBAAKCAQEA\n-----END KEY-----');
    expect(redact(JSON.stringify({ v: 'p"a\\ss w/rd' }))).toBe('{"v":"***"}');
    expect(redact(`https://h/?t=${encodeURIComponent('p"a\\ss w/rd')}`)).toBe('https://h/?t=***');
    expect(redact('line: MIIEpAIBAAKCAQEA')).toBe('line: ***');
  });

  test('leaves text without secrets alone; empty values are ignored', () => {
    registerSecret('');
    expect(secretValues()).toEqual([]);
    expect(redact('nothing here')).toBe('nothing here');
  });

  test('redactDeep walks objects and arrays, keys included', () => {
    registerSecret('tok-123');
    expect(redactDeep({ a: ['x tok-123'], 'tok-123': 1, n: 2 })).toEqual({ a: ['x ***'], '***': 1, n: 2 });
  });
});

describe('the runner wrapper redacts every exit', () => {
  test('log lines, annotations, group names, outputs, state and the summary', async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    try {
      runner.setSecret('canary-s3cr3t');
      runner.info('info canary-s3cr3t');
      runner.warning('warn canary-s3cr3t', { title: 'canary-s3cr3t' });
      runner.error(new Error('err canary-s3cr3t'));
      runner.notice('notice canary-s3cr3t');
      await runner.group('group canary-s3cr3t', async () => undefined);
      runner.setFailed('failed canary-s3cr3t');
      process.exitCode = undefined;
    } finally {
      spy.mockRestore();
    }
    runner.setOutput('o', 'out canary-s3cr3t');
    runner.setOutput('j', { v: 'canary-s3cr3t' });
    runner.saveState('s', 'state canary-s3cr3t');
    await runner.appendSummary('summary canary-s3cr3t');
    const log = out.join('');
    // The one place a secret may appear: the runner's own add-mask command.
    expect(log).toContain('::add-mask::canary-s3cr3t');
    expect(log.replace('::add-mask::canary-s3cr3t', '')).not.toContain('canary-s3cr3t');
    expect(log).toContain('info ***');
    for (const f of ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY']) {
      const text = readFileSync(process.env[f] as string, 'utf8');
      expect(text, f).not.toContain('canary-s3cr3t');
      expect(text, f).toContain('***');
    }
  });
});
