import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Output } from '../../../src/constants.js';
import type { Finding } from '../../../src/findings.js';
import { runVerifyStage, VERIFY_REPORT_FILE } from '../../../src/jar/verify-stage.js';
import type { Artifact, Reporter } from '../../../src/stage.js';
import { ActionError } from '../../../src/util/errors.js';
import { writeJarFixtures } from '../../helpers/jar-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'verify-stage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixtures = new Map(writeJarFixtures(dir).map((f) => [f.name, f]));

function fakeReporter() {
  const outputs: Record<string, string> = {};
  const findings: Finding[] = [];
  const sections: [string, string][] = [];
  const reporter: Reporter = {
    output: (name, value) => {
      outputs[name] = value;
    },
    finding: (f) => findings.push(f),
    section: (title, markdown) => sections.push([title, markdown]),
  };
  return { reporter, outputs, findings, sections };
}

function artifact(name: string): Artifact {
  const path = fixtures.get(name)?.path ?? join(dir, `${name}.jar`);
  return { jarPath: path, jarDisplayPath: `target/scala-2.12/${name}.jar`, sizeBytes: 0 };
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('runVerifyStage', () => {
  it('reuses the hash the build stage made (and wrote as jar-sha256) instead of writing it a second time', async () => {
    const r = fakeReporter();
    const a = artifact('good');
    const known = sha256(a.jarPath);
    const result = await runVerifyStage(
      { artifact: { ...a, sha256: known }, javaRelease: 17, reportDir: join(dir, 'report-known') },
      r.reporter,
    );
    expect(r.outputs[Output.jarSha256]).toBeUndefined();
    expect(result.artifact.sha256).toBe(known);
    const fresh = fakeReporter();
    await runVerifyStage(
      { artifact: a, javaRelease: 17, reportDir: join(dir, 'report-fresh') },
      fresh.reporter,
    );
    expect(fresh.outputs[Output.jarSha256]).toBe(known);
  });

  it('logs what it checked and every finding into the stage log as soon as it has them', async () => {
    const r = fakeReporter();
    const lines: string[] = [];
    await runVerifyStage(
      {
        artifact: artifact('signature-files'),
        javaRelease: 17,
        runtime: { sparkVersion: '3.5.6', scalaVersion: '2.12', source: 'config', extraClasspath: [] },
        reportDir: join(dir, 'report-log'),
        log: (l) => lines.push(l),
      },
      r.reporter,
    );
    expect(lines).toContain('verify: runtime Spark 3.5.6, Scala 2.12');
    expect(lines.some((l) => /^verify: class-file versions of \d+ classes read in \d+ ms/.test(l))).toBe(
      true,
    );
    expect(
      lines.filter((l) =>
        l.startsWith('error: verify/signature-files: target/scala-2.12/signature-files.jar: '),
      ),
    ).toHaveLength(1);
    expect(lines.at(-1)).toBe('verify: 1 finding');
  });

  it('hashes, reports and fills the artifact for a good JAR', async () => {
    const r = fakeReporter();
    const reportDir = join(dir, 'report-good');
    const result = await runVerifyStage(
      { artifact: artifact('good'), javaRelease: 17, reportDir },
      r.reporter,
    );
    const path = fixtures.get('good')?.path ?? '';
    expect(r.outputs[Output.jarSha256]).toBe(sha256(path));
    expect(r.outputs[Output.verifyReport]).toBe(join(reportDir, VERIFY_REPORT_FILE));
    expect(result.reportPath).toBe(join(reportDir, VERIFY_REPORT_FILE));
    expect(result.findings).toEqual([]);
    expect(result.artifact).toMatchObject({
      jarDisplayPath: 'target/scala-2.12/good.jar',
      sha256: sha256(path),
      mainClass: 'com.etl.Main',
      javaRelease: 8,
    });
    expect(result.artifact.sizeBytes).toBe(readFileSync(path).length);
    const onDisk = JSON.parse(readFileSync(result.reportPath, 'utf8'));
    expect(onDisk).toEqual(result.report);
    expect(onDisk).toMatchObject({
      schemaVersion: 1,
      passed: true,
      jar: {
        path: 'target/scala-2.12/good.jar',
        sha256: sha256(path),
        entries: 10,
        classes: 4,
        zip64: false,
      },
      manifest: { present: true, mainClass: 'com.etl.Main' },
      mainClass: { name: 'com.etl.Main', source: 'manifest', present: true, javaRelease: 8 },
      runtime: { javaRelease: 17 },
      counts: { errors: 0, warnings: 0, notices: 0 },
      findings: [],
    });
    expect(r.sections).toHaveLength(1);
    const [title, md] = r.sections[0] ?? [];
    expect(title).toBe('JAR');
    expect(md).toContain('| Path | `target/scala-2.12/good.jar` |');
    expect(md).toContain(`| SHA-256 | \`${sha256(path)}\` |`);
    expect(md).toContain('| Entries | 10 |');
    expect(md).toContain('| Main-Class | `com.etl.Main` |');
    expect(md).toContain('| Java release of the main class | 8 (class file 52; runtime 17) |');
    expect(md).toContain('| Findings | none |');
  });

  it('reports findings without throwing, and counts them in the summary', async () => {
    const r = fakeReporter();
    const f = fixtures.get('main-class-mismatch');
    const result = await runVerifyStage(
      { artifact: artifact('main-class-mismatch'), javaRelease: 17, reportDir: dir, ...f?.options },
      r.reporter,
    );
    expect(r.findings).toEqual(result.findings);
    expect(result.findings.map((x) => x.rule)).toEqual(['verify/main-class-mismatch']);
    expect(result.report.passed).toBe(false);
    expect(result.report.mainClass).toMatchObject({ name: 'com.etl.Gone', source: 'config' });
    expect(r.sections[0]?.[1]).toContain('| Findings | 1 error, 0 warnings |');
    expect(r.sections[0]?.[1]).toContain('`com.etl.Gone` (from config)');
  });

  it('still hashes a file that is not a zip', async () => {
    const r = fakeReporter();
    const result = await runVerifyStage(
      { artifact: artifact('not-a-zip'), javaRelease: 17, reportDir: dir },
      r.reporter,
    );
    expect(result.findings.map((x) => x.rule)).toEqual(['verify/not-a-zip']);
    expect(r.outputs[Output.jarSha256]).toBe(sha256(fixtures.get('not-a-zip')?.path ?? ''));
    expect(result.artifact.mainClass).toBeUndefined();
  });

  it('passes allowBundledSpark and maxSizeMb through', async () => {
    const stage = (name: string, extra: object) =>
      runVerifyStage(
        { artifact: artifact(name), javaRelease: 17, reportDir: dir, ...extra },
        fakeReporter().reporter,
      );
    expect((await stage('bundled-spark', {})).findings.map((f) => f.severity)).toEqual(['warning']);
    expect((await stage('bundled-spark', { allowBundledSpark: true })).findings).toEqual([]);
    expect((await stage('good', { maxSizeMb: 0.001 })).findings.map((f) => f.rule)).toEqual([
      'verify/too-large',
    ]);
  });

  it('throws an ActionError for a missing JAR or a directory', async () => {
    const missing = runVerifyStage(
      { artifact: artifact('missing'), javaRelease: 17, reportDir: dir },
      fakeReporter().reporter,
    );
    await expect(missing).rejects.toBeInstanceOf(ActionError);
    await expect(missing).rejects.toThrow('verify: target/scala-2.12/missing.jar does not exist');
    const sub = join(dir, 'a-dir.jar');
    mkdirSync(sub);
    const asDir = { jarPath: sub, jarDisplayPath: 'a-dir.jar', sizeBytes: 0 };
    await expect(
      runVerifyStage({ artifact: asDir, javaRelease: 17, reportDir: dir }, fakeReporter().reporter),
    ).rejects.toThrow('verify: a-dir.jar is a directory, not a JAR file');
  });

  it('stops when aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(
      runVerifyStage(
        { artifact: artifact('good'), javaRelease: 17, reportDir: dir, signal: ac.signal },
        fakeReporter().reporter,
      ),
    ).rejects.toThrow();
  });
});
