import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the origin does with one request, decided by the lab from the faults in effect. */
export interface OriginBehaviour {
  /** Drop the connection without answering (the app crashed under the request). */
  readonly crash: boolean;
  /** Answer 500 with the app's own JSON error. */
  readonly error500: boolean;
  /** Wait this long before answering. */
  readonly delayMs: number;
  /** Answer this body instead of the lab's. */
  readonly body: string | null;
}

export interface OriginOptions {
  /** e.g. "app-1". */
  readonly name: string;
  /** What a healthy origin answers, with status 200. */
  readonly body: string;
  /** Asked once per request. */
  readonly decide: (origin: string) => OriginBehaviour;
  /** Default 127.0.0.1. */
  readonly host?: string;
}

/** One application server behind the load-balancer nodes. */
export interface Origin {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Requests it has received. */
  readonly requests: number;
  close(): Promise<void>;
}

// The nodes keep idle connections for 4 s; the origin keeps them longer, so it is always the node
// that closes an idle connection. The other way round, a node can reuse a connection the origin is
// closing at that instant and answer a 502 that no fault caused.
const ORIGIN_KEEP_ALIVE_MS = 65_000;

/** Starts an origin: an HTTP server on a free loopback port answering every path with 200 and the body. */
export async function startOrigin(opts: OriginOptions): Promise<Origin> {
  const host = opts.host ?? '127.0.0.1';
  let requests = 0;
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    requests += 1;
    req.resume();
    const b = opts.decide(opts.name);
    if (b.crash) {
      req.socket.destroy();
      return;
    }
    const answer = (): void => {
      if (b.error500) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: 'internal server error', origin: opts.name }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(b.body ?? opts.body);
    };
    if (b.delayMs > 0) {
      const timer = setTimeout(answer, b.delayMs);
      res.once('close', () => clearTimeout(timer));
    } else {
      answer();
    }
  };
  const server = createServer({ keepAliveTimeout: ORIGIN_KEEP_ALIVE_MS, headersTimeout: ORIGIN_KEEP_ALIVE_MS + 1000 }, onRequest);
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    name: opts.name,
    host,
    port,
    get requests() {
      return requests;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
