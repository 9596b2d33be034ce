import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasErrors } from '../../../src/findings.js';
import { verifyJar } from '../../../src/jar/verify.js';
import { classBytes, goodEntries, writeJarFixtures } from '../../helpers/jar-fixtures.js';
import { writeZip } from '../../helpers/zip-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'verify-jar-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixtures = writeJarFixtures(dir);

describe('verifyJar on generated JARs', () => {
  it.each(fixtures.map((f) => [f.name, f] as const))('%s', async (_name, f) => {
    const r = await verifyJar(f.path, { ...f.options, displayPath: `target/${f.name}.jar` });
    expect(r.findings.map((x) => x.rule)).toEqual(f.expectRule ? [f.expectRule] : []);
    for (const finding of r.findings) {
      expect(finding.severity).toBe(f.expectSeverity);
      expect(finding.stage).toBe('verify');
      expect(finding.title).not.toMatch(/\n/);
      expect(finding.message.length).toBeGreaterThan(20);
    }
    // Warnings alone do not fail the stage.
    expect(hasErrors(r.findings)).toBe(f.expectSeverity === 'error');
  });

  it('fills the facts of a good JAR', async () => {
    const good = fixtures.find((f) => f.name === 'good');
    const r = await verifyJar(good?.path ?? '', { javaRelease: 17 });
    expect(r.facts).toMatchObject({
      readable: true,
      entries: 10,
      classes: 4,
      zip64: false,
      manifest: { present: true, mainClass: 'com.etl.Main' },
      mainClass: {
        name: 'com.etl.Main',
        source: 'manifest',
        classFile: 'com/etl/Main.class',
        present: true,
        header: { major: 52, release: 8 },
      },
    });
  });

  it('names both classes in a mismatch and points at the config line', async () => {
    const f = fixtures.find((x) => x.name === 'main-class-mismatch');
    const [finding] = (await verifyJar(f?.path ?? '', { ...f?.options, javaRelease: 17 })).findings;
    expect(finding).toMatchObject({ file: '.github/spark-deploy.yml', line: 4 });
    expect(finding?.title).toBe(
      "Main class com.etl.Gone differs from the manifest's Main-Class com.etl.Main",
    );
    expect(finding?.message).toContain('app.mainClass in the deploy config');
  });

  it('a mismatch whose named class is in the JAR is a warning: Spark runs the named class, not the manifest', async () => {
    const f = fixtures.find((x) => x.name === 'good');
    const r = await verifyJar(f?.path ?? '', {
      javaRelease: 17,
      displayPath: 'target/app.jar',
      expectedMainClass: {
        value: 'com.etl.Other',
        from: 'config',
        file: '.github/spark-deploy.yml',
        line: 4,
      },
    });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({
      severity: 'warning',
      rule: 'verify/main-class-mismatch',
      title: "The deploy runs com.etl.Other, not the manifest's Main-Class com.etl.Main",
      file: '.github/spark-deploy.yml',
      line: 4,
    });
  });

  it('a mismatch from the input points at the JAR', async () => {
    const f = fixtures.find((x) => x.name === 'good');
    const r = await verifyJar(f?.path ?? '', {
      javaRelease: 17,
      displayPath: 'target/app.jar',
      expectedMainClass: { value: 'com.etl.Gone', from: 'input' },
    });
    expect(r.findings[0]).toMatchObject({ file: 'target/app.jar', rule: 'verify/main-class-mismatch' });
    expect(r.findings[0]?.message).toContain('the main-class input says com.etl.Gone');
  });

  it('names the path it looked for when the main class is missing', async () => {
    const f = fixtures.find((x) => x.name === 'main-class-missing');
    const [finding] = (await verifyJar(f?.path ?? '', { javaRelease: 17 })).findings;
    expect(finding?.title).toBe('Main-Class com.etl.Main is not in the JAR');
    expect(finding?.message).toMatch(/^looked for com\/etl\/Main\.class;/);
  });

  it('explains the class version in terms of releases', async () => {
    const f = fixtures.find((x) => x.name === 'class-version');
    const [finding] = (await verifyJar(f?.path ?? '', { javaRelease: 17 })).findings;
    expect(finding?.title).toBe('com.etl.Main needs Java 21 but the runtime runs Java 17');
    expect(finding?.message).toContain('UnsupportedClassVersionError');
    expect((await verifyJar(f?.path ?? '', { javaRelease: 21 })).findings).toEqual([]);
  });

  it('lists every signature file kind, .EC included', async () => {
    const f = fixtures.find((x) => x.name === 'signature-files');
    const [finding] = (await verifyJar(f?.path ?? '', { javaRelease: 17 })).findings;
    expect(finding?.title).toBe(
      '3 signature files left in the fat JAR: META-INF/BCKEY.SF, META-INF/BCKEY.DSA, META-INF/SIGNER.EC',
    );
    expect(finding?.message).toContain('Invalid signature file digest');
  });

  it('reports a truncated, a non-zip and an empty file clearly', async () => {
    const get = async (name: string) => {
      const f = fixtures.find((x) => x.name === name);
      return (await verifyJar(f?.path ?? '', { javaRelease: 17, displayPath: 'app.jar' })).findings[0];
    };
    expect(await get('truncated')).toMatchObject({ title: 'The JAR is truncated', file: 'app.jar' });
    expect((await get('truncated'))?.message).toContain('cut off at 700 bytes');
    expect((await get('not-a-zip'))?.message).toContain('HTML page');
    expect((await get('empty-file'))?.title).toBe('The JAR is an empty file (0 bytes)');
    expect((await get('empty'))?.title).toBe('The JAR has no entries');
  });

  it('says when Main-Class is lost on an unterminated last line', async () => {
    const path = join(dir, 'unterminated.jar');
    writeZip(path, [
      { name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\nMain-Class: com.etl.Main' },
      ...goodEntries().slice(1),
    ]);
    const r = await verifyJar(path, { javaRelease: 17 });
    expect(r.findings.map((f) => f.rule)).toEqual(['verify/no-main-class']);
    expect(r.findings[0]?.message).toContain('has no line end');
  });

  it('reads the main class behind a long, wrapped Main-Class and a case-folded manifest name', async () => {
    const pkg = 'com.example.very.long.pkg.name.that.needs.wrapping.across.manifest.lines';
    const path = join(dir, 'wrapped.jar');
    writeZip(path, [
      {
        name: 'meta-inf/manifest.mf',
        data: `Manifest-Version: 1.0\nmain-class: ${pkg.slice(0, 50)}\n ${pkg.slice(50)}.Main\n\n`,
      },
      { name: `${pkg.replace(/\./g, '/')}/Main.class`, data: classBytes(61), method: 'stored' },
    ]);
    const r = await verifyJar(path, { javaRelease: 17 });
    expect(r.findings).toEqual([]);
    expect(r.facts.mainClass).toMatchObject({ name: `${pkg}.Main`, header: { release: 17 } });
  });

  it('throws for a missing file (an I/O error, not a finding)', async () => {
    await expect(verifyJar(join(dir, 'nope.jar'), { javaRelease: 17 })).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});
