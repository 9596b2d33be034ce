// The local Spark installation scripts/local-spark.sh provides (`home` downloads it once into the cache), for
// tests that run Spark's own classes outside a cluster (the EMR double's steps).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const SCRIPT = join(import.meta.dirname, '../../scripts/local-spark.sh');

/** sparkHome is the local Spark home with its jars, or undefined when the script cannot provide one. */
export function sparkHome(): string | undefined {
  try {
    const home = execFileSync('bash', [SCRIPT, 'home'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 1_200_000,
    }).trim();
    return existsSync(join(home, 'jars')) ? home : undefined;
  } catch {
    return undefined;
  }
}
