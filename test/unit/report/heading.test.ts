import { describe, expect, it } from 'vitest';
import { findingLine } from '../../../src/report/annotations.js';
import { appNameShown } from '../../../src/report/heading.js';
import { RunReport } from '../../../src/report/run-report.js';

describe('appNameShown', () => {
  it('keeps a rendered name as it is', () => {
    expect(appNameShown('etl-pipeline-staging')).toBe('etl-pipeline-staging');
    expect(appNameShown(undefined)).toBeUndefined();
  });

  it('drops templates left unrendered, with their separators', () => {
    expect(appNameShown('etl-pipeline-{{environment}}')).toBe('etl-pipeline');
    expect(appNameShown('{{environment}}_etl')).toBe('etl');
    expect(appNameShown('{{ environment }}')).toBeUndefined();
  });
});

describe('findings as they are recorded', () => {
  it('reach the onFinding listener at once, as one line with severity, rule, place and title', () => {
    const lines: string[] = [];
    const report = new RunReport(
      () => undefined,
      (f) => lines.push(findingLine(f)),
    );
    report.finding({
      stage: 'verify',
      severity: 'error',
      rule: 'verify/scala-binary',
      title: 'Scala 2.13 JAR on a Scala 2.12 runtime',
      message: 'm',
      file: 'target/app.jar',
    });
    report.finding({
      stage: 'build',
      severity: 'warning',
      title: 'w',
      message: 'm',
      file: 'A.scala',
      line: 3,
      column: 2,
    });
    expect(lines).toEqual([
      'error [verify/scala-binary] target/app.jar: Scala 2.13 JAR on a Scala 2.12 runtime',
      'warning A.scala:3:2: w',
    ]);
  });
});
