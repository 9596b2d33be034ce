// What a driver's own stderr says about the application it runs, read from its worker's web UI in
// increments. The worker writes the launch command (every submitted -D property) at the top; Spark's own
// INFO lines then say which application the SparkContext registered, or that it runs its executor in the
// driver (a local master). Strings as Spark 3.5 writes them (checked against spark-core 3.5.6):
//   DriverRunner            `Launch Command: "java" ... "-Dspark.app.name=<submitted>" ...`
//   SparkContext            `Running Spark version 3.5.6`, `Submitted application: <name>`
//   StandaloneAppClient     `Connecting to master spark://host:7077...` (retried while the master is busy)
//   StandaloneSchedulerBackend `Connected to Spark cluster with app ID app-20261207124131-0000`
//   Executor (local mode)   `Starting executor ID driver on host localhost`
//   JettyUtils, Utils       `Start Jetty 0.0.0.0:4040 for SparkUI`, `Successfully started service 'SparkUI' on port 4041.`
//   SparkContext            `Total executor cores: 2 is not divisible by cores per executor: 3, the left cores: 2
//                           will not be allocated` (spark.cores.max against spark.executor.cores, code-set ones included)
// The patterns match the message only (any log4j pattern, with or without the logger name), and a JSON line
// (Spark 4's structured logging) is read by its `msg`.
import { type FetchLike, requestJson } from '../../util/http.js';
import { driverLogTextUrl } from './urls.js';

/** DriverLogFacts is what the driver's log has shown so far. */
export interface DriverLogFacts {
  /** Applications the driver registered with the master, oldest first (a relaunched driver has one per launch). */
  appIds: string[];
  /** The application the latest launch registered. */
  appId?: string;
  /** Names the SparkContext ran under (`Submitted application:`), the one set in code included. */
  appNames: string[];
  /** -D properties of the latest `Launch Command`: what was submitted (spark.app.name, the run label, spark.master). */
  launch?: Record<string, string>;
  /** The latest launch started a SparkContext whose INFO lines reach the log. */
  sparkStarted: boolean;
  /** The latest launch is registering with a standalone master (not local mode), maybe slowly. */
  connecting: boolean;
  /** The latest launch runs Spark's executor inside the driver: the code set a local master. */
  localExecutor: boolean;
  /** The line that showed the local executor, for the message. */
  localLine?: string;
  /** Where the latest launch's live UI listens, as bound (host may be 0.0.0.0: any address of its host). */
  ui?: { host: string; port: number };
  /** Spark's warning that spark.cores.max leaves cores no executor can take (the line as logged). */
  coresWarning?: string;
}

/** emptyFacts is a log with nothing in it yet. */
export function emptyFacts(): DriverLogFacts {
  return { appIds: [], appNames: [], sparkStarted: false, connecting: false, localExecutor: false };
}

const APP_ID = /Connected to Spark cluster with app ID ([\w.-]+)/;
const APP_NAME = /Submitted application: (.*?)\s*$/;
const SPARK_STARTED = /Running Spark version \d/;
const CONNECTING = /Connecting to master spark:\/\//;
const LOCAL_EXECUTOR = /Starting executor ID driver on host /;
const UI_JETTY = /Start Jetty (\S+):(\d+) for SparkUI/;
const UI_PORT = /Successfully started service 'SparkUI' on port (\d+)/;
const CORES_WARNING = /Total executor cores: \d+ is not divisible by cores per executor: \d+/;

/** messageOf is what a log line says: the `msg` of a JSON line, else the line itself. */
function messageOf(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const msg = (JSON.parse(line) as { msg?: unknown }).msg;
    return typeof msg === 'string' ? msg : line;
  } catch {
    return line;
  }
}
const LAUNCH_PROP = /"-D([^"=\s]+)=([^"]*)"/g;

/** scanDriverLog adds what complete log lines show to `facts` (in place) and returns it. */
export function scanDriverLog(facts: DriverLogFacts, lines: readonly string[]): DriverLogFacts {
  for (const line of lines) {
    if (line.startsWith('Launch Command:')) {
      // A new launch (a supervised driver relaunching appends to the same file): its own facts start over.
      facts.launch = Object.fromEntries([...line.matchAll(LAUNCH_PROP)].map((m) => [m[1], m[2] ?? '']));
      facts.sparkStarted = false;
      facts.connecting = false;
      facts.localExecutor = false;
      delete facts.localLine;
      delete facts.appId;
      delete facts.ui;
      delete facts.coresWarning;
      continue;
    }
    const msg = messageOf(line);
    const id = APP_ID.exec(msg)?.[1];
    if (id) {
      if (facts.appIds.at(-1) !== id) facts.appIds.push(id);
      facts.appId = id;
      continue;
    }
    const name = APP_NAME.exec(msg)?.[1];
    if (name !== undefined) {
      facts.appNames.push(name);
      facts.sparkStarted = true;
      continue;
    }
    const jetty = UI_JETTY.exec(msg);
    const port = UI_PORT.exec(msg)?.[1];
    if (jetty) facts.ui = { host: jetty[1] ?? '', port: Number(jetty[2]) };
    // A taken port makes Spark try the next ones: this line has the one it got.
    else if (port && facts.ui) facts.ui.port = Number(port);
    else if (CORES_WARNING.test(msg)) facts.coresWarning = msg.trim();
    else if (SPARK_STARTED.test(msg)) facts.sparkStarted = true;
    else if (CONNECTING.test(msg)) facts.connecting = true;
    else if (!facts.localExecutor && LOCAL_EXECUTOR.test(msg)) {
      facts.localExecutor = true;
      facts.localLine = line.trim();
    }
  }
  return facts;
}

/** LogCursor is how far a driver's log has been read, and what it showed. */
export interface LogCursor {
  /** Byte offset of the next unread byte. */
  offset: number;
  /** The last line read, when it was not complete yet. */
  carry: string;
  facts: DriverLogFacts;
  /** Some of the log was read (the worker UI answered with the file's content). */
  readable: boolean;
}

/** newCursor starts reading a log from its first byte. */
export function newCursor(): LogCursor {
  return { offset: 0, carry: '', facts: emptyFacts(), readable: false };
}

const HEADER = /^==== Bytes (\d+)-(\d+) of (\d+) of .* ====\r?\n?/;

/** parseLogChunk splits the worker's `/log/` answer into its byte range and text; undefined when it is not one. */
export function parseLogChunk(
  text: string,
): { start: number; end: number; total: number; body: string } | undefined {
  const m = HEADER.exec(text);
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]), total: Number(m[3]), body: text.slice(m[0].length) };
}

/** advanceCursor folds one chunk into the cursor (pure): complete lines are scanned, a partial one kept. */
export function advanceCursor(
  cursor: LogCursor,
  chunk: { start: number; end: number; body: string },
): LogCursor {
  // The worker answered from somewhere else than asked (the file was replaced): read it again from there.
  const restart = chunk.start !== cursor.offset;
  const facts = restart && chunk.start === 0 ? emptyFacts() : cursor.facts;
  const text = (restart ? '' : cursor.carry) + chunk.body;
  const cut = text.lastIndexOf('\n');
  const complete = cut < 0 ? [] : text.slice(0, cut).split(/\r?\n/);
  return {
    offset: chunk.end,
    carry: cut < 0 ? text : text.slice(cut + 1),
    facts: scanDriverLog({ ...facts, appIds: [...facts.appIds], appNames: [...facts.appNames] }, complete),
    readable: true,
  };
}

/** Bytes asked for per request: the launch command and the registration lines come in the first few KiB. */
export const LOG_CHUNK_BYTES = 256 * 1024;
/** Bytes read at most per call by default, so a chatty driver's log is caught up with over a few polls. */
const MAX_BYTES_PER_READ = 2 * 1024 * 1024;

/**
 * readDriverLog reads what the driver's stderr gained since `cursor` from its worker's `/log/` endpoint
 * (offset and byteLength, as LogPage takes them) and returns the advanced cursor; the cursor unchanged when
 * the worker has no log yet, undefined when the worker UI cannot be read (often unreachable from a runner).
 */
export async function readDriverLog(
  fetchFn: FetchLike,
  workerUi: string,
  driverId: string,
  cursor: LogCursor,
  timeoutMs: number,
  signal?: AbortSignal,
  maxBytes = MAX_BYTES_PER_READ,
): Promise<LogCursor | undefined> {
  let c = cursor;
  for (let read = 0; read < maxBytes; ) {
    const url = driverLogTextUrl(workerUi, driverId, 'stderr', Math.min(LOG_CHUNK_BYTES, maxBytes), c.offset);
    let text: string;
    try {
      const res = await requestJson(fetchFn, url, {
        timeoutMs,
        headers: { Accept: 'text/plain' },
        ...(signal ? { signal } : {}),
      });
      if (res.status !== 200) return read > 0 ? c : undefined;
      text = res.text;
    } catch (err) {
      if (signal?.aborted) throw err;
      return read > 0 ? c : undefined;
    }
    const chunk = parseLogChunk(text);
    if (!chunk) return read > 0 ? c : undefined;
    // No file yet (`Error: invalid log directory`): the driver has not been launched on the worker.
    if (chunk.total === 0) return c;
    c = advanceCursor(c, chunk);
    read += chunk.end - chunk.start;
    if (chunk.end >= chunk.total || chunk.end === chunk.start) break;
  }
  return c;
}
