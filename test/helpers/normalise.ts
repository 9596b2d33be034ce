// Real runs' output made comparable from run to run, for the file snapshots the end-to-end tests keep.

/**
 * normalise keeps what a run says and drops what differs between runs (ids, times, ports, hashes, the
 * Spark log lines themselves), so the snapshot is a real run's output, comparable from run to run.
 */
export function normaliseRun(md: string): string {
  return (
    md
      .replace(/(<summary>stderr<\/summary>\n\n```text\n)[\s\S]*?(\n```)/g, '$1<the driver log tail>$2')
      .replace(/driver-\d{14}-\d{4}/g, 'driver-<id>')
      .replace(/app-\d{14}-\d{4}/g, 'app-<id>')
      .replace(/\b[0-9a-f]{64}\b/g, '<sha256>')
      .replace(/\d+\.\d MB \([\d,]+ bytes\)/g, '<size>')
      .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
      .replace(/\d+(\.\d+)? (ms|s)\b|\d+ min \d+ s/g, '<duration>')
      .replace(/#\d{4}\b/g, '#<deployment>')
      // GitHub ids count the fake API's objects: a run with Spark metrics keeps them in one more deployment.
      .replace(/(\/runs\/|issuecomment-)\d+/g, '$1<id>')
      .replace(/\| Deployment \| \d+ to /g, '| Deployment | <id> to ')
      // The Spark run section holds the run's own numbers (checked by spark-run.e2e.ts), and a streaming run
      // has it only when its live UI answered in time.
      .replace(/\n### Spark run\n[\s\S]*?(?=\n### |$)/g, '')
  );
}
