// A small EMR double speaking the awsJson1_1 wire protocol on 127.0.0.1, for what moto does not do
// (docs/protocols.md 3.6). Two modes:
// - scripted (default): steps advance through `script` one DescribeStep at a time; FailureDetails as scripted;
//   CancelSteps with CANCEL_PENDING -> CANCELLED; cluster termination; throttling bursts; an ambiguous 500.
// - running (`startFakeEmr({ runner })`, also scripts/local-emr.sh): every step's `command-runner.jar
//   spark-submit ...` is really run (test/helpers/emr-cluster-runner.ts, emr-step-runner.ts), copying what EMR
//   and YARN cluster mode do (docs/protocols.md 3.7): one step at a time, RUNNING while its process lives,
//   COMPLETED on exit 0, FAILED with FailureDetails (the exception line of the step's stderr, its LogFile)
//   otherwise; ActionOnFailure; CancelSteps kills the process group (SIGTERM / SIGKILL per
//   StepCancellationOption, 3.2); the JAR and `--files`/`--jars` fetched from S3 (moto) into a fresh container
//   directory that is the driver's working directory; `--master yarn` mapped to `local[n]`; the YARN client's
//   output as the step's stderr and the driver's as the AM container's, gzipped under the cluster's LogUri;
//   a cluster without KeepJobFlowAliveWhenNoSteps terminated after its steps.
// Both: Cluster.StepConcurrencyLevel (default 1, set by RunJobFlow and ModifyCluster; moto does the same), which
// the running mode honours; the persistent app UI (CreatePersistentAppUI / DescribePersistentAppUI / GetPersistentAppUIPresignedURL).
// Shapes follow @aws-sdk/client-emr's model types (dist-types/models/models_0.d.ts): Step, StepStatus,
// FailureDetails, StepSummary, Cluster, ClusterSummary, CancelStepsInfo, CreatePersistentAppUIOutput,
// PersistentAppUI, GetPersistentAppUIPresignedURLOutput.
// Wire facts (docs/protocols.md 3): POST /, X-Amz-Target: ElasticMapReduce.<Operation>, timestamps as epoch
// seconds, errors as {"__type": ..., "Message": ...} with 400 (client) or 500 (server); ListSteps newest first.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// Answers without timestamps are checked against the SDK's output types (timestamps differ: epoch seconds
// on the wire, Date in the types).
import type {
  AddJobFlowStepsOutput,
  CancelStepsInfo,
  CancelStepsOutput,
  ClusterState,
  ListClustersOutput,
  ModifyClusterOutput,
  RunJobFlowOutput,
} from '@aws-sdk/client-emr';
import { createClusterRunner, type LiveState } from './emr-cluster-runner.js';
import type { RunnerOptions } from './emr-step-runner.js';
import { persistentUiOps } from './fake-emr-ui.js';

/** One scripted step state; each DescribeStep advances to the next entry, the last one stays. */
export interface ScriptedState {
  State: 'PENDING' | 'RUNNING' | 'CANCEL_PENDING' | 'COMPLETED' | 'CANCELLED' | 'FAILED' | 'INTERRUPTED';
  FailureDetails?: { Reason?: string; Message?: string; LogFile?: string };
}

interface FakeStep {
  Id: string;
  Name: string;
  ActionOnFailure: string;
  Config: { Jar: string; Args: string[]; Properties: Record<string, string> };
  script: ScriptedState[];
  pos: number;
  cancelled: boolean;
  created: number;
  /** Set when the double runs steps for real (`startFakeEmr({ runner })`): the state the process drives. */
  live?: LiveState;
}

interface FakeCluster {
  Id: string;
  Name: string;
  State: string;
  LogUri?: string;
  StateChangeReason?: { Code?: string; Message?: string };
  steps: FakeStep[];
  keepAlive: boolean;
  /** How many steps run at once (EMR default 1; RunJobFlow and ModifyCluster set it, 1 to 256). */
  StepConcurrencyLevel: number;
}

/** Request is one call the double received, for assertions. */
export interface Request {
  op: string;
  body: Record<string, unknown>;
  /** When it arrived (ms since epoch). */
  at: number;
}

export interface FakeEmr {
  endpoint: string;
  requests: Request[];
  clusters: Map<string, FakeCluster>;
  /** The script every new step follows (default PENDING, RUNNING, RUNNING, COMPLETED). */
  script: ScriptedState[];
  /** Answer the next `n` calls (of `op`, or any) with ThrottlingException. */
  throttle(n: number, op?: string): void;
  /** Answer the next call of `op` with a 500 after carrying it out (an ambiguous failure). */
  failAfterApplying(op: string): void;
  addCluster(c: {
    id: string;
    name: string;
    state?: string;
    logUri?: string;
    stepConcurrencyLevel?: number;
  }): void;
  /** Called when a step is added (AddJobFlowSteps or RunJobFlow), e.g. to put its logs on S3. */
  onStep?: (clusterId: string, stepId: string) => void;
  /** Presigned URLs handed out by GetPersistentAppUIPresignedURL (each one unique). */
  presignedUrls: string[];
  /** How many calls were answered with ThrottlingException. */
  throttled: number;
  close(): Promise<void>;
}

let counter = 0;
function id(prefix: string): string {
  counter++;
  return `${prefix}-${String(counter).padStart(4, '0')}FAKE${Math.random().toString(36).slice(2, 6).toUpperCase()}`.slice(
    0,
    prefix.length + 14,
  );
}
const epoch = (ms: number) => ms / 1000;

export interface FakeEmrOptions {
  /** 127.0.0.1 port [ephemeral]. */
  port?: number;
  /** Run every step's spark-submit for real (docs/protocols.md 3.7) instead of following `script`. */
  runner?: RunnerOptions;
}

/** startFakeEmr starts the double on 127.0.0.1. */
export async function startFakeEmr(opts: FakeEmrOptions = {}): Promise<FakeEmr> {
  const runner = opts.runner ? createClusterRunner(opts.runner) : undefined;
  const clusters = new Map<string, FakeCluster>();
  const requests: Request[] = [];
  let throttleLeft = 0;
  let throttleOp: string | undefined;
  const ambiguous = new Set<string>();
  const fake: Omit<FakeEmr, 'endpoint' | 'close'> = {
    requests,
    clusters,
    presignedUrls: [],
    throttled: 0,
    script: [{ State: 'PENDING' }, { State: 'RUNNING' }, { State: 'RUNNING' }, { State: 'COMPLETED' }],
    throttle(n, op) {
      throttleLeft = n;
      throttleOp = op;
    },
    failAfterApplying(op) {
      ambiguous.add(op);
    },
    addCluster(c) {
      clusters.set(c.id, {
        Id: c.id,
        Name: c.name,
        State: c.state ?? 'WAITING',
        ...(c.logUri ? { LogUri: c.logUri } : {}),
        steps: [],
        keepAlive: true,
        StepConcurrencyLevel: c.stepConcurrencyLevel ?? 1,
      });
    },
  };

  const invalid = (message: string) => ({
    status: 400,
    body: { __type: 'InvalidRequestException', Message: message },
  });

  const stateOf = (s: FakeStep): ScriptedState =>
    s.live ?? (s.script[Math.min(s.pos, s.script.length - 1)] as ScriptedState);
  const timeline = (s: FakeStep, st: ScriptedState) =>
    s.live
      ? {
          CreationDateTime: epoch(s.created),
          ...(s.live.start ? { StartDateTime: epoch(s.live.start) } : {}),
          ...(s.live.end ? { EndDateTime: epoch(s.live.end) } : {}),
        }
      : {
          CreationDateTime: epoch(s.created),
          ...(st.State !== 'PENDING' ? { StartDateTime: epoch(s.created + 1000) } : {}),
          ...(['COMPLETED', 'FAILED', 'CANCELLED'].includes(st.State)
            ? { EndDateTime: epoch(Date.now()) }
            : {}),
        };
  const stepView = (c: FakeCluster, s: FakeStep) => {
    const st = stateOf(s);
    return {
      Id: s.Id,
      Name: s.Name,
      Config: s.Config,
      ActionOnFailure: s.ActionOnFailure,
      Status: {
        State: st.State,
        StateChangeReason: {},
        ...(st.FailureDetails ? { FailureDetails: st.FailureDetails } : {}),
        Timeline: timeline(s, st),
      },
      ...(c.LogUri ? { LogUri: c.LogUri } : {}),
    };
  };

  const finishCluster = (c: FakeCluster) => {
    if (runner) return;
    const settled = c.steps.every((s) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(stateOf(s).State));
    if (!c.keepAlive && settled && c.State !== 'TERMINATED') {
      c.State = 'TERMINATED';
      c.StateChangeReason = { Code: 'ALL_STEPS_COMPLETED', Message: 'Steps completed' };
    }
  };

  const addSteps = (c: FakeCluster, steps: Record<string, unknown>[]) =>
    steps.map((cfg) => {
      const h = (cfg.HadoopJarStep ?? {}) as {
        Jar?: string;
        Args?: string[];
        Properties?: { Key: string; Value: string }[];
      };
      if (!cfg.Name || !h.Jar) throw new Error('StepConfig needs Name and HadoopJarStep.Jar');
      const s: FakeStep = {
        Id: id('s'),
        Name: String(cfg.Name),
        ActionOnFailure: String(cfg.ActionOnFailure ?? 'TERMINATE_CLUSTER'),
        Config: {
          Jar: h.Jar,
          Args: h.Args ?? [],
          Properties: Object.fromEntries((h.Properties ?? []).map((p) => [p.Key, p.Value])),
        },
        script: fake.script.map((x) => ({ ...x })),
        pos: 0,
        cancelled: false,
        created: Date.now(),
        ...(runner ? { live: { State: 'PENDING' as const } } : {}),
      };
      c.steps.push(s);
      // After the answer: the cluster starts the step on its own time.
      if (runner) setImmediate(() => runner.kick(c));
      fake.onStep?.(c.Id, s.Id);
      return s.Id;
    });

  // StepConcurrencyLevel: "You can specify a minimum of 1 step and a maximum of 256 steps" (EMR API
  // Reference, ModifyCluster; RunJobFlow: "The default value is 1. The maximum value is 256").
  const concurrencyLevel = (v: unknown): number | string =>
    Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 256
      ? (v as number)
      : `StepConcurrencyLevel must be an integer from 1 to 256, not ${JSON.stringify(v)}`;
  const arnOf = (c: FakeCluster) => `arn:aws:elasticmapreduce:us-east-1:123456789012:cluster/${c.Id}`;

  const ops: Record<string, (b: Record<string, unknown>) => { status: number; body: unknown }> = {
    DescribeCluster(b) {
      const c = clusters.get(String(b.ClusterId));
      if (!c)
        return {
          status: 400,
          body: {
            __type: 'InvalidRequestException',
            ErrorCode: 'NoSuchCluster',
            Message: `Cluster id '${b.ClusterId}' is not valid.`,
          },
        };
      return {
        status: 200,
        body: {
          Cluster: {
            Id: c.Id,
            Name: c.Name,
            Status: { State: c.State, StateChangeReason: c.StateChangeReason ?? {}, Timeline: {} },
            ...(c.LogUri ? { LogUri: c.LogUri } : {}),
            ClusterArn: arnOf(c),
            StepConcurrencyLevel: c.StepConcurrencyLevel,
          },
        },
      };
    },
    ListClusters(b) {
      const states = (b.ClusterStates as string[] | undefined) ?? [];
      const list = [...clusters.values()].filter((c) => states.length === 0 || states.includes(c.State));
      return {
        status: 200,
        body: {
          Clusters: list.map((c) => ({
            Id: c.Id,
            Name: c.Name,
            Status: { State: c.State as ClusterState },
            ClusterArn: arnOf(c),
          })),
        } satisfies ListClustersOutput,
      };
    },
    AddJobFlowSteps(b) {
      const c = clusters.get(String(b.JobFlowId));
      if (!c) return invalid(`Cluster id '${b.JobFlowId}' is not valid.`);
      if (!['STARTING', 'BOOTSTRAPPING', 'RUNNING', 'WAITING'].includes(c.State)) {
        return invalid(`A job flow that is shutting down, terminated, or finished may not be modified.`);
      }
      const StepIds = addSteps(c, (b.Steps as Record<string, unknown>[]) ?? []);
      return { status: 200, body: { StepIds } satisfies AddJobFlowStepsOutput };
    },
    RunJobFlow(b) {
      const inst = (b.Instances ?? {}) as { KeepJobFlowAliveWhenNoSteps?: boolean };
      if (!b.Name || !b.ReleaseLabel) return invalid('Name and ReleaseLabel are required');
      const c: FakeCluster = {
        Id: id('j'),
        Name: String(b.Name),
        State: 'STARTING',
        ...(b.LogUri ? { LogUri: String(b.LogUri) } : {}),
        steps: [],
        keepAlive: inst.KeepJobFlowAliveWhenNoSteps === true,
        StepConcurrencyLevel: 1,
      };
      if (b.StepConcurrencyLevel !== undefined) {
        const level = concurrencyLevel(b.StepConcurrencyLevel);
        if (typeof level === 'string') return invalid(level);
        c.StepConcurrencyLevel = level;
      }
      clusters.set(c.Id, c);
      addSteps(c, (b.Steps as Record<string, unknown>[]) ?? []);
      return {
        status: 200,
        body: { JobFlowId: c.Id, ClusterArn: arnOf(c) } satisfies RunJobFlowOutput,
      };
    },
    ModifyCluster(b) {
      const c = clusters.get(String(b.ClusterId));
      if (!c) return invalid(`Cluster id '${b.ClusterId}' is not valid.`);
      if (b.StepConcurrencyLevel !== undefined) {
        const level = concurrencyLevel(b.StepConcurrencyLevel);
        if (typeof level === 'string') return invalid(level);
        c.StepConcurrencyLevel = level;
        if (runner) setImmediate(() => runner.kick(c));
      }
      return {
        status: 200,
        body: { StepConcurrencyLevel: c.StepConcurrencyLevel } satisfies ModifyClusterOutput,
      };
    },
    DescribeStep(b) {
      const c = clusters.get(String(b.ClusterId));
      const s = c?.steps.find((x) => x.Id === b.StepId);
      if (!c || !s) return invalid(`Step id '${b.StepId}' is not valid.`);
      const view = stepView(c, s);
      if (!runner && s.pos < s.script.length - 1) s.pos++;
      if (!runner && c.State === 'STARTING') c.State = 'RUNNING';
      finishCluster(c);
      return { status: 200, body: { Step: view } };
    },
    ListSteps(b) {
      const c = clusters.get(String(b.ClusterId));
      if (!c) return invalid(`Cluster id '${b.ClusterId}' is not valid.`);
      const states = (b.StepStates as string[] | undefined) ?? [];
      const steps = [...c.steps]
        .reverse()
        .map((s) => stepView(c, s))
        .filter((s) => states.length === 0 || states.includes(s.Status.State));
      return { status: 200, body: { Steps: steps } };
    },
    CancelSteps(b) {
      const c = clusters.get(String(b.ClusterId));
      if (!c) return invalid(`Cluster id '${b.ClusterId}' is not valid.`);
      const info = ((b.StepIds as string[]) ?? []).map((sid): CancelStepsInfo => {
        const s = c.steps.find((x) => x.Id === sid);
        if (s && runner) {
          const out = runner.cancel(c, s, String(b.StepCancellationOption ?? 'SEND_INTERRUPT'));
          if (out.Status === 'SUBMITTED') s.cancelled = true;
          return { StepId: sid, ...out };
        }
        const state = s ? stateOf(s).State : undefined;
        if (!s || (state !== 'PENDING' && state !== 'RUNNING')) {
          return {
            StepId: sid,
            Status: 'FAILED',
            Reason: `Step ${sid} is in state ${state ?? 'unknown'} and cannot be cancelled.`,
          };
        }
        // Asynchronous: CANCEL_PENDING first, CANCELLED on a later look.
        s.script = [{ State: 'CANCEL_PENDING' }, { State: 'CANCELLED' }];
        s.pos = 0;
        s.cancelled = true;
        return { StepId: sid, Status: 'SUBMITTED' };
      });
      return { status: 200, body: { CancelStepsInfoList: info } satisfies CancelStepsOutput };
    },
    ...persistentUiOps({
      arns: () => [...clusters.values()].map(arnOf),
      id,
      invalid,
      minted: fake.presignedUrls,
    }),
    TerminateJobFlows(b) {
      for (const cid of (b.JobFlowIds as string[]) ?? []) {
        const c = clusters.get(cid);
        if (c && runner) runner.terminate(c, 'USER_REQUEST', 'Terminated by user request');
        else if (c) {
          c.State = 'TERMINATED';
          c.StateChangeReason = { Code: 'USER_REQUEST', Message: 'Terminated by user request' };
        }
      }
      return { status: 200, body: {} };
    },
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': id('req') });
      res.end(text);
    };
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.startsWith('ElasticMapReduce.') ? target.slice('ElasticMapReduce.'.length) : '';
    if (req.method !== 'POST' || !op || req.headers['content-type'] !== 'application/x-amz-json-1.1') {
      send(400, { __type: 'UnknownOperationException', Message: `bad request: ${req.method} ${target}` });
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      send(400, { __type: 'SerializationException', Message: 'malformed JSON' });
      return;
    }
    requests.push({ op, body, at: Date.now() });
    if (throttleLeft > 0 && (!throttleOp || throttleOp === op)) {
      throttleLeft--;
      fake.throttled++;
      send(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
      return;
    }
    const fn = ops[op];
    if (!fn) {
      send(400, { __type: 'UnknownOperationException', Message: `${op} is not implemented by the fake` });
      return;
    }
    try {
      const out = fn(body);
      if (out.status === 200 && ambiguous.delete(op)) {
        send(500, {
          __type: 'InternalServerException',
          Message: 'Internal error (after applying the request)',
        });
        return;
      }
      send(out.status, out.body);
    } catch (err) {
      send(400, { __type: 'ValidationException', Message: (err as Error).message });
    }
  };

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      raw += d;
    });
    req.on('end', () => handle(req, res, raw));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  // The same object the handlers read, so `script` set by a test applies to the next steps.
  return Object.assign(fake, {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      await runner?.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  });
}
