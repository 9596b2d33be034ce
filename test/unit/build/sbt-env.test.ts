import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { runSbt, sbtEnvironment } from '../../../src/build/sbt-runner.js';
import { forgetSecrets, registerSecret } from '../../../src/util/redact.js';

afterEach(() => forgetSecrets());

describe('sbt runs without the deploy credentials', () => {
  test('sbtEnvironment drops INPUT_*, the OIDC token endpoint and every variable holding a secret', () => {
    const env = sbtEnvironment(
      {
        PATH: '/usr/bin',
        HOME: '/home/runner',
        'INPUT_GITHUB-TOKEN': 'ghs_x',
        INPUT_COMMAND: 'deploy',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc',
        ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token',
        SPARK_REST_TOKEN: 'tok-123',
        JDBC_URL: 'jdbc:pg://u:tok-123@db',
        JAVA_OPTS: '-Xmx2g',
      },
      ['tok-123'],
    );
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/home/runner', JAVA_OPTS: '-Xmx2g' });
  });

  test('the build process sees none of them (registered secrets by default)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sbt-env-'));
    const fake = join(dir, 'sbt');
    writeFileSync(fake, '#!/bin/sh\nenv\n');
    chmodSync(fake, 0o755);
    const saved = { ...process.env };
    process.env['INPUT_GITHUB-TOKEN'] = 'ghs_canary';
    process.env.REGISTRY_PASSWORD = 'reg-canary-pw';
    process.env.UNRELATED = 'kept';
    registerSecret('reg-canary-pw');
    try {
      const lines: string[] = [];
      const run = await runSbt({
        command: fake,
        cwd: dir,
        tasks: ['assembly'],
        onLine: (l) => lines.push(l),
      });
      expect(run.exitCode).toBe(0);
      expect(run.log).not.toContain('canary');
      expect(lines).toContain('UNRELATED=kept');
    } finally {
      process.env = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
