// Masters as users write them (spark://host:7077, the HA form): the scheme chooses the way in, and a driver
// submitted through the RPC gateway is followed in the master's /json/ and killed with spark-submit --kill.
import { type AddressInfo, createServer } from 'node:net';
import { afterEach, describe, expect, it, test } from 'vitest';
import { createStandaloneTarget } from '../../../src/targets/standalone/index.js';
import { resolveSettings } from '../../../src/targets/standalone/settings.js';
import type { SpawnFn } from '../../../src/targets/standalone/spark-submit.js';
import { buildSparkSubmitArgs } from '../../../src/targets/standalone/spark-submit.js';
import { gatewayOf, parseRpcMasters } from '../../../src/targets/standalone/urls.js';
import type { Status } from '../../../src/targets/target.js';
import { type FakeSpark, type ScriptStep, startFakeSpark } from '../../helpers/fake-spark-rest.js';
import { artifact, makePlan, RecordingLog, virtualClock } from './fixtures.js';

describe('gatewayOf and parseRpcMasters', () => {
  test.each([
    ['spark://spark-master:7077', 'rpc'],
    ['spark://spark-master', 'rpc'],
    ['spark://m1:7077,m2:7077', 'rpc'],
    ['spark://m:7177', 'rpc'],
    ['spark://m:6066', 'rest'],
    ['spark://m1:6066,m2:6066', 'rest'],
    ['http://m:6066', 'rest'],
    ['https://proxy/spark', 'rest'],
    ['m:6066', 'rest'],
  ])('%s -> %s', (raw, way) => {
    expect(gatewayOf(raw)).toBe(way);
  });

  it('reads the HA form, with 7077 as the default port', () => {
    expect(parseRpcMasters('spark://m1:7077,M2,[::1]:7178/').map((m) => m.url)).toEqual([
      'spark://m1:7077',
      'spark://m2:7077',
      'spark://[::1]:7178',
    ]);
  });

  test.each([
    ['spark://m:7077/path', /not a master URL Spark takes/],
    ['spark://', /not a master URL Spark takes/],
    ['spark://m:99999', /outside 1-65535/],
  ])('%s is refused', (raw, message) => {
    expect(() => parseRpcMasters(raw)).toThrow(message);
  });
});

describe('settings: the scheme chooses the way in', () => {
  it('spark://host:7077 goes through spark-submit, followed without REST; web UI on port 8080', () => {
    const s = resolveSettings(makePlan({ standalone: { masters: ['spark://m1:7077,m2:7077'] } }));
    expect(s).toMatchObject({ gateway: 'rpc', mode: 'spark-submit', endpoints: [] });
    expect(s.webUis).toEqual(['http://m1:8080', 'http://m2:8080']);
  });

  it('the HA form split by a YAML flow list ([spark://m1:7077,m2:7077]) is still one spark:// list', () => {
    const s = resolveSettings(makePlan({ standalone: { masters: ['spark://m1:7077', 'm2:7077'] } }));
    expect(s).toMatchObject({ gateway: 'rpc', mode: 'spark-submit' });
    expect(s.rpcMasters.map((m) => m.url)).toEqual(['spark://m1:7077', 'spark://m2:7077']);
  });

  it('http:// stays REST', () => {
    const s = resolveSettings(makePlan({ standalone: { masters: ['http://127.0.0.1:6066'] } }));
    expect(s).toMatchObject({ gateway: 'rest', mode: 'rest' });
  });

  it('mode: rest overrides the scheme, and 7077 then gets its clear message', () => {
    expect(() =>
      resolveSettings(makePlan({ standalone: { masters: ['spark://m:7077'], mode: 'rest' } })),
    ).toThrow(/port 7077, the master's RPC port.*without standalone.mode: rest/);
  });

  it('http:// on port 7077 keeps its clear message and offers the spark:// form', () => {
    expect(() => resolveSettings(makePlan({ standalone: { masters: ['http://m:7077'] } }))).toThrow(
      /port 7077, the master's RPC port.*write spark:\/\/m:7077/,
    );
  });

  it('a REST master and a spark:// master in one list is an error naming the entry', () => {
    expect(() =>
      resolveSettings(makePlan({ standalone: { masters: ['http://m:6066', 'spark://m:7077'] } })),
    ).toThrow(/standalone\.masters\.1: "spark:\/\/m:7077" is a spark:\/\/ \(RPC\) master/);
  });

  it('spark-submit gets the HA master list and no REST setting', () => {
    const plan = makePlan({
      standalone: { masters: ['spark://m1:7077,m2:7077'], jar: { stage: 'url', url: 'https://x/app.jar' } },
    });
    const args = buildSparkSubmitArgs(plan, artifact, 'https://x/app.jar');
    expect(args.slice(0, 4)).toEqual(['--master', 'spark://m1:7077,m2:7077', '--deploy-mode', 'cluster']);
    expect(args.join(' ')).not.toContain('spark.master.rest.enabled');
  });
});

const fakes: FakeSpark[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

const PREFIX = ['-cp', 'jars/*', 'org.apache.spark.deploy.SparkSubmit'];
const CLIENT = ['-cp', 'jars/*', 'org.apache.spark.deploy.Client'];

/**
 * A master with REST off (the fake), its RPC port standing in as the fake's own port (the client is a fake:
 * the port must only accept connections), its web UI at the fake.
 */
async function restOffWorld(script?: ScriptStep[], webUi?: string, masters?: (rpc: string) => string) {
  const clock = virtualClock();
  const f = await startFakeSpark({ now: clock.now, restOff: true, ...(script ? { script } : {}) });
  fakes.push(f);
  const log = new RecordingLog();
  const calls: string[][] = [];
  const spawn: SpawnFn = async (_command, args) => {
    calls.push(args);
    // org.apache.spark.deploy.Client kill <master> <driver>, as the master answers it.
    const kill = args.indexOf('kill');
    if (kill >= 0) {
      const d = f.drivers.get(args[kill + 2] as string);
      if (d) d.killed = true;
      return {
        exitCode: 0,
        stdout: '',
        stderr: `INFO ClientEndpoint: Kill request for ${args[kill + 2]} submitted`,
      };
    }
    const d = f.addDriver({ appName: 'etl-pipeline', mainClass: 'com.etl.Main' });
    return {
      exitCode: 0,
      stdout: '',
      stderr: `INFO ClientEndpoint: Driver successfully submitted as ${d.id}`,
    };
  };
  const rpc = `spark://127.0.0.1:${new URL(f.url).port}`;
  const plan = makePlan({ standalone: { masters: [masters ? masters(rpc) : rpc], webUi: webUi ?? f.url } });
  const target = createStandaloneTarget({
    clock,
    log,
    spawn,
    sparkSubmit: async () => ({
      command: 'java',
      args: PREFIX,
      client: { command: 'java', args: CLIENT },
      from: 'test',
    }),
    requestTimeoutMs: 500,
    maxPollFailures: 3,
  });
  return { f, clock, log, plan, target, calls, rpc };
}

async function collect(it: AsyncIterable<Status>): Promise<Status[]> {
  const out: Status[] = [];
  for await (const s of it) out.push(s);
  return out;
}

describe('a spark:// master without REST', () => {
  it('submits through spark-submit, follows /json/ to FINISHED with the application id and links', async () => {
    const w = await restOffWorld();
    const handle = await w.target.submit(w.plan, artifact, new AbortController().signal);
    expect(w.calls[0]?.slice(0, 5)).toEqual([...PREFIX, '--master', w.rpc]);
    const statuses = await collect(w.target.watch(handle, new AbortController().signal));
    const last = statuses.at(-1) as Status;
    expect(last).toMatchObject({ phase: 'SUCCEEDED', nativeState: 'FINISHED', terminal: true });
    expect(last.applicationId).toMatch(/^app-/);
    expect(w.target.links(handle, last).sparkUi).toBe(`${w.f.url}/app/?appId=${last.applicationId}`);
    expect(w.f.requests.some((r) => r.path.startsWith('/v1/'))).toBe(false);
  });

  it('an HA list whose first master is down still deploys: the client gets the masters that answer', async () => {
    const w = await restOffWorld(
      undefined,
      undefined,
      (rpc) => `spark://127.0.0.1:${closedPort},${rpc.slice(8)}`,
    );
    const handle = await w.target.submit(w.plan, artifact, new AbortController().signal);
    expect(w.calls[0]?.slice(3, 5)).toEqual(['--master', w.rpc]);
    expect(w.log.warnings.join('\n')).toMatch(
      /spark:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\) does not accept connections; using spark:/,
    );
    const last = (await collect(w.target.watch(handle, new AbortController().signal))).at(-1);
    expect(last).toMatchObject({ phase: 'SUCCEEDED' });
  });

  it('no master that answers is a clear error, before spark-submit runs', async () => {
    const w = await restOffWorld(undefined, undefined, () => `spark://127.0.0.1:${closedPort}`);
    await expect(w.target.submit(w.plan, artifact, new AbortController().signal)).rejects.toThrow(
      /no master of spark:\/\/127\.0\.0\.1:\d+ accepts connections: .*ECONNREFUSED.*check standalone\.masters/,
    );
    expect(w.calls).toEqual([]);
  });

  it('a failing driver is FAILED', async () => {
    const w = await restOffWorld([{ state: 'SUBMITTED' }, { state: 'RUNNING' }, { state: 'FAILED' }]);
    const handle = await w.target.submit(w.plan, artifact, new AbortController().signal);
    const last = (await collect(w.target.watch(handle, new AbortController().signal))).at(-1);
    expect(last).toMatchObject({ phase: 'FAILED', nativeState: 'FAILED', terminal: true });
    expect(await w.target.logTail?.(handle, 5)).toContain('java.lang.RuntimeException: boom');
  });

  it("cancel kills the driver with Spark's client over RPC on the same masters", async () => {
    const w = await restOffWorld([{ state: 'RUNNING' }]);
    const handle = await w.target.submit(w.plan, artifact, new AbortController().signal);
    await w.target.cancel(handle);
    expect(w.calls[1]).toEqual([...CLIENT, 'kill', w.rpc, handle.submissionId]);
    const last = (await collect(w.target.watch(handle, new AbortController().signal))).at(-1);
    expect(last).toMatchObject({ phase: 'CANCELLED', nativeState: 'KILLED' });
  });

  it('a web UI that cannot be read is an error naming standalone.webUi, not a failed job', async () => {
    const w = await restOffWorld(undefined, 'http://127.0.0.1:1');
    const handle = await w.target.submit(w.plan, artifact, new AbortController().signal);
    await expect(collect(w.target.watch(handle, new AbortController().signal))).rejects.toThrow(
      /lost contact with the master while following driver .*http:\/\/127\.0\.0\.1:1\/json\/ could not be read.*set standalone\.webUi/,
    );
  });

  it('an already finished driver counts as killed', async () => {
    const w = await restOffWorld();
    const spawn: SpawnFn = async () => ({
      exitCode: 255,
      stdout: '',
      stderr: 'INFO ClientEndpoint: Driver driver-1 has already finished or does not exist',
    });
    const target = createStandaloneTarget({
      log: w.log,
      spawn,
      sparkSubmit: async () => ({
        command: 'spark-submit',
        args: [],
        client: { command: 'spark-class', args: [] },
        from: 'test',
      }),
    });
    const handle = await w.target.submit(w.plan, artifact, new AbortController().signal);
    await expect(target.cancel(handle)).resolves.toBeUndefined();
  });
});

describe('REST asked of a master without it', () => {
  const restWorld = async (masters: (f: FakeSpark) => string[]) => {
    const clock = virtualClock();
    const f = await startFakeSpark({ now: clock.now, restOff: true });
    fakes.push(f);
    const plan = makePlan({ standalone: { masters: masters(f), webUi: f.url } });
    const target = createStandaloneTarget({
      clock,
      log: new RecordingLog(),
      requestTimeoutMs: 500,
      createSettleMs: 10,
    });
    return { plan, target };
  };
  const REST_OFF =
    /REST submission server looks off: Spark 2\.4 to 4\.0 start it disabled \(spark\.master\.rest\.enabled defaults to false.*masters: \[spark:\/\/127\.0\.0\.1:7077\]/s;

  it('connection refused on the REST port says REST is off by default and offers spark://host:7077', async () => {
    const { plan, target } = await restWorld(() => [`http://127.0.0.1:${closedPort}`]);
    await expect(target.submit(plan, artifact, new AbortController().signal)).rejects.toThrow(REST_OFF);
  });

  it('a port that closes the connection without an HTTP answer (the RPC port) says the same', async () => {
    const { plan, target } = await restWorld((f) => [f.url]);
    await expect(target.submit(plan, artifact, new AbortController().signal)).rejects.toThrow(REST_OFF);
  });
});

// A port nothing listens on: taken from the OS, then released.
const closedPort = await new Promise<number>((resolvePort) => {
  const srv = createServer();
  srv.listen(0, '127.0.0.1', () => {
    const port = (srv.address() as AddressInfo).port;
    srv.close(() => resolvePort(port));
  });
});
