#!/usr/bin/env node
// The demo's last step (scripts/demo.sh prepares everything): runs the bundled action as a runner would
// against the local Spark, then shows what the ETL job wrote.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runAction } from './run-action.mjs';

const started = Date.now();
const result = await runAction({
  inputs: {
    'working-directory': 'examples/etl-app',
    environment: 'local',
    'timeout-minutes': '15',
  },
  onOutput: (t) => process.stdout.write(t),
});
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log('\n================ spark-deploy-action demo ================');
console.log(result.summary.replace(/<br>/g, ' '));
console.log('outputs:');
for (const [k, v] of Object.entries(result.outputs)) console.log(`  ${k} = ${v}`);

const driver = result.outputs['submission-id'];
if (driver) {
  try {
    const master = await (await fetch('http://127.0.0.1:8080/json/')).json();
    const d = [...master.completeddrivers, ...master.activedrivers].find((x) => x.id === driver);
    const worker = master.workers.find((w) => d && w.id === d.worker);
    if (worker) {
      const url = `${worker.webuiaddress}/logPage/?driverId=${driver}&logType=stdout`;
      const html = await (await fetch(url)).text();
      const line = html.match(/ETL OK[^<\n]*/);
      console.log(`\ndriver stdout (${url}):\n  ${line ? line[0] : '(no "ETL OK" line found)'}`);
    }
  } catch (err) {
    console.log(`\n(could not read the driver log: ${err.message})`);
  }
}
const out = '/tmp/spark-deploy-demo/output/customer_revenue';
try {
  const files = readdirSync(out).filter((f) => !f.startsWith('.'));
  console.log(`\nETL output in ${out}:`);
  for (const f of files) console.log(`  ${f}  ${statSync(join(out, f)).size} bytes`);
} catch {
  console.log(`\n(no ETL output at ${out})`);
}
console.log(`\ndemo finished in ${seconds} s with exit code ${result.code}; Spark UI: http://127.0.0.1:8080`);
process.exit(result.code);
