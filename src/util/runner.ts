// The runner protocol (workflow commands on stdout, file commands in GITHUB_OUTPUT / GITHUB_STATE /
// GITHUB_STEP_SUMMARY), as documented in "Workflow commands for GitHub Actions" and implemented by
// @actions/core. We speak it directly: @actions/core pulls in an HTTP client (for OIDC) that costs more
// start-up time than the whole plan validation (README, Performance).
import { appendFileSync, existsSync, writeSync } from 'node:fs';
import { EOL } from 'node:os';

/** AnnotationProperties locate an annotation, as @actions/core names them. */
export interface AnnotationProperties {
  title?: string;
  file?: string;
  startLine?: number;
  endLine?: number;
  startColumn?: number;
  endColumn?: number;
}

/** escapeData escapes a workflow command's message. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** escapeProperty escapes a workflow command's property value. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** command renders `::name k=v,…::message`. */
export function command(
  name: string,
  props: Record<string, string | number | undefined>,
  message: string,
): string {
  const p = Object.entries(props)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${name}${p ? ` ${p}` : ''}::${escapeData(message)}`;
}

// Log lines go straight to file descriptor 1. process.stdout is the same synchronous write on Linux and
// macOS (files and pipes), but creating the stream costs ~4 ms of start-up (README, Performance). Every log
// line goes through here, so nothing else writes to stdout in between.
const pause = new Int32Array(new SharedArrayBuffer(4));
function write(line: string): void {
  const bytes = Buffer.from(line + EOL, 'utf8');
  let done = 0;
  while (done < bytes.length) {
    try {
      done += writeSync(1, bytes, done);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') return; // nobody reads the log any more
      if (code !== 'EAGAIN') throw err;
      Atomics.wait(pause, 0, 0, 5); // a non-blocking pipe is full: let the reader catch up
    }
  }
}

function fileCommand(envName: string, key: string, value: string): boolean {
  const file = process.env[envName];
  if (!file || !existsSync(file)) return false;
  // @actions/core uses a random UUID here; what makes the block safe is the check below (a value can never
  // contain its own delimiter), not the randomness. node:crypto would cost ~10 ms of start-up (README,
  // Performance), so the delimiter is only made unlikely to collide.
  const delimiter = `ghadelimiter_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2)}`;
  if (key.includes(delimiter) || value.includes(delimiter)) throw new Error(`unexpected delimiter in ${key}`);
  appendFileSync(file, `${key}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, 'utf8');
  return true;
}

/** getInput reads an input the way the runner passes it (INPUT_<NAME>, spaces as underscores), trimmed. */
export function getInput(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

/** setOutput sets a step output. */
export function setOutput(name: string, value: string): void {
  if (!fileCommand('GITHUB_OUTPUT', name, value)) write(command('set-output', { name }, value));
}

/** saveState hands a value to the post step (read there with getState). */
export function saveState(name: string, value: string): void {
  if (!fileCommand('GITHUB_STATE', name, value)) write(command('save-state', { name }, value));
}

/** getState reads a value the main step saved. */
export function getState(name: string): string {
  return process.env[`STATE_${name}`] ?? '';
}

/** setSecret asks the runner to mask a value in every later log line. */
export function setSecret(value: string): void {
  if (value) write(command('add-mask', {}, value));
}

/** info writes a plain log line. */
export function info(message: string): void {
  write(message);
}

/** debug writes a line shown only with step debug logging on. */
export function debug(message: string): void {
  write(command('debug', {}, message));
}

function annotation(
  level: 'error' | 'warning' | 'notice',
  message: string,
  p: AnnotationProperties = {},
): void {
  write(
    command(
      level,
      {
        title: p.title,
        file: p.file,
        line: p.startLine,
        endLine: p.endLine,
        col: p.startColumn,
        endColumn: p.endColumn,
      },
      message,
    ),
  );
}

/** error writes an error annotation. */
export function error(message: string, props?: AnnotationProperties): void {
  annotation('error', message, props);
}

/** warning writes a warning annotation. */
export function warning(message: string, props?: AnnotationProperties): void {
  annotation('warning', message, props);
}

/** notice writes a notice annotation. */
export function notice(message: string, props?: AnnotationProperties): void {
  annotation('notice', message, props);
}

/** group runs fn inside a collapsible log group. */
export async function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  write(command('group', {}, name));
  try {
    return await fn();
  } finally {
    write(command('endgroup', {}, ''));
  }
}

/** setFailed logs the error and makes the step fail. */
export function setFailed(message: string): void {
  process.exitCode = 1;
  error(message);
}

/** appendSummary adds markdown to the job summary; false when the runner gives no summary file. */
export function appendSummary(markdown: string): boolean {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file) return false;
  appendFileSync(file, markdown.endsWith('\n') ? markdown : `${markdown}\n`, 'utf8');
  return true;
}
