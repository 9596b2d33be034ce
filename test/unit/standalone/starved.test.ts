// An application the master lists WAITING with no cores: found, and explained from `/json/` as Spark 3.5's
// JsonProtocol writes it (writeApplicationInfo's `cores` is coresGranted; writeWorkerInfo's cores/coresused/
// memory/memoryused) and the driver's log.
import { describe, expect, it } from 'vitest';
import { parseMasterState } from '../../../src/targets/standalone/master-json.js';
import { starvedApp, starvedCause, starvedMessage } from '../../../src/targets/standalone/starved.js';

const json = {
  status: 'ALIVE',
  workers: [
    { id: 'worker-1', state: 'ALIVE', cores: 4, coresused: 3, memory: 8192, memoryused: 7168 },
    { id: 'worker-2', state: 'ALIVE', cores: 2, coresused: 0, memory: 2048, memoryused: 0 },
    { id: 'worker-3', state: 'DEAD', cores: 16, coresused: 0, memory: 65536, memoryused: 0 },
  ],
  activeapps: [
    { id: 'app-1', name: 'etl', starttime: 1, cores: 0, memoryperexecutor: 4096, state: 'WAITING' },
    { id: 'app-2', name: 'nightly', starttime: 0, cores: 3, memoryperexecutor: 1024, state: 'RUNNING' },
  ],
  completedapps: [],
  activedrivers: [],
  completeddrivers: [],
};
const state = parseMasterState(json);
if (!state) throw new Error('fixture is master JSON');

describe('starved applications', () => {
  it('is the app WAITING with 0 cores granted; one with cores, or unknown, is not', () => {
    expect(starvedApp(state, 'app-1')?.id).toBe('app-1');
    expect(starvedApp(state, 'app-2')).toBeUndefined();
    expect(starvedApp(state, 'app-9')).toBeUndefined();
  });

  it('says what the ALIVE workers have free, what was asked, who holds the cores and the fix', () => {
    const m = starvedMessage({
      appId: 'app-1',
      driverId: 'driver-1',
      waitedMs: 31_400,
      state,
      launch: { 'spark.executor.cores': '2', 'spark.cores.max': '4' },
    });
    expect(m).toContain('application app-1 of driver driver-1 has had no executor for 31 s');
    expect(m).toContain(
      '2 ALIVE worker(s) with 3 free cores and 3072 MiB free in all, at most 2 cores and 2048 MiB on one worker',
    );
    expect(m).toContain('spark.executor.cores 2, spark.executor.memory 4096 MiB, spark.cores.max 4');
    expect(m).toContain('Other applications hold cores: app-2 (nightly, 3).');
    expect(m).not.toContain("Spark's driver log says");
  });

  it("quotes Spark's own warning in the short cause", () => {
    const cause = starvedCause({
      appId: 'app-1',
      waitedMs: 30_000,
      coresWarning:
        '26/12/07 23:10:59 WARN SparkConf: Total executor cores: 2 is not divisible by cores per executor: 3, the left cores: 2 will not be allocated',
    });
    expect(cause).toBe(
      'no executor in 30 s: the master lists app-1 WAITING with 0 cores granted (Spark: "Total executor cores: 2 is not divisible by cores per executor: 3")',
    );
  });
});
