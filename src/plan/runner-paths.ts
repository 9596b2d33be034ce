import type { Path } from './source.js';

/**
 * runnerPathProblems finds `spark.jars` and `spark.files` entries that are paths relative to the runner
 * (no scheme, not absolute). The cluster resolves them against the driver's own working directory, on
 * another machine: they never name the file the user meant. `app.configFile` is the way to ship a runner
 * file; everything else must be a URL the cluster reads (s3a://, s3://, hdfs://, https://), `local:/…` or an
 * absolute path on the nodes or in the image.
 */
export function runnerPathProblems(spark: { jars?: string[]; files?: string[] } | undefined): {
  path: Path;
  message: string;
}[] {
  const out: { path: Path; message: string }[] = [];
  for (const key of ['jars', 'files'] as const) {
    (spark?.[key] ?? []).forEach((entry, i) => {
      if (/^[a-z][a-z0-9+.-]*:/i.test(entry) || entry.startsWith('/')) return;
      out.push({
        path: ['spark', key, i],
        message: `"${entry}" is a path on the runner, which the cluster cannot read (it would look in the driver's working directory on another machine); give a URL the cluster reads (s3a://, s3://, hdfs://, https://), local:/<path> on every node or in the image, or an absolute path there${key === 'files' ? '; a config file of the app from the repository goes in app.configFile, which the action ships' : ''}`,
      });
    });
  }
  return out;
}
