import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { Duplex } from 'node:stream';
import { Pool } from 'undici';

export type Protocol = 'http' | 'https';

/** Who a connection came from and where it arrived. */
export interface ConnectionInfo {
  /** The node's name, e.g. "lb-2". */
  readonly node: string;
  /** The client's source address (a region's 127.0.1.x). */
  readonly remoteAddress: string;
  /** Which of the node's addresses it arrived on. */
  readonly localAddress: string;
  readonly protocol: Protocol;
}

/** What the node does with a freshly accepted connection. */
export type ConnectionAction =
  /** Serve it, after holding it `delayMs`, with the expired certificate when `expiredCert` (https). */
  | { readonly kind: 'serve'; readonly delayMs: number; readonly expiredCert: boolean }
  /** Send a TCP RST and forget it. */
  | { readonly kind: 'reset' }
  /** Keep it open and never answer (read and discard until the client gives up or the lab closes). */
  | { readonly kind: 'blackhole' };

/** What the node does with one request. */
export type RequestAction =
  | { readonly kind: 'proxy' }
  /** Answer nginx's 502 page at once, without trying the upstream. */
  | { readonly kind: 'bad-gateway' }
  /** Answer nginx's 504 page after `afterMs`, as its proxy read timeout against a hung upstream would. */
  | { readonly kind: 'gateway-timeout'; readonly afterMs: number };

/** The lab's fault logic, asked by a node for every connection and every request. */
export interface LbPolicy {
  connection(info: ConnectionInfo): ConnectionAction;
  request(info: ConnectionInfo): RequestAction;
}

/** An origin a node forwards to. */
export interface Upstream {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

export interface LbNodeOptions {
  /** e.g. "lb-1"; sent as `x-served-by`. */
  readonly name: string;
  /** The addresses it listens on (the same port on each). */
  readonly addresses: readonly string[];
  readonly protocol: Protocol;
  /** Certificates for https: the valid one, and the expired one the cert-expired fault serves. */
  readonly tls: { readonly valid: SecureContext; readonly expired: SecureContext } | null;
  /** Forwarded to round-robin. */
  readonly upstreams: readonly Upstream[];
  /** nginx's proxy_read_timeout: no upstream response headers by then → 504. */
  readonly proxyTimeoutMs: number;
  readonly policy: LbPolicy;
}

const STATUS_TEXT: Readonly<Record<502 | 504, string>> = { 502: 'Bad Gateway', 504: 'Gateway Time-out' };

/**
 * nginx's built-in error page with `server_tokens off`, byte for byte (captured from nginx 1.22: the
 * title, heading and signature lines, CRLF line ends; the MSIE padding is only sent to MSIE).
 */
export function nginxErrorPage(status: 502 | 504): string {
  const line = `${status} ${STATUS_TEXT[status]}`;
  return `<html>\r\n<head><title>${line}</title></head>\r\n<body>\r\n<center><h1>${line}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

// Hop-by-hop headers a proxy must not forward (RFC 9110 §7.6.1); undici also refuses to send them.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'expect']);
// nginx hides these upstream headers by default (proxy_hide_header) and sends its own.
const HIDDEN_UPSTREAM = new Set(['server', 'date', 'x-accel-redirect', 'x-accel-expires', 'x-accel-limit-rate', 'x-accel-buffering', 'x-accel-charset']);
// Idle upstream connections are closed after this, well before the origin's own keep-alive timeout.
const UPSTREAM_KEEP_ALIVE_MS = 4_000;

/** Runs `fn` once at least `ms` have passed by performance.now(): libuv timers can fire a little early. */
function after(ms: number, fn: () => void): () => void {
  const start = performance.now();
  let timer: NodeJS.Timeout;
  const arm = (wait: number): void => {
    timer = setTimeout(() => {
      const left = ms - (performance.now() - start);
      if (left > 0) arm(Math.ceil(left));
      else fn();
    }, wait);
  };
  arm(ms);
  return () => clearTimeout(timer);
}

/**
 * One load-balancer node: a reverse proxy in the shape of nginx. It listens on its addresses, asks the
 * lab's policy what to do with each connection and request, forwards healthy requests round-robin to
 * the upstreams, passes their status, headers and body through, marks every response `x-served-by`,
 * and answers nginx's own 502/504 pages (with `Server: nginx`) when an upstream fails or times out.
 */
export class LbNode {
  readonly name: string;
  readonly addresses: readonly string[];
  readonly protocol: Protocol;
  #port = 0;
  readonly #opts: LbNodeOptions;
  #listeners: NetServer[] = [];
  readonly #sockets = new Set<Socket>();
  readonly #infos = new WeakMap<Duplex, ConnectionInfo>();
  readonly #http = createHttpServer((req, res) => this.#onRequest(req, res));
  readonly #pools: Pool[];
  #next = 0;
  #refusing = false;
  #closed = false;

  constructor(opts: LbNodeOptions) {
    if (opts.upstreams.length === 0) throw new TypeError('LbNode: at least one upstream');
    this.#opts = opts;
    this.name = opts.name;
    this.addresses = opts.addresses;
    this.protocol = opts.protocol;
    this.#pools = opts.upstreams.map(
      (u) =>
        new Pool(`http://${u.host}:${u.port}`, {
          keepAliveTimeout: UPSTREAM_KEEP_ALIVE_MS,
          keepAliveMaxTimeout: UPSTREAM_KEEP_ALIVE_MS,
          // the node's own timer (proxyTimeoutMs) decides when the upstream is too slow
          headersTimeout: 0,
          bodyTimeout: 0,
        }),
    );
    this.#http.on('clientError', (_err, socket) => socket.destroy());
  }

  /** The port it listens on (the same on every address); 0 before listen. */
  get port(): number {
    return this.#port;
  }

  /** Whether its listeners are closed (node-refuse in userland). */
  get refusing(): boolean {
    return this.#refusing;
  }

  /** Listens on every address at `port` (0: a free port, chosen by the first address). */
  async listen(port: number): Promise<number> {
    this.#port = port;
    await this.#listenAll();
    return this.#port;
  }

  /**
   * Closes its listeners (connections are then refused by the kernel: nothing listens) or opens them
   * again. Connections already accepted carry on.
   */
  async setRefusing(refusing: boolean): Promise<void> {
    if (refusing === this.#refusing || this.#closed) return;
    this.#refusing = refusing;
    if (refusing) {
      const listeners = this.#listeners;
      this.#listeners = [];
      // close() shuts the listening socket now; its callback waits for connections we destroy later
      for (const l of listeners) l.close();
    } else {
      await this.#listenAll();
    }
  }

  /** Closes its listeners and forgets the port (a failed shared listen tries another). */
  unlisten(): void {
    for (const l of this.#listeners) l.close();
    this.#listeners = [];
    this.#port = 0;
  }

  /** Stops listening, drops every connection, closes the upstream pools. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const listeners = this.#listeners;
    this.#listeners = [];
    const closed = listeners.map((l) => new Promise<void>((resolve) => l.close(() => resolve())));
    for (const s of this.#sockets) s.destroy();
    await Promise.all(closed);
    await Promise.all(this.#pools.map((p) => p.destroy()));
  }

  async #listenAll(): Promise<void> {
    const opened: NetServer[] = [];
    try {
      for (const address of this.addresses) {
        const server = createNetServer((socket) => this.#onConnection(socket));
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ port: this.#port, host: address, exclusive: true }, () => {
            server.off('error', reject);
            resolve();
          });
        });
        server.on('error', () => undefined);
        opened.push(server);
        const bound = server.address();
        if (this.#port === 0 && bound !== null && typeof bound === 'object') this.#port = bound.port;
      }
    } catch (err) {
      for (const s of opened) s.close();
      throw err;
    }
    this.#listeners = opened;
  }

  #onConnection(socket: Socket): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => undefined);
    const info: ConnectionInfo = {
      node: this.name,
      remoteAddress: socket.remoteAddress ?? '',
      localAddress: socket.localAddress ?? '',
      protocol: this.protocol,
    };
    const action = this.#opts.policy.connection(info);
    if (action.kind === 'reset') {
      socket.resetAndDestroy();
      return;
    }
    if (action.kind === 'blackhole') {
      socket.resume();
      return;
    }
    const serve = (): void => {
      if (socket.destroyed) return;
      if (this.protocol === 'https' && this.#opts.tls) {
        const secureContext = action.expiredCert ? this.#opts.tls.expired : this.#opts.tls.valid;
        const tls = new TLSSocket(socket, { isServer: true, secureContext, ALPNProtocols: ['http/1.1'] });
        // a client that rejects the certificate aborts the handshake: not the node's problem
        tls.on('error', () => socket.destroy());
        this.#infos.set(tls, info);
        this.#http.emit('connection', tls);
      } else {
        this.#infos.set(socket, info);
        this.#http.emit('connection', socket);
      }
    };
    if (action.delayMs > 0) {
      const cancel = after(action.delayMs, serve);
      socket.once('close', cancel);
    } else {
      serve();
    }
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const info = this.#infos.get(req.socket) ?? {
      node: this.name,
      remoteAddress: req.socket.remoteAddress ?? '',
      localAddress: req.socket.localAddress ?? '',
      protocol: this.protocol,
    };
    res.setHeader('server', 'nginx');
    res.setHeader('x-served-by', this.name);
    const action = this.#opts.policy.request(info);
    if (action.kind === 'bad-gateway') {
      req.resume();
      sendNginxError(res, 502);
      return;
    }
    if (action.kind === 'gateway-timeout') {
      req.resume();
      const cancel = after(action.afterMs, () => sendNginxError(res, 504));
      res.once('close', cancel);
      return;
    }
    void this.#proxy(req, res, info);
  }

  async #proxy(req: IncomingMessage, res: ServerResponse, info: ConnectionInfo): Promise<void> {
    const i = this.#next;
    this.#next = (this.#next + 1) % this.#pools.length;
    const pool = this.#pools[i];
    const upstream = this.#opts.upstreams[i];
    if (pool === undefined || upstream === undefined) throw new Error('LbNode: upstream index out of range');
    res.setHeader('x-upstream', upstream.name);

    const abort = new AbortController();
    let timedOut = false;
    const cancelTimeout = after(this.#opts.proxyTimeoutMs, () => {
      timedOut = true;
      abort.abort();
    });
    const onClientGone = (): void => {
      if (!res.writableFinished) abort.abort();
    };
    res.once('close', onClientGone);
    try {
      const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
      const up = await pool.request({
        path: req.url ?? '/',
        method: req.method ?? 'GET',
        headers: forwardHeaders(req.headers, info.remoteAddress),
        body: hasBody ? req : null,
        signal: abort.signal,
      });
      cancelTimeout();
      if (!hasBody) req.resume();
      const headers: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(up.headers)) {
        if (value === undefined || HOP_BY_HOP.has(name) || HIDDEN_UPSTREAM.has(name)) continue;
        headers[name] = value;
      }
      res.writeHead(up.statusCode, headers);
      // an upstream that dies mid-body leaves a cut response, as nginx does: the client sees a reset
      await pipeline(up.body, res).catch(() => res.destroy());
    } catch {
      cancelTimeout();
      req.resume();
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      sendNginxError(res, timedOut ? 504 : 502);
    } finally {
      res.off('close', onClientGone);
    }
  }
}

function forwardHeaders(headers: IncomingHttpHeaders, clientAddress: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  const xff = headers['x-forwarded-for'];
  out['x-forwarded-for'] = typeof xff === 'string' && xff !== '' ? `${xff}, ${clientAddress}` : clientAddress;
  out['x-real-ip'] = clientAddress;
  return out;
}

/** nginx's own 502/504 reply: its status line text, headers and page. */
export function sendNginxError(res: ServerResponse, status: 502 | 504): void {
  if (res.headersSent || res.destroyed) return;
  const page = nginxErrorPage(status);
  res.statusCode = status;
  res.statusMessage = STATUS_TEXT[status];
  res.setHeader('server', 'nginx');
  res.setHeader('content-type', 'text/html');
  res.setHeader('content-length', Buffer.byteLength(page));
  res.end(page);
}

/**
 * Makes every node listen on one port number shared by all of them (`port`, or a free one): a free port
 * on the first address may be taken on another, so with port 0 it retries on a fresh one.
 */
export async function listenShared(nodes: readonly LbNode[], port: number): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    let chosen = port;
    const listening: LbNode[] = [];
    try {
      for (const node of nodes) {
        chosen = await node.listen(chosen);
        listening.push(node);
      }
      return chosen;
    } catch (err) {
      for (const node of listening) node.unlisten();
      if (port !== 0 || attempt >= 5 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
}
