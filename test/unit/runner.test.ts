import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as runner from '../../src/util/runner.js';

// Expected bytes follow @actions/core's command.ts / file-command.ts (escaping and heredoc format).
function captured(fn: () => void): string {
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    fn();
    return spy.mock.calls.map((c) => String(c[0])).join('');
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => {
  process.exitCode = 0;
});

describe('runner protocol', () => {
  it('escapes annotation messages and properties like @actions/core', () => {
    const out = captured(() =>
      runner.error('50% done\r\nnext', {
        title: 'a:b,c',
        file: 'src/A.scala',
        startLine: 5,
        startColumn: 20,
      }),
    );
    expect(out).toBe('::error title=a%3Ab%2Cc,file=src/A.scala,line=5,col=20::50%25 done%0D%0Anext\n');
  });

  it('writes outputs and state as heredoc file commands', () => {
    const file = process.env.GITHUB_OUTPUT ?? '';
    writeFileSync(file, '');
    runner.setOutput('jar-path', 'a\nb');
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^jar-path<<(ghadelimiter_[0-9a-z_]+)\na\nb\n\1\n$/);
  });

  it('never lets a value close its own heredoc block', () => {
    const file = process.env.GITHUB_OUTPUT ?? '';
    writeFileSync(file, '');
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const now = vi.spyOn(Date, 'now').mockReturnValue(0);
    try {
      const delimiter = `ghadelimiter_${process.pid}_0_${(0.5).toString(36).slice(2)}`;
      expect(() => runner.setOutput('x', `a\n${delimiter}\nevil=1`)).toThrow(/unexpected delimiter/);
      expect(readFileSync(file, 'utf8')).toBe('');
    } finally {
      random.mockRestore();
      now.mockRestore();
    }
  });

  it('reads inputs with spaces as underscores, trimmed', () => {
    process.env['INPUT_WORKING-DIRECTORY'] = '  examples/etl-app ';
    process.env.INPUT_MY_INPUT = 'x';
    expect(runner.getInput('working-directory')).toBe('examples/etl-app');
    expect(runner.getInput('my input')).toBe('x');
    delete process.env['INPUT_WORKING-DIRECTORY'];
    delete process.env.INPUT_MY_INPUT;
  });

  it('masks secrets and fails the step', () => {
    expect(captured(() => runner.setSecret('p%w'))).toBe('::add-mask::p%25w\n');
    expect(captured(() => runner.setFailed('boom'))).toBe('::error::boom\n');
    expect(process.exitCode).toBe(1);
  });

  it('wraps groups', async () => {
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await runner.group('build', async () => runner.info('inside'));
    expect(spy.mock.calls.map((c) => String(c[0])).join('')).toBe('::group::build\ninside\n::endgroup::\n');
    spy.mockRestore();
  });
});
