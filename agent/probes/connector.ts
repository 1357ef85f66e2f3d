import type { LookupFunction, Socket } from 'node:net';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { TLSSocket, checkServerIdentity, createSecureContext, rootCertificates, type PeerCertificate, type SecureContext } from 'node:tls';
import type { buildConnector as BuildConnector } from 'undici';
import { buildConnector } from './undici.js';
import { blockedAddressKind } from '../../proto/index.js';
import { AddressBlockedError, TlsCertificateError } from './errors.js';

/** What the connector saw of the one connection it opened; performance.now() times, null = not reached. */
export interface ConnectionTrace {
  /** The connector was asked for a connection (TCP connect starts). */
  connectStartAt: number | null;
  /** TCP connected. */
  tcpConnectedAt: number | null;
  /** TLS handshake done and the certificate accepted (https only). */
  tlsDoneAt: number | null;
  /** The socket was handed to undici, which writes the request right away. */
  readyAt: number | null;
  /** The socket's local address, read as soon as TCP connected. */
  localAddress: string | null;
  /** notAfter of the peer's certificate, also when verification rejected it. */
  certNotAfterMs: number | null;
  socket: Socket | null;
}

export interface PinnedConnectorOptions {
  /** The resolved IP every connection goes to, whatever the URL's hostname. */
  readonly ip: string;
  readonly family: 4 | 6;
  /** Local address to bind; only used for an IP of the same family (else the OS chooses). */
  readonly sourceAddress: string | null;
  /** Extra trusted CA PEMs on top of Node's root store; null: the root store only. */
  readonly ca: readonly string[] | null;
  /**
   * Connect to loopback, link-local, private and reserved IPs too (--allow-private-targets). Off: such
   * an `ip` fails the connection with AddressBlockedError before any packet is sent.
   */
  readonly allowPrivate: boolean;
  /** undici's own connect timeout: a backstop behind the probe's deadline. */
  readonly timeoutMs: number;
  /** TCP connected (for https, the handshake starts now). */
  readonly onTcpConnect?: () => void;
  /** The connection is ready (TCP, and TLS with an accepted certificate): undici writes the request now. */
  readonly onReady?: () => void;
}

export interface PinnedConnector {
  readonly connect: BuildConnector.connector;
  readonly trace: ConnectionTrace;
  /**
   * Destroys the connection, whatever state it is in (deadline, shutdown, done). With `reason`, a
   * connection still being opened fails with it: undici only hears of a failed connect through 'error'.
   */
  destroy(reason?: Error): void;
}

const contexts = new Map<string, SecureContext>();

/**
 * A TLS context trusting Node's root store plus `ca`, built once per CA set: parsing ~150 root PEMs per
 * probe would cost more than a handshake.
 */
export function trustContext(ca: readonly string[] | null): SecureContext | null {
  if (ca === null || ca.length === 0) return null;
  const key = ca.join('\n');
  let ctx = contexts.get(key);
  if (!ctx) {
    ctx = createSecureContext({ ca: [...rootCertificates, ...ca] });
    contexts.set(key, ctx);
  }
  return ctx;
}

function notAfterOf(cert: PeerCertificate | null | undefined): number | null {
  if (!cert || typeof cert.valid_to !== 'string') return null;
  const ms = Date.parse(cert.valid_to);
  return Number.isFinite(ms) ? ms : null;
}

/** Node's own error for a rejected certificate, rebuilt: with rejectUnauthorized off only its code survives. */
function certificateError(socket: TLSSocket, checkedName: string, cert: PeerCertificate | null): Error {
  const reason: unknown = socket.authorizationError;
  const code = reason instanceof Error ? ((reason as { code?: string }).code ?? reason.message) : String(reason);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' && cert) {
    const err = checkServerIdentity(checkedName, cert);
    if (err) return err;
  }
  const subject = cert?.subject?.CN ?? '?';
  const issuer = cert?.issuer?.CN ?? '?';
  const valid = cert ? `, valid ${cert.valid_from} to ${cert.valid_to}` : '';
  return new TlsCertificateError(code, `certificate of ${checkedName} rejected: ${code} (subject CN=${subject}, issuer CN=${issuer}${valid})`);
}

/**
 * An undici connector that opens exactly one fresh connection to a pinned IP: the URL's hostname still
 * drives the Host header, SNI and the certificate name check, but its lookup answers with `ip`. Wraps
 * undici's buildConnector (which passes these options into net/tls.connect) with no TLS session cache,
 * so every probe pays a full handshake, and records when TCP and TLS completed.
 */
export function pinnedConnector(opts: PinnedConnectorOptions): PinnedConnector {
  const trace: ConnectionTrace = {
    connectStartAt: null,
    tcpConnectedAt: null,
    tlsDoneAt: null,
    readyAt: null,
    localAddress: null,
    certNotAfterMs: null,
    socket: null,
  };
  const lookup: LookupFunction = (_hostname, options, callback) => {
    // net calls lookup with all: true when autoSelectFamily is on (Node 20's default)
    if (options.all) (callback as (err: null, addresses: { address: string; family: number }[]) => void)(null, [{ address: opts.ip, family: opts.family }]);
    else callback(null, opts.ip, opts.family);
  };
  const secureContext = trustContext(opts.ca);
  const inner = buildConnector({
    maxCachedSessions: 0,
    timeout: opts.timeoutMs,
    lookup,
    autoSelectFamily: false,
    // verified below, before undici may write the request: Node then still reports why it rejects the
    // certificate (socket.authorizationError), and the certificate stays readable for its expiry
    rejectUnauthorized: false,
    ...(secureContext ? { secureContext } : {}),
  });
  const localAddress = opts.sourceAddress !== null && isIP(opts.sourceAddress) === opts.family ? opts.sourceAddress : undefined;
  let destroyed = false;

  // the one place a probe's connection is opened, on the IP it goes to: checked here, a name that
  // resolves to a private address is refused the same as a literal one
  const blockedKind = opts.allowPrivate ? null : blockedAddressKind(opts.ip);
  const connect: BuildConnector.connector = (options, callback) => {
    if (blockedKind !== null) {
      callback(new AddressBlockedError(opts.ip, blockedKind), null);
      return;
    }
    trace.connectStartAt = performance.now();
    const checkedName = options.servername || (options.hostname.startsWith('[') ? options.hostname.slice(1, -1) : options.hostname);
    const socket = inner({ ...options, localAddress: localAddress ?? null }, (err, sock) => {
      if (err || !sock) {
        if (socket instanceof TLSSocket && trace.certNotAfterMs === null) trace.certNotAfterMs = notAfterOf(socket.getPeerCertificate());
        callback(err ?? new Error('connector returned no socket'), null);
        return;
      }
      if (sock instanceof TLSSocket) {
        const cert = sock.getPeerCertificate();
        trace.certNotAfterMs = notAfterOf(cert);
        if (!sock.authorized) {
          const rejection = certificateError(sock, checkedName, cert && Object.keys(cert).length > 0 ? cert : null);
          sock.destroy();
          callback(rejection, null);
          return;
        }
        trace.tlsDoneAt = performance.now();
      }
      trace.readyAt = performance.now();
      opts.onReady?.();
      callback(null, sock);
    }) as unknown as Socket | undefined; // connect.js returns the socket, though its type says void
    if (!socket) return;
    trace.socket = socket;
    if (destroyed) socket.destroy(new Error('connection cancelled before it opened'));
    // prepended: undici's own 'connect' listener hands the socket over and writes the request at once
    socket.prependOnceListener('connect', () => {
      trace.tcpConnectedAt = performance.now();
      trace.localAddress = socket.localAddress ?? null;
      opts.onTcpConnect?.();
    });
  };

  return {
    connect,
    trace,
    destroy(reason?: Error) {
      destroyed = true;
      trace.socket?.destroy(reason);
    },
  };
}
