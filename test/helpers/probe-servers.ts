import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { TLSSocket, createServer as createTlsServer } from 'node:tls';
import { failureFromWire, parseTarget, type FailureCode, type ProbeResult, type Target } from '../../proto/index.js';
import { DEFAULT_BODY_CAP_BYTES, type DnsResolver, type ProbeContext } from '../../agent/probes/index.js';

/** What a test server saw of one request. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly remoteAddress: string;
  /** The address the request arrived on (which of several loopback IPs). */
  readonly localAddress: string;
  /** TLS SNI the client sent; null over plain HTTP. */
  readonly servername: string | null;
  /** Whether the TLS session was resumed; null over plain HTTP. */
  readonly sessionReused: boolean | null;
  /** Which connection (1, 2, ...) carried the request. */
  readonly connection: number;
}

export interface TestHttpServer {
  readonly host: string;
  readonly port: number;
  readonly requests: readonly SeenRequest[];
  /** TCP connections accepted. */
  readonly connections: number;
  /** TLS handshakes completed (https only). */
  readonly handshakes: number;
  close(): Promise<void>;
}

export interface HttpServerOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (free port). */
  readonly port?: number;
  /** Serve HTTPS with this key and certificate. */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** Default: 200 "ok". */
  readonly handler?: (req: IncomingMessage, res: ServerResponse) => void;
}

const connectionIds = new WeakMap<Socket, number>();

/** A real HTTP or HTTPS server on loopback that records what it saw. close() drops open connections. */
export async function startHttpServer(opts: HttpServerOptions = {}): Promise<TestHttpServer> {
  const host = opts.host ?? '127.0.0.1';
  const requests: SeenRequest[] = [];
  let connections = 0;
  let handshakes = 0;
  const handler = opts.handler ?? ((_req: IncomingMessage, res: ServerResponse) => res.end('ok'));
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const socket = req.socket;
    const tls = socket instanceof TLSSocket ? socket : null;
    const servername = tls ? (tls as TLSSocket & { servername?: string | false }).servername : null;
    requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      remoteAddress: socket.remoteAddress ?? '',
      localAddress: socket.localAddress ?? '',
      servername: typeof servername === 'string' ? servername : null,
      sessionReused: tls ? tls.isSessionReused() : null,
      connection: connectionIds.get(tls ?? socket) ?? 0,
    });
    handler(req, res);
  };
  const server: HttpServer = opts.tls
    ? createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }, onRequest)
    : createHttpServer(onRequest);
  server.on('connection', (socket: Socket) => {
    connections += 1;
    connectionIds.set(socket, connections);
    socket.on('error', () => undefined);
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    handshakes += 1;
    connectionIds.set(socket, handshakes);
  });
  server.on('tlsClientError', () => undefined);
  const port = await listen(server, host, opts.port ?? 0);
  return {
    host,
    port,
    requests,
    get connections() {
      return connections;
    },
    get handshakes() {
      return handshakes;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface TestTcpServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface TcpServerOptions {
  readonly host?: string;
  readonly port?: number;
  /** Terminate TLS first (onSocket then gets the TLS socket). */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** Does with each accepted connection whatever the fault needs: nothing, garbage, a reset... */
  readonly onSocket: (socket: Socket) => void;
}

/** A raw TCP (or TLS) server for the faults HTTP servers cannot make. close() destroys every socket. */
export async function startTcpServer(opts: TcpServerOptions): Promise<TestTcpServer> {
  const host = opts.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const server: NetServer = opts.tls
    ? createTlsServer({ key: opts.tls.key, cert: opts.tls.cert }, (socket) => {
        track(socket);
        opts.onSocket(socket);
      })
    : createNetServer((socket) => {
        track(socket);
        opts.onSocket(socket);
      });
  if (opts.tls) {
    server.on('connection', track);
    server.on('tlsClientError', () => undefined);
  }
  const port = await listen(server, host, opts.port ?? 0);
  return {
    host,
    port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function listen(server: NetServer | HttpServer, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('server has no TCP address');
  return addr.port;
}

/**
 * Starts one server per host on the same port (several loopback IPs behind one DNS name). With port 0
 * the first server picks it; retries on a fresh port if another host finds it taken.
 */
export async function startOnHosts<T extends { readonly port: number; close(): Promise<void> }>(
  hosts: readonly string[],
  start: (host: string, port: number) => Promise<T>,
): Promise<T[]> {
  for (let attempt = 0; ; attempt++) {
    const started: T[] = [];
    try {
      for (const host of hosts) started.push(await start(host, started[0]?.port ?? 0));
      return started;
    } catch (err) {
      await Promise.all(started.map((s) => s.close()));
      if (attempt >= 5 || (err as { code?: string }).code !== 'EADDRINUSE') throw err;
    }
  }
}

export { freePort } from './net.js';

/** A target as a user would write it (validated by the real parser), with test-friendly defaults. */
export function testTarget(spec: Record<string, unknown> & { url: string }): Target {
  return parseTarget({ id: 'probe-test', interval: '30s', timeout: '3s', ...spec });
}

/** A probe context for tests: the given resolver, no source address, 1 MiB body cap, private targets allowed (test servers are on 127.0.0.x). */
export function testContext(resolver: DnsResolver, overrides: Partial<ProbeContext> = {}): ProbeContext {
  return {
    agent: 'test-agent',
    region: 'test-region',
    resolver,
    sourceAddress: null,
    ca: null,
    bodyCapBytes: DEFAULT_BODY_CAP_BYTES,
    userAgent: 'crossprobe/test',
    allowPrivateTargets: true,
    ...overrides,
  };
}

/** The failure code of a result, by name (null when ok). */
export function failureOf(result: ProbeResult): FailureCode | null {
  return failureFromWire(result.failure);
}
