// What the YARN client (spark-submit on the primary node) prints for a cluster-mode application, which is the
// EMR step's stderr, and what EMR makes of it (docs/protocols.md 3.7): the application reports, the final
// report with the AM's diagnostics (ApplicationMaster.scala), `... finished with failed status`
// (yarn Client.scala), and FailureDetails from the last exception line.

export interface FailureDetails {
  Reason: string;
  Message?: string;
  LogFile?: string;
}

/** stamp is log4j's default date layout (`yy/MM/dd HH:mm:ss`). */
export const stamp = () => new Date().toISOString().replace('T', ' ').slice(2, 19).replace(/-/g, '/');
/** info is one INFO line of a logger. */
export const info = (cls: string, msg: string) => `${stamp()} INFO ${cls}: ${msg}\n`;

/** failureOf is what EMR's step failure analysis reports: the last exception in the step's stderr. */
export function failureOf(stepStderr: string, logFile: string | undefined): FailureDetails {
  const lines = stepStderr.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^Exception in thread "[^"]*" (.+)$/.exec(lines[i] ?? '');
    if (m)
      return {
        Reason: m[1] as string,
        Message: lines[i] as string,
        ...(logFile ? { LogFile: logFile } : {}),
      };
  }
  return { Reason: 'Unknown Error.', ...(logFile ? { LogFile: logFile } : {}) };
}

/** diagnosticsOf is the AM's diagnostics for a driver that exited with `code` after writing `stderr`. */
export function diagnosticsOf(code: number, stderr: string): string {
  const thrown = /^Exception in thread "main" (.+)$/m.exec(stderr);
  if (thrown) return `User class threw exception: ${thrown[1]}`;
  if (code !== 0) return 'Shutdown hook called before final status was reported.';
  return '';
}

/** finalReport is the client's last application report and, for a failed application, its exception. */
export function finalReport(appId: string, finalStatus: string, diagnostics: string): string {
  let out = info(
    'Client',
    `Application report for ${appId} (state: ${finalStatus === 'KILLED' ? 'KILLED' : 'FINISHED'})`,
  );
  out += info(
    'Client',
    [
      '',
      '\t client token: N/A',
      `\t diagnostics: ${diagnostics || 'N/A'}`,
      '\t ApplicationMaster host: 127.0.0.1',
      `\t final status: ${finalStatus}`,
      `\t tracking URL: http://127.0.0.1:20888/proxy/${appId}/`,
      '\t user: hadoop',
    ].join('\n'),
  );
  if (finalStatus === 'FAILED') {
    out += `Exception in thread "main" org.apache.spark.SparkException: Application ${appId} finished with failed status\n\tat org.apache.spark.deploy.yarn.Client.run(Client.scala:1342)\n`;
  }
  return out;
}
