// What the action keeps of a Spark run: the numbers the summary, the findings, the JSON file (output
// spark-metrics-path) and the comparison with the last deploy are made of. Times in ms, sizes in bytes.

/** TaskSpread is a stage's task distribution at the quantiles min, median, p75, max. */
export interface TaskSpread {
  /** Each task's whole time: deserialisation, run, result serialisation (`duration`, Spark 3.x). */
  durationMs: [number, number, number, number];
  /** Each task's run time alone (`executorRunTime`: without deserialisation or scheduler delay). */
  runMs: [number, number, number, number];
  /** Bytes each task read (input plus shuffle read). */
  readBytes: [number, number, number, number];
  /** Records each task read (input plus shuffle read). */
  readRecords: [number, number, number, number];
}

/** StageRun is one stage attempt. */
export interface StageRun {
  stageId: number;
  attempt: number;
  name: string;
  status: string;
  /** From submission to completion (or to when it was read, for one still running). */
  durationMs: number;
  /** Offsets from the application's start. */
  startMs: number;
  endMs: number;
  tasks: number;
  failedTasks: number;
  killedTasks: number;
  inputBytes: number;
  inputRecords: number;
  outputBytes: number;
  outputRecords: number;
  shuffleReadBytes: number;
  shuffleWriteBytes: number;
  memorySpillBytes: number;
  diskSpillBytes: number;
  /** Summed over tasks. */
  taskTimeMs: number;
  gcTimeMs: number;
  failureReason?: string;
  spread?: TaskSpread;
}

/** JobRun is one Spark job. */
export interface JobRun {
  jobId: number;
  name: string;
  status: string;
  durationMs?: number;
  stageIds: number[];
  tasks: number;
  failedTasks: number;
}

/** LostExecutor is an executor removed while the application ran, with Spark's reason. */
export interface LostExecutor {
  id: string;
  host?: string;
  reason: string;
  failedTasks: number;
}

/** RunMetrics is everything read about one application run. */
export interface RunMetrics {
  /** Where the numbers were read: the History Server or the driver's live UI, by its /api/v1 base. */
  source: { kind: 'history' | 'live'; api: string };
  appId: string;
  attemptId?: string;
  name: string;
  sparkVersion?: string;
  /** The application had ended when read (a streaming run is read while it runs). */
  completed: boolean;
  wallMs: number;
  jobs: JobRun[];
  stages: StageRun[];
  executors: { total: number; lost: LostExecutor[] };
  totals: RunTotals;
}

/** RunTotals are the sums over stages: what the comparison with the last deploy uses. */
export interface RunTotals {
  inputBytes: number;
  outputBytes: number;
  shuffleReadBytes: number;
  shuffleWriteBytes: number;
  spillBytes: number;
  taskTimeMs: number;
  gcTimeMs: number;
  failedTasks: number;
}

/** totalsOf sums stages into RunTotals. */
export function totalsOf(stages: readonly StageRun[]): RunTotals {
  const t: RunTotals = {
    inputBytes: 0,
    outputBytes: 0,
    shuffleReadBytes: 0,
    shuffleWriteBytes: 0,
    spillBytes: 0,
    taskTimeMs: 0,
    gcTimeMs: 0,
    failedTasks: 0,
  };
  for (const s of stages) {
    t.inputBytes += s.inputBytes;
    t.outputBytes += s.outputBytes;
    t.shuffleReadBytes += s.shuffleReadBytes;
    t.shuffleWriteBytes += s.shuffleWriteBytes;
    t.spillBytes += s.diskSpillBytes;
    t.taskTimeMs += s.taskTimeMs;
    t.gcTimeMs += s.gcTimeMs;
    t.failedTasks += s.failedTasks;
  }
  return t;
}
