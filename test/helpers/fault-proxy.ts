// A fault proxy in front of the real local API server (scripts/local-k8s.sh): HTTPS on 127.0.0.1:0 with
// the API server's own serving certificate (valid for 127.0.0.1), forwarding every request unchanged, except
// the faults a test arms: what a real server will not do on demand (a 5xx once, a reset connection, a watch
// that ends with 410 Gone). Each fault fires once, on the first request it matches.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export type Fault =
  /** Answer with this status and a Kubernetes Status body instead of forwarding. */
  | { kind: 'status'; code: number }
  /** Destroy the client's connection without an answer. */
  | { kind: 'reset' }
  /** Answer a watch with one ERROR event carrying 410 Gone ("too old resource version"), then end it. */
  | { kind: 'gone' };

interface Armed {
  match: (method: string, path: string) => boolean;
  fault: Fault;
}

export interface Seen {
  method: string;
  path: string;
  fault?: Fault['kind'];
}

/** FaultProxy forwards to `upstream` (https://127.0.0.1:<port>) and injects the armed faults. */
export class FaultProxy {
  readonly seen: Seen[] = [];
  private armed: Armed[] = [];
  private server?: ReturnType<typeof createServer>;
  private readonly ca: Buffer;
  private readonly target: URL;
  url = '';

  constructor(
    upstream: string,
    private readonly pkiDir: string,
  ) {
    this.target = new URL(upstream);
    this.ca = readFileSync(join(pkiDir, 'ca.crt'));
  }

  /** arm makes the next request that matches get `fault` (once). */
  arm(match: (method: string, path: string) => boolean, fault: Fault): void {
    this.armed.push({ match, fault });
  }

  async start(): Promise<this> {
    this.server = createServer(
      {
        cert: readFileSync(join(this.pkiDir, 'server.crt')),
        key: readFileSync(join(this.pkiDir, 'server.key')),
      },
      (req, res) => this.handle(req, res),
    );
    await new Promise<void>((done) => this.server?.listen(0, '127.0.0.1', done));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const i = this.armed.findIndex((a) => a.match(method, path));
    const armed = i >= 0 ? this.armed.splice(i, 1)[0] : undefined;
    this.seen.push({ method, path, ...(armed ? { fault: armed.fault.kind } : {}) });
    if (armed?.fault.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (armed?.fault.kind === 'status') {
      const code = armed.fault.code;
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status(code, `injected by the fault proxy (HTTP ${code})`)));
      return;
    }
    if (armed?.fault.kind === 'gone') {
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      const gone = status(410, 'too old resource version: 1 (2)', 'Expired');
      res.end(`${JSON.stringify({ type: 'ERROR', object: gone })}\n`);
      return;
    }
    const up = httpsRequest(
      {
        host: this.target.hostname,
        port: this.target.port,
        method,
        path,
        headers: { ...req.headers, host: this.target.host },
        ca: this.ca,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    req.pipe(up);
  }
}

function status(code: number, message: string, reason?: string) {
  const reasons: Record<number, string> = {
    410: 'Expired',
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable',
  };
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: reason ?? reasons[code] ?? 'InternalError',
    code,
  };
}
