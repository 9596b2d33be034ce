// The driver's stderr tail from its worker's web UI (cluster mode: the driver runs on a worker).
import { type FetchLike, requestJson } from '../../util/http.js';
import { driverLogPageUrl, driverLogTextUrl } from './urls.js';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" };

/** logPageText extracts the log from the worker's HTML log page (the `<pre>` block), entities decoded. */
export function logPageText(html: string): string | undefined {
  const m = /<pre[^>]*>([\s\S]*?)<\/pre>/i.exec(html);
  if (!m) return undefined;
  return (m[1] ?? '').replace(/&(amp|lt|gt|quot|apos|#39);/g, (_, e: string) => ENTITIES[e] ?? _);
}

/**
 * cleanDriverLog turns the worker's log text into what a user should see: without the `==== Bytes ... ====`
 * header of the `/log/` endpoint and without the worker's "Launch Command" line (it lists every spark
 * property as -D, values included), last `lines` lines.
 */
export function cleanDriverLog(text: string, lines: number): string {
  const kept = text
    .split(/\r?\n/)
    .filter((l, i) => !(i === 0 && /^==== Bytes \d+-\d+ of \d+ of .* ====$/.test(l)))
    .filter((l) => !l.startsWith('Launch Command:'))
    .filter((l) => !/^={20,}$/.test(l));
  while (kept.length > 0 && kept[0]?.trim() === '') kept.shift();
  while (kept.length > 0 && kept.at(-1)?.trim() === '') kept.pop();
  return kept.slice(-lines).join('\n');
}

/** fetchDriverLog reads a driver's stderr from its worker: the plain-text `/log/` endpoint, else the HTML page. */
export async function fetchDriverLog(
  fetchFn: FetchLike,
  workerUi: string,
  driverId: string,
  timeoutMs: number,
): Promise<string | undefined> {
  for (const [url, parse] of [
    [driverLogTextUrl(workerUi, driverId), (t: string) => t],
    [driverLogPageUrl(workerUi, driverId), logPageText],
  ] as const) {
    try {
      const res = await requestJson(fetchFn, url, {
        timeoutMs,
        headers: { Accept: 'text/plain, text/html' },
      });
      if (res.status === 200) {
        const text = parse(res.text);
        if (text !== undefined) return text;
      }
    } catch {
      // The worker UI is often not reachable from the runner; the log is optional.
    }
  }
  return undefined;
}
