import type { Finding } from '../../findings.js';
import { configPlace } from '../config-error.js';
import type { DeployPlan } from '../target.js';
import { configError, type Settings } from './settings.js';
import type { MasterEndpoint } from './urls.js';

const CVE = 'CVE-2018-11770';
const WHY = `Spark's REST submission server has no authentication (${CVE}): whoever reaches it can run code on the cluster`;

/** insecureEndpoints are the masters reached over plain http:// on a non-loopback host. */
export function insecureEndpoints(endpoints: readonly MasterEndpoint[]): MasterEndpoint[] {
  return endpoints.filter((e) => !e.secure && !e.loopback);
}

/**
 * checkTransport refuses plain http:// REST to a non-loopback host unless `standalone.allowInsecureRest`
 * is true; then it returns one warning finding (citing the CVE) for the caller to report once.
 */
export function checkTransport(plan: DeployPlan, settings: Settings): Finding[] {
  const insecure = insecureEndpoints(settings.endpoints);
  if (insecure.length === 0) return [];
  const hosts = insecure.map((e) => e.rest).join(', ');
  if (!settings.allowInsecureRest) {
    throw configError(
      plan,
      ['standalone', 'masters'],
      `${hosts}: plain HTTP to a non-loopback host is refused. ${WHY}. Reach it through https:// (e.g. an authenticating proxy, with standalone.headers for its token), or, on a trusted network only, set standalone.allowInsecureRest: true`,
    );
  }
  const w = configPlace(plan, ['standalone', 'allowInsecureRest']);
  return [
    {
      stage: 'deploy',
      severity: 'warning',
      title: `insecure Spark REST (${CVE})`,
      message: `${hosts}: submitting over plain HTTP because standalone.allowInsecureRest is true. ${WHY}; keep port 6066 reachable only from trusted hosts.`,
      ...(w.at ? { file: w.at.file } : {}),
      ...(w.at?.line ? { line: w.at.line } : {}),
      rule: 'standalone/insecure-rest',
    },
  ];
}
