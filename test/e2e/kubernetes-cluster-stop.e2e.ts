// Stopping and removing Kubernetes deploys through the BUNDLED action against a REAL control plane: etcd,
// kube-apiserver, scheduler, controller-manager (garbage collection), kwok playing the pods' lives and the
// real Spark Operator running the real spark-submit (scripts/local-k8s.sh). Abort by SIGTERM deletes the
// running SparkApplication (its driver pod goes by garbage collection), or leaves it running with
// cancel-on-abort: false for command cancel; the post step (dist/post/) deletes an app left by a main step
// that died; cleanup of preview 7 removes exactly its app and owned objects. The deployer's token appears in
// no output of a run (checked after all). Shared setup: test/helpers/k8s-cluster-e2e.ts.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  action,
  expectTokenInNoRun,
  hasCluster,
  JAR,
  kube,
  kubeconfig,
  NS,
  PROD_NS,
  repo,
  SHA,
  SHORT,
  token,
  useLocalCluster,
  ws,
} from '../helpers/k8s-cluster-e2e.js';
import type { K8sObject } from '../helpers/local-k8s.js';
import { actionNode, failure } from '../helpers/run-action.js';

useLocalCluster();
afterAll(expectTokenInNoRun);

describe.skipIf(!hasCluster)(
  'kubernetes target through the bundled action (real control plane, real Spark Operator)',
  () => {
    test('abort: SIGTERM while the app RUNS deletes the SparkApplication; its driver pod goes by garbage collection', async () => {
      const runId = '8201';
      const name = `etl-pipeline-k8s-run-${SHORT}-${runId}`;
      const ctl = new AbortController();
      let out = '';
      let stateAtAbort: string | undefined;
      const r = await action(
        { environment: 'k8s-run' },
        {
          runId,
          signal: ctl.signal,
          onOutput: (t) => {
            out += t;
            if (/state: RUNNING \(RUNNING\)/.test(out) && !ctl.signal.aborted) {
              stateAtAbort = 'RUNNING';
              ctl.abort();
            }
          },
        },
      );
      expect(stateAtAbort).toBe('RUNNING');
      expect(r.code).toBe(1);
      expect(failure(r)).toMatch(new RegExp(`cancelled ${name} \\(cancel-on-abort\\)`));
      expect(r.outputs.state).toBe('CANCELLED');
      expect(await kube.get('sparkapplications', NS, name)).toBeUndefined();
      await expect.poll(() => kube.get('pods', NS, `${name}-driver`), { timeout: 20_000 }).toBeUndefined();
      await expect
        .poll(() => kube.get('services', NS, `${name}-ui-svc`), { timeout: 20_000 })
        .toBeUndefined();
    });

    test('abort with cancel-on-abort: false leaves the app running; command cancel then stops it', async () => {
      const runId = '8202';
      const name = `etl-pipeline-k8s-run-${SHORT}-${runId}`;
      const ctl = new AbortController();
      let out = '';
      const r = await action(
        { environment: 'k8s-run', 'cancel-on-abort': 'false' },
        {
          runId,
          signal: ctl.signal,
          onOutput: (t) => {
            out += t;
            if (/state: RUNNING \(RUNNING\)/.test(out)) ctl.abort();
          },
        },
      );
      expect(r.code).toBe(1);
      expect(failure(r)).toContain(`${name} is left running (cancel-on-abort is false)`);
      expect(r.post.code).toBe(0);
      expect((await kube.get('sparkapplications', NS, name))?.status.applicationState.state).toBe('RUNNING');
      const c = await action({ command: 'cancel', environment: 'k8s-run', stages: '' });
      expect(failure(c)).toBe('');
      expect(c.code).toBe(0);
      expect(c.summary).toMatch(new RegExp(`\\| \`${name}\` \\| RUNNING \\(RUNNING\\).*\\| cancelled \\|`));
      expect(await kube.get('sparkapplications', NS, name)).toBeUndefined();
      await expect.poll(() => kube.get('pods', NS, `${name}-driver`), { timeout: 20_000 }).toBeUndefined();
    });

    test('post step: a SparkApplication left by a main step that died (handle saved, not finished) is deleted', async () => {
      const runId = '8301';
      const name = `etl-pipeline-k8s-run-${SHORT}-${runId}`;
      const r = await action({ environment: 'k8s-run', wait: 'false' }, { runId });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.state.handle ?? '{}')).toMatchObject({ target: 'kubernetes', submissionId: name });
      await expect
        .poll(async () => (await kube.get('sparkapplications', NS, name))?.status?.applicationState?.state, {
          timeout: 60_000,
        })
        .toBe('RUNNING');
      // The post step exactly as the runner starts it after a killed main step: the same inputs, the saved
      // state as STATE_*, except that the main step never marked the job finished.
      const env: Record<string, string> = {
        ...Object.fromEntries(
          Object.entries(process.env).filter(
            (e): e is [string, string] => e[1] !== undefined && !/^(INPUT|STATE)_/.test(e[0]),
          ),
        ),
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: ws,
        GITHUB_SHA: SHA,
        GITHUB_RUN_ID: runId,
        GITHUB_RUN_ATTEMPT: '1',
        KUBECONFIG: kubeconfig,
        INPUT_STAGES: 'verify,deploy',
        INPUT_JAR: JAR,
        INPUT_ENVIRONMENT: 'k8s-run',
        ...Object.fromEntries(Object.entries(r.state).map(([k, v]) => [`STATE_${k}`, v])),
        STATE_finished: 'false',
      };
      for (const k of ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY'])
        env[k] = join(r.dir, `post-${k}`);
      const post = spawnSync(actionNode(), [join(repo, 'dist/post/index.js')], { env, encoding: 'utf8' });
      const out = post.stdout + post.stderr;
      expect(out.replaceAll(`::add-mask::${token}`, '')).not.toContain(token);
      expect(post.status).toBe(0);
      expect(out).toContain(
        `post: cancelled kubernetes submission ${name} left running by an interrupted step`,
      );
      expect(await kube.get('sparkapplications', NS, name)).toBeUndefined();
      await expect.poll(() => kube.get('pods', NS, `${name}-driver`), { timeout: 20_000 }).toBeUndefined();
    });

    test('cleanup with preview 7 removes exactly preview 7 (app and owned objects, by garbage collection); preview 8 stays', async () => {
      const deploy = (preview?: string) =>
        action({ environment: 'production-k8s', wait: 'false', ...(preview ? { preview } : {}) });
      const deployed = [await deploy('7'), await deploy('8')];
      for (const r of deployed) {
        expect(failure(r)).toBe('');
        expect(r.code).toBe(0);
      }
      const byPreview = async (p: string) =>
        (await kube.list('sparkapplications', PROD_NS, `spark-deploy-action/preview=${p}`)).map(
          (a) => a.metadata,
        );
      const [pr7] = await byPreview('7');
      expect(pr7?.name).toMatch(/^etl-pipeline-production-k8s-pr-7-/);
      // Wait until the operator ran it: the driver pod and UI service it made are owned by the app too.
      await expect
        .poll(async () => (await kube.get('pods', PROD_NS, `${pr7?.name}-driver`))?.status.phase, {
          timeout: 60_000,
        })
        .toBe('Running');
      const ownedBy = async (uid: string) => {
        const all: K8sObject[] = [];
        for (const res of ['services', 'networkpolicies', 'pods', 'configmaps'])
          all.push(...(await kube.list(res, PROD_NS)));
        return all
          .filter((o) => (o.metadata.ownerReferences ?? []).some((ref: { uid: string }) => ref.uid === uid))
          .map((o) => `${o.kind}/${o.metadata.name}`);
      };
      const owned = await ownedBy(pr7?.uid);
      expect(owned).toContain(`Pod/${pr7?.name}-driver`);
      expect(owned.map((o) => o.split('/')[0])).toEqual(expect.arrayContaining(['NetworkPolicy', 'Service']));

      const r = await action({ command: 'cleanup', environment: 'production-k8s', preview: '7', stages: '' });
      expect(failure(r)).toBe('');
      expect(r.code).toBe(0);
      expect(await byPreview('7')).toEqual([]);
      await expect.poll(async () => (await ownedBy(pr7?.uid)).length, { timeout: 30_000 }).toBe(0);
      expect(await byPreview('8')).toHaveLength(1);
    });
  },
);
