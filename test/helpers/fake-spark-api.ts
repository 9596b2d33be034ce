// A stand-in for a Spark History Server's monitoring REST API (/api/v1) on 127.0.0.1:0, answering with the
// real answers captured from Spark 3.5.6 in test/fixtures/spark-api/ (see its README). Scenarios: a History
// Server that has not listed the application yet (404, as Spark answers "no such app"), one that lists it
// as still running, and one that fails.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const FIXTURES = join(import.meta.dirname, '../fixtures/spark-api');

export interface FakeSparkApiOptions {
  /** Application id → fixture directory (skew, spill). */
  apps: Record<string, string>;
  /** Answer the application with 404 this many times first. */
  unlistedFor?: number;
  /** Then answer it as not completed this many times. */
  runningFor?: number;
  /** Answer every request with this status instead. */
  failWith?: number;
}

export interface FakeSparkApi {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/** startFakeSparkApi serves the captured answers under /api/v1/applications/<id>/…. */
export async function startFakeSparkApi(o: FakeSparkApiOptions): Promise<FakeSparkApi> {
  const requests: string[] = [];
  let unlisted = o.unlistedFor ?? 0;
  let running = o.runningFor ?? 0;
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    requests.push(url);
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'Content-Type': type });
      res.end(body);
    };
    if (o.failWith) return send(o.failWith, '<html><body>Server Error</body></html>', 'text/html');
    const m = /^\/api\/v1\/applications\/([^/?]+)(\/[^?]*)?(?:\?.*)?$/.exec(url);
    const dir = m ? o.apps[decodeURIComponent(m[1] ?? '')] : undefined;
    // Spark's own answer for an unknown application: 404 with a plain-text message.
    const unknown = () => send(404, `no such app: ${m?.[1] ?? ''}`, 'text/plain');
    if (!m || !dir) return unknown();
    const rest = m[2] ?? '';
    const file = (name: string) => readFileSync(join(FIXTURES, dir, name), 'utf8');
    if (rest === '') {
      if (unlisted > 0) {
        unlisted--;
        return unknown();
      }
      const app = JSON.parse(file('app.json'));
      if (running > 0) {
        running--;
        app.attempts[0].completed = false;
      }
      return send(200, JSON.stringify(app));
    }
    const summary = /^\/stages\/(\d+)\/(\d+)\/taskSummary$/.exec(rest);
    const name = summary
      ? `taskSummary_${summary[1]}_${summary[2]}.json`
      : (
          {
            '/jobs': 'app_jobs.json',
            '/stages': 'app_stages.json',
            '/allexecutors': 'app_allexecutors.json',
          } as Record<string, string>
        )[rest];
    if (!name) return unknown();
    try {
      return send(200, file(name));
    } catch {
      return unknown();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** The application ids of the captured fixtures. */
export const SKEW_APP = 'app-20261207154840-0001';
export const SPILL_APP = 'app-20261207154835-0000';
/** A run whose first-wave tasks are slow from class loading alone (executorDeserializeTime), reading evenly. */
export const WARMUP_APP = 'app-20261207225612-0004';
