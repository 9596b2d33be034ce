import { describe, expect, it } from 'vitest';
import { workflowFile } from '../../../src/report/github/unplanned.js';

describe('workflowFile (GITHUB_WORKFLOW_REF)', () => {
  it('is the workflow path inside its repository', () => {
    expect(workflowFile('acme/etl/.github/workflows/deploy.yml@refs/heads/main')).toBe(
      '.github/workflows/deploy.yml',
    );
    expect(workflowFile('acme/etl/.github/workflows/pr.yml@refs/pull/7/merge')).toBe(
      '.github/workflows/pr.yml',
    );
  });
  it('is undefined without a ref', () => {
    expect(workflowFile(undefined)).toBeUndefined();
    expect(workflowFile('nonsense')).toBeUndefined();
  });
});
