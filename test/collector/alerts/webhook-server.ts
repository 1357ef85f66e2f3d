import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server does with its n-th request (0-based): answer with a status, or never answer. */
export type Answer = number | 'hang';

/** One request the webhook server received. */
export interface Received {
  readonly path: string;
  readonly contentType: string;
  readonly body: unknown;
}

/**
 * A real HTTP server on loopback standing in for a webhook receiver (Slack, a pager, a chat bot). It
 * records every request's JSON body; requests it hangs stay unanswered until `release()`.
 */
export class WebhookServer {
  readonly received: Received[] = [];
  private readonly hanging: ServerResponse[] = [];
  private waiters: { n: number; resolve: () => void }[] = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(answer: (n: number) => Answer = () => 200): Promise<WebhookServer> {
    let self: WebhookServer | null = null;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const s = self!;
        const n = s.received.length;
        const text = Buffer.concat(chunks).toString('utf8');
        s.received.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body: text === '' ? null : (JSON.parse(text) as unknown) });
        const a = answer(n);
        if (a === 'hang') s.hanging.push(res);
        else res.writeHead(a, { 'content-type': 'text/plain' }).end(a < 300 ? 'ok' : 'nope');
        s.waiters = s.waiters.filter((w) => (s.received.length >= w.n ? (w.resolve(), false) : true));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    self = new WebhookServer(server, (server.address() as AddressInfo).port);
    return self;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Resolves once `n` requests have arrived in all. */
  arrived(n: number): Promise<void> {
    if (this.received.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  /** Requests held unanswered right now (a client that gave up closes its socket, but they stay here). */
  get held(): number {
    return this.hanging.length;
  }

  /** Answers every held request with `status`. */
  release(status = 200): void {
    for (const res of this.hanging.splice(0)) if (!res.writableEnded && !res.destroyed) res.writeHead(status).end('ok');
  }

  async close(): Promise<void> {
    this.hanging.splice(0);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
