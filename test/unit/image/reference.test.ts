import { describe, expect, test } from 'vitest';
import { parseImageRef, registryBaseUrl, repositoryOf, sanitizeTag } from '../../../src/image/reference.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseImageRef', () => {
  test.each([
    ['ubuntu', { registry: 'docker.io', name: 'library/ubuntu' }],
    ['ubuntu:22.04', { registry: 'docker.io', name: 'library/ubuntu', tag: '22.04' }],
    [
      'apache/spark:3.5.6-scala2.12-java17-ubuntu',
      { registry: 'docker.io', name: 'apache/spark', tag: '3.5.6-scala2.12-java17-ubuntu' },
    ],
    ['ghcr.io/acme/etl', { registry: 'ghcr.io', name: 'acme/etl' }],
    ['ghcr.io/acme/etl:sha-0123456', { registry: 'ghcr.io', name: 'acme/etl', tag: 'sha-0123456' }],
    [`ghcr.io/acme/etl@${D}`, { registry: 'ghcr.io', name: 'acme/etl', digest: D }],
    [`ghcr.io/acme/etl:v1@${D}`, { registry: 'ghcr.io', name: 'acme/etl', tag: 'v1', digest: D }],
    ['127.0.0.1:5000/base', { registry: '127.0.0.1:5000', name: 'base' }],
    ['127.0.0.1:5000/a/b/c:t', { registry: '127.0.0.1:5000', name: 'a/b/c', tag: 't' }],
    ['localhost/x', { registry: 'localhost', name: 'x' }],
    ['localhost:5000/x:1', { registry: 'localhost:5000', name: 'x', tag: '1' }],
    [
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/etl',
      { registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', name: 'etl' },
    ],
    ['docker.io/library/busybox', { registry: 'docker.io', name: 'library/busybox' }],
    ['acme/etl-pipeline', { registry: 'docker.io', name: 'acme/etl-pipeline' }],
    ['a__b/c.d-e', { registry: 'docker.io', name: 'a__b/c.d-e' }],
  ])('%s', (ref, want) => {
    expect(parseImageRef(ref)).toEqual(want);
  });

  test.each([
    ['Upper/Case', 'invalid repository name'],
    ['x@sha256:abc', 'digest must be'],
    ['x:bad tag', 'invalid tag'],
    ['ghcr.io/acme/-etl', 'invalid repository name'],
    ['x:', 'invalid tag'],
  ])('rejects %s', (ref, message) => {
    expect(() => parseImageRef(ref)).toThrow(message);
  });
});

test.each([
  ['docker.io', 'https://registry-1.docker.io'],
  ['ghcr.io', 'https://ghcr.io'],
  ['127.0.0.1:5000', 'http://127.0.0.1:5000'],
  ['127.1.2.3', 'http://127.1.2.3'],
  ['localhost:5000', 'http://localhost:5000'],
  ['registry.local:5000', 'https://registry.local:5000'],
  ['128.0.0.1:5000', 'https://128.0.0.1:5000'],
])('registryBaseUrl(%s)', (registry, url) => {
  expect(registryBaseUrl(registry)).toBe(url);
});

test.each([
  ['ghcr.io/acme/etl:v1', 'ghcr.io/acme/etl'],
  [`127.0.0.1:5000/x@${D}`, '127.0.0.1:5000/x'],
  ['127.0.0.1:5000/x', '127.0.0.1:5000/x'],
])('repositoryOf(%s)', (ref, repo) => {
  expect(repositoryOf(ref)).toBe(repo);
});

test.each([
  ['v1.2.3', 'v1.2.3'],
  ['feature/x', 'feature-x'],
  ['.hidden', 'hidden'],
  ['a'.repeat(200), 'a'.repeat(128)],
])('sanitizeTag(%s)', (s, want) => {
  expect(sanitizeTag(s)).toBe(want);
});
