// Spark's standalone client connects to every master of a spark:// list before it submits (or kills), and
// gives up when one refuses: an HA list whose first master is down would fail although another is ALIVE.
// So the masters that do not accept a TCP connection are left out of the list the client gets.
import { connect } from 'node:net';
import { ActionError } from '../../util/errors.js';
import type { Logger } from './deps.js';
import { parseRpcMasters, rpcMasterUrl } from './urls.js';

const CONNECT_TIMEOUT_MS = 3_000;

/** accepts tells whether host:port accepts a TCP connection within the timeout (the error code if not). */
export function accepts(host: string, port: number, timeoutMs = CONNECT_TIMEOUT_MS): Promise<true | string> {
  return new Promise((resolveReach) => {
    const socket = connect({ host, port });
    const done = (r: true | string) => {
      socket.destroy();
      resolveReach(r);
    };
    socket.setTimeout(timeoutMs, () => done('timed out'));
    socket.once('connect', () => done(true));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}

/**
 * reachableMasterUrl is the `spark://` URL of the masters of `masterUrl` that accept connections, in order;
 * the others are logged. An ActionError when none does.
 */
export async function reachableMasterUrl(masterUrl: string, log: Logger): Promise<string> {
  const masters = parseRpcMasters(masterUrl);
  const reach = await Promise.all(masters.map((m) => accepts(m.host, m.port)));
  const up = masters.filter((_, i) => reach[i] === true);
  const down = masters.flatMap((m, i) => (reach[i] === true ? [] : [`${m.url} (${reach[i]})`]));
  if (up.length === 0) {
    throw new ActionError(
      `standalone: no master of ${masterUrl} accepts connections: ${down.join(', ')}; check standalone.masters and that the masters run (the RPC port is spark.master.port, 7077 by default)`,
    );
  }
  if (down.length > 0) {
    log.warning(`standalone: ${down.join(', ')} does not accept connections; using ${rpcMasterUrl(up)}`);
  }
  return rpcMasterUrl(up);
}
