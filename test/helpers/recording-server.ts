import { createServer, type Server, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server that records the crossprobe-probe-id of every request it answers, so a test can
 * compare "probes that happened" with "results that arrived". `respond` picks status and body.
 */
export class RecordingServer {
  readonly probeIds: string[] = [];
  readonly requests: { probeId: string; url: string; host: string; remoteAddress: string }[] = [];
  private constructor(private readonly server: Server, readonly host: string, readonly port: number) {}

  static async start(
    host = '127.0.0.1',
    respond: (req: IncomingMessage) => { status: number; body: string } = () => ({ status: 200, body: 'ok' }),
    port = 0,
  ): Promise<RecordingServer> {
    let self: RecordingServer | null = null;
    const server = createServer((req, res) => {
      const probeId = String(req.headers['crossprobe-probe-id'] ?? '');
      self?.probeIds.push(probeId);
      self?.requests.push({ probeId, url: req.url ?? '', host: req.headers.host ?? '', remoteAddress: req.socket.remoteAddress ?? '' });
      const { status, body } = respond(req);
      res.writeHead(status, { 'content-type': 'text/plain', 'x-served-by': `node-${host}` });
      res.end(body);
    });
    server.keepAliveTimeout = 1;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    self = new RecordingServer(server, host, (server.address() as AddressInfo).port);
    return self;
  }

  url(path = '/'): string {
    return `http://${this.host}:${this.port}${path}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
