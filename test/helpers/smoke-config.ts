// The deploy config the end-to-end tests give SmokeJob on the local Spark: one `staging` environment on the
// standalone master, the smallest driver and executor, and the app lines the test asks for.

/** smokeConfig is `.github/spark-deploy.yml` text: `appLines` go under `defaults.app` after name and mainClass. */
export function smokeConfig(o: { rest: string; ui: string; appLines: string[] }): string {
  return [
    'version: 1',
    'defaults:',
    '  app:',
    '    name: "etl-{{environment}}"',
    '    mainClass: SmokeJob',
    ...o.appLines.map((l) => `    ${l}`),
    '  spark:',
    '    version: 3.5.6',
    '    scalaVersion: "2.12"',
    '    javaRelease: 17',
    '    conf: { spark.cores.max: 1 }',
    '    driver: { cores: 1, memory: 512m }',
    '    executor: { cores: 1, memory: 512m, instances: 1 }',
    'environments:',
    '  staging:',
    '    target: standalone',
    '    standalone:',
    `      masters: [${o.rest}]`,
    `      webUi: ${o.ui}`,
    '',
  ].join('\n');
}
