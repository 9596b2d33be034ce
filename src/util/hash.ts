import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** sha256File hashes a file in one streamed pass with large reads; it never holds the file in memory. */
export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  const stream = createReadStream(path, { highWaterMark: 4 * 1024 * 1024, ...(signal ? { signal } : {}) });
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
