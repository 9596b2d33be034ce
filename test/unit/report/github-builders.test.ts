import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/findings.js';
import { batches, checkRunName, toAnnotation } from '../../../src/report/github/check-run.js';
import { commentMarker } from '../../../src/report/github/comment.js';
import { deploymentEnvironment, explainDeclined, publicUrl } from '../../../src/report/github/deployment.js';
import { truncate } from '../../../src/report/github/limits.js';

const f = (over: Partial<Finding>): Finding => ({
  stage: 'build',
  severity: 'error',
  title: 'T',
  message: 'M',
  ...over,
});

describe('toAnnotation', () => {
  it.each<[string, Partial<Finding>, object]>([
    [
      'error → failure, point with column',
      { file: 'a.scala', line: 3, column: 5 },
      {
        path: 'a.scala',
        start_line: 3,
        end_line: 3,
        start_column: 5,
        end_column: 5,
        annotation_level: 'failure',
      },
    ],
    [
      'warning, no column',
      { severity: 'warning', file: 'a.scala', line: 3 },
      { start_line: 3, end_line: 3, annotation_level: 'warning' },
    ],
    ['notice', { severity: 'notice', file: 'a.scala', line: 1 }, { annotation_level: 'notice' }],
    [
      'multi-line drops columns',
      { file: 'a.scala', line: 3, endLine: 6, column: 2 },
      { start_line: 3, end_line: 6 },
    ],
    [
      'endLine before line is ignored',
      { file: 'a.scala', line: 9, endLine: 2 },
      { start_line: 9, end_line: 9 },
    ],
    ['no line: line 1', { file: 'build.sbt' }, { path: 'build.sbt', start_line: 1, end_line: 1 }],
    [
      'no file: the fallback, line 1, no column',
      { line: 40, column: 3 },
      { path: '.github/spark-deploy.yml', start_line: 1, end_line: 1 },
    ],
    [
      'rule in the title',
      { file: 'x.jar', rule: 'verify/signature-files' },
      { title: 'T [verify/signature-files]' },
    ],
    ['empty message uses the title', { file: 'x', message: '' }, { message: 'T' }],
  ])('%s', (_name, over, expected) => {
    const a = toAnnotation(f(over), '.github/spark-deploy.yml');
    expect(a).toMatchObject(expected);
    if (a.start_line !== a.end_line || !over.column || !over.file)
      expect(a).not.toHaveProperty('start_column');
  });

  it('keeps titles within 255 characters and messages within 64 KB', () => {
    const a = toAnnotation(f({ file: 'x', title: 't'.repeat(400), message: '€'.repeat(40_000) }), 'x');
    expect(a.title?.length).toBeLessThanOrEqual(255);
    expect(Buffer.byteLength(a.message)).toBeLessThanOrEqual(65_535);
    expect(a.message.endsWith('…')).toBe(true);
  });
});

describe('builders', () => {
  it.each([
    [0, [0]],
    [50, [50]],
    [51, [50, 1]],
    [120, [50, 50, 20]],
  ])('batches(%i) → %j', (n, sizes) => {
    expect(batches(Array.from({ length: n }, (_, i) => i)).map((b) => b.length)).toEqual(sizes);
  });

  it.each([
    ['http://127.0.0.1:4040', 'http://127.0.0.1:4040/'],
    [
      'https://console.aws.amazon.com/emr/home?region=eu-west-1#/clusterDetails/j-1',
      'https://console.aws.amazon.com/emr/home?region=eu-west-1#/clusterDetails/j-1',
    ],
    ['https://b.s3.amazonaws.com/k?X-Amz-Signature=abc&X-Amz-Credential=x', undefined],
    ['https://b.s3.amazonaws.com/k?AWSAccessKeyId=A&Signature=s&Expires=1', undefined],
    ['https://acct.blob.core.windows.net/c/b?sv=2020&sig=abc', undefined],
    ['https://storage.googleapis.com/b/o?X-Goog-Signature=abc', undefined],
    ['https://user:pw@example.com/', undefined],
    ['kubectl port-forward svc/etl-ui-svc 4040', undefined],
    ['file:///etc/passwd', undefined],
    [undefined, undefined],
  ])('publicUrl(%s) = %s', (url, expected) => expect(publicUrl(url)).toBe(expected));

  it('names', () => {
    expect(checkRunName('staging')).toBe('spark-deploy / staging');
    expect(checkRunName(undefined)).toBe('spark-deploy');
    expect(deploymentEnvironment('preview', 42)).toBe('preview-pr-42');
    expect(deploymentEnvironment('production')).toBe('production');
    expect(commentMarker('preview')).toBe('<!-- spark-deploy-action:preview -->');
    expect(explainDeclined(422, 'x')).toBe('GitHub refused the deployment with 422 ("x")');
  });

  it('truncate never splits a surrogate pair and respects bytes', () => {
    const s = truncate('😀'.repeat(100), 51);
    expect(Buffer.byteLength(s)).toBeLessThanOrEqual(51);
    expect(s).not.toMatch(/[\uD800-\uDBFF]…$/);
    expect(truncate('short', 10)).toBe('short');
  });
});
