import type { Finding } from '../../findings.js';
import { body, type CauseContext, type CauseDetector } from './context.js';

// sbt 1.4+ reports a build.sbt that does not parse as `[/abs/build.sbt]:19: ')' expected but eof found.`
// (older sbt and type errors use `/abs/build.sbt:19: error: …`, which the compiler-message parser reads).
const BRACKETED = /^\[((?:[A-Za-z]:)?[^\]]+\.sbt)\]:(\d+): (.*)$/;

function syntaxErrors(ctx: CauseContext): Finding[] {
  if (!ctx.text.includes('.sbt]:')) return [];
  const out: Finding[] = [];
  for (const line of ctx.lines) {
    const m = BRACKETED.exec(body(line).trim());
    if (!m) continue;
    const file = ctx.toRepoPath(m[1] ?? '');
    const name = (m[1] ?? '').split(/[/\\]/).pop() ?? 'build.sbt';
    out.push({
      stage: 'build',
      severity: 'error',
      title: `${name} does not parse: ${m[3]}`.slice(0, 250),
      message: `sbt could not load the build: ${name} line ${m[2]}: ${m[3]} The build definition is Scala: an unclosed \`(\` or \`Seq(\`, a missing comma between settings or a stray quote is the usual cause (the line sbt names may be after the real mistake).`,
      ...(file ? { file, line: Number(m[2]) } : {}),
      rule: 'build/build-definition',
    });
  }
  return out;
}

/** BUILD_DEFINITION_DETECTORS recognise a build definition that does not load. */
export const BUILD_DEFINITION_DETECTORS: CauseDetector[] = [
  { rule: 'build/build-definition', detect: syntaxErrors },
];
