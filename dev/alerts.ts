import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonAgentAlert, JsonAlert } from '../collector/alerts/index.js';

/**
 * An alert as the demo shows it: the collector's JSON webhook body (about an incident, or about the
 * agents themselves), as far as the demo reads it; `link` is its report or dashboard URL.
 */
export interface DemoAlert {
  readonly type: JsonAlert['type'] | JsonAgentAlert['type'];
  readonly summary: string;
  readonly link: string;
}

const MAX_BODY_BYTES = 1 << 20;
/** Alerts GET shows at most (the newest). */
export const MAX_SHOWN_ALERTS = 100;

/** An alert as `GET /alerts` shows it. */
export interface ReceivedAlert extends DemoAlert {
  readonly receivedAt: string;
}

/**
 * The demo's stand-in for Slack or a pager: a webhook receiver on loopback that the demo collector
 * posts its alerts to (`--webhook`), so `crossprobe dev` shows what would wake an operator, and when.
 * Opened in a browser (GET), it shows the alerts received so far, newest first, as JSON.
 */
export class AlertReceiver {
  private listener: ((alert: DemoAlert) => void) | null = null;
  /** Alerts that arrived while nobody listened (between the fleet's start and the story's). */
  private readonly early: DemoAlert[] = [];
  /** The newest alerts, oldest first, at most MAX_SHOWN_ALERTS. */
  private readonly recent: ReceivedAlert[] = [];
  private received = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<AlertReceiver> {
    let self: AlertReceiver | null = null;
    const server = createServer((req, res) => {
      if (req.method === 'GET' || req.method === 'HEAD') {
        const body = self === null ? '{}' : `${JSON.stringify(self.shown(), null, 2)}\n`;
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(req.method === 'GET' ? body : undefined);
        return;
      }
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'GET, HEAD, POST' }).end();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.byteLength;
        if (size <= MAX_BODY_BYTES) chunks.push(c);
      });
      req.on('end', () => {
        const alert = size <= MAX_BODY_BYTES ? parseAlert(Buffer.concat(chunks).toString('utf8')) : null;
        if (alert === null) {
          res.writeHead(400, { 'content-type': 'text/plain' }).end('expected the collector\'s JSON alert: {"type", "summary", "reportUrl" or "dashboardUrl", …}');
          return;
        }
        res.writeHead(204).end();
        self?.deliver(alert);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    self = new AlertReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`);
    return self;
  }

  /** Sends every alert to `fn` from now on, those that came before first. */
  listen(fn: (alert: DemoAlert) => void): void {
    this.listener = fn;
    for (const a of this.early.splice(0)) fn(a);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** What GET answers: the alerts received so far, newest first (the newest MAX_SHOWN_ALERTS). */
  shown(): { received: number; shown: number; alerts: ReceivedAlert[] } {
    return { received: this.received, shown: this.recent.length, alerts: [...this.recent].reverse() };
  }

  private deliver(alert: DemoAlert): void {
    this.received++;
    this.recent.push({ ...alert, receivedAt: new Date().toISOString() });
    if (this.recent.length > MAX_SHOWN_ALERTS) this.recent.shift();
    if (this.listener === null) this.early.push(alert);
    else this.listener(alert);
  }
}

function parseAlert(text: string): DemoAlert | null {
  try {
    const body = JSON.parse(text) as Partial<Record<'type' | 'summary' | 'reportUrl' | 'dashboardUrl', unknown>> | null;
    if (body === null || typeof body !== 'object' || typeof body.summary !== 'string' || typeof body.type !== 'string') return null;
    const link = body.reportUrl ?? body.dashboardUrl;
    if (typeof link !== 'string') return null;
    return { type: body.type as DemoAlert['type'], summary: body.summary, link };
  } catch {
    return null;
  }
}
