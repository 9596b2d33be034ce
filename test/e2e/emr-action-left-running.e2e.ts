// EMR steps left running, through the BUNDLED action (dist/) run the way a runner does with the SDK's
// standard environment: S3 on moto (scripts/local-moto.sh), EMR on the double (test/helpers/fake-emr.ts). The
// post step (dist/post/) cancels a step left by a main step that died; `status` lists the environment's steps
// and `cleanup` of a preview cancels only its own. Shared setup: test/helpers/emr-e2e.ts and
// test/helpers/emr-action-e2e.ts.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import {
  awsEnv,
  deploy,
  errorsOf,
  existingCluster,
  fake,
  ops,
  root,
  run,
  SHA,
  stepsOf,
  text,
  useEmrAction,
  workspace,
} from '../helpers/emr-action-e2e.js';
import { motoUp, useEmrWorkspace } from '../helpers/emr-e2e.js';
import { actionNode } from '../helpers/run-action.js';

describe.skipIf(!motoUp)('EMR', () => {
  useEmrWorkspace();

  describe('the bundled action (dist/) with S3 on moto and EMR on the double', () => {
    useEmrAction();

    test('(h) the post step cancels a step left running by a main step that died', async () => {
      const c = existingCluster();
      const { ws, jar: jarPath } = workspace(c);
      fake.script = [{ State: 'RUNNING' }];
      // A main step that submits and returns leaves exactly the state a killed one leaves, but `finished`.
      const inputs = { environment: 'production', stages: 'verify,deploy', jar: jarPath, wait: 'false' };
      const main = await run(ws, inputs);
      expect(main.code, text(main)).toBe(0);
      const sid = stepsOf(c.id)[0]?.Id as string;
      expect(JSON.parse(main.state.handle ?? '{}')).toMatchObject({ target: 'emr', submissionId: sid });
      // Asynchronously: the EMR double answers from this process. A failing post step rejects.
      const post = await promisify(execFile)(actionNode(), [join(root, 'dist/post/index.js')], {
        timeout: 60_000,
        env: {
          ...Object.fromEntries(
            Object.entries(process.env).filter(([k]) => !k.startsWith('INPUT_') && !k.startsWith('STATE_')),
          ),
          ...awsEnv(),
          GITHUB_ACTIONS: 'true',
          GITHUB_WORKSPACE: ws,
          ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
          ...Object.fromEntries(Object.entries(main.state).map(([k, v]) => [`STATE_${k}`, v])),
          STATE_finished: 'false',
        },
      });
      expect(
        ops('CancelSteps')
          .filter((x) => x.body.ClusterId === c.id)
          .map((x) => x.body),
      ).toEqual([{ ClusterId: c.id, StepIds: [sid], StepCancellationOption: 'SEND_INTERRUPT' }]);
      expect(post.stdout).toContain(`post: cancelled emr submission ${sid}`);
    });

    test('(g) status lists the environment steps; cleanup of a preview cancels only its running step', async () => {
      const c = existingCluster();
      const { ws, jar: jarPath } = workspace(c);
      fake.script = [{ State: 'RUNNING' }];
      const pr = {
        eventName: 'pull_request',
        event: { number: 9, pull_request: { number: 9, head: { sha: SHA } } },
      };
      // Two jobs left running (wait: false): the environment's own, and pull request #9's preview.
      const env = await deploy(ws, jarPath, { wait: 'false' });
      expect(env.code, text(env)).toBe(0);
      const preview = await deploy(ws, jarPath, { wait: 'false', preview: 'auto' }, pr);
      expect(preview.code, text(preview)).toBe(0);
      const [own, pre] = stepsOf(c.id);
      expect(pre?.Name).toMatch(/^etl-pipeline-production-pr-9-[0-9a-f]{7}-/);
      expect(env.outputs['submission-id']).toBe(own?.Id);
      expect(preview.outputs['submission-id']).toBe(pre?.Id);

      const status = await run(ws, { command: 'status' });
      expect(status.code, text(status)).toBe(0);
      expect(status.summary).toContain(`\`${own?.Id}\``);
      expect(status.summary).toMatch(/RUNNING \(RUNNING\)/);
      expect(status.summary).not.toContain(`\`${pre?.Id}\``);
      expect(status.outputs).toMatchObject({ 'submission-id': own?.Id, state: 'RUNNING' });

      const cancelsBefore = ops('CancelSteps').length;
      const cleanup = await run(ws, { command: 'cleanup', preview: '9' });
      expect(cleanup.code, text(cleanup)).toBe(0);
      expect(
        ops('CancelSteps')
          .slice(cancelsBefore)
          .map((x) => x.body),
      ).toEqual([{ ClusterId: c.id, StepIds: [pre?.Id], StepCancellationOption: 'SEND_INTERRUPT' }]);
      expect(cleanup.summary).toContain(`\`${pre?.Id}\``);
      expect(cleanup.summary).not.toContain(`\`${own?.Id}\``);
      expect(pre?.cancelled).toBe(true);
      expect(own?.cancelled).toBe(false);
      // Without a preview, cleanup refuses: it never removes an environment's jobs.
      const refused = await run(ws, { command: 'cleanup' });
      expect(refused.code).toBe(1);
      expect(errorsOf(refused)[0]).toContain('cleanup: the `preview` input is required');
    });
  });
});
