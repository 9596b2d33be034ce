import { readFileSync, writeFileSync, writeSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as runner from '../../src/util/runner.js';

// The runner writes log lines with fs.writeSync(1, …): the tests catch them there.
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return { ...fs, writeSync: vi.fn(fs.writeSync) };
});
type Write = (fd: number, buf: Uint8Array, offset: number) => number;
const fdWrite = vi.mocked(writeSync as unknown as Write);

// Expected bytes follow @actions/core's command.ts / file-command.ts (escaping and heredoc format).
function captured(fn: () => void, write?: Write): string {
  let out = '';
  fdWrite.mockImplementation((fd, buf, offset) => {
    expect(fd).toBe(1);
    const n = write ? write(fd, buf, offset) : buf.length - offset;
    out += Buffer.from(buf.subarray(offset, offset + n)).toString('utf8');
    return n;
  });
  try {
    fn();
    return out;
  } finally {
    fdWrite.mockReset();
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

  it('writes a whole line through partial writes and a full non-blocking pipe', () => {
    let calls = 0;
    const out = captured(
      () => runner.info('ünïcode line'),
      (_fd, buf, offset) => {
        calls++;
        if (calls === 2) throw Object.assign(new Error('EAGAIN'), { code: 'EAGAIN' });
        return Math.min(3, buf.length - offset);
      },
    );
    expect(out).toBe('ünïcode line\n');
    expect(calls).toBeGreaterThan(5);
  });

  it('stops quietly when nobody reads the log, and throws other write errors', () => {
    expect(
      captured(
        () => runner.info('x'),
        () => {
          throw Object.assign(new Error('EPIPE'), { code: 'EPIPE' });
        },
      ),
    ).toBe('');
    expect(() =>
      captured(
        () => runner.info('x'),
        () => {
          throw Object.assign(new Error('EIO'), { code: 'EIO' });
        },
      ),
    ).toThrow('EIO');
  });

  it('wraps groups', async () => {
    let out = '';
    fdWrite.mockImplementation((_fd, buf, offset) => {
      out += Buffer.from(buf.subarray(offset)).toString('utf8');
      return buf.length - offset;
    });
    await runner.group('build', async () => runner.info('inside'));
    fdWrite.mockReset();
    expect(out).toBe('::group::build\ninside\n::endgroup::\n');
  });
});
