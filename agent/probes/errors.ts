import type { FailureCode } from '../../proto/index.js';

/**
 * Where a probe was when it stopped: resolving, opening TCP, in the TLS handshake, waiting for the
 * response headers (the request has been sent), or reading the body.
 */
export type Phase = 'dns' | 'connect' | 'tls' | 'headers' | 'body';

/** The probe's overall deadline (target.timeoutMs) passed; mapped to the timeout of the phase it was in. */
export class ProbeTimeoutError extends Error {
  override readonly name = 'ProbeTimeoutError';
  readonly code = 'ERR_PROBE_TIMEOUT';
}

/** The agent is shutting down (ProbeContext.signal); mapped like a timeout of the phase it was in. */
export class ProbeAbortedError extends Error {
  override readonly name = 'ProbeAbortedError';
  readonly code = 'ERR_PROBE_ABORTED';
}

/**
 * The agent refused to connect to the resolved IP: loopback, link-local, private or reserved, and the
 * agent does not run with --allow-private-targets. Mapped to ADDRESS_BLOCKED.
 */
export class AddressBlockedError extends Error {
  override readonly name = 'AddressBlockedError';
  readonly code = 'ERR_ADDRESS_BLOCKED';
  readonly ip: string;
  constructor(ip: string, kind: string) {
    super(`refused to connect to ${ip}: a ${kind} address; this agent probes such addresses only with --allow-private-targets`);
    this.ip = ip;
  }
}

/** A peer certificate that failed verification; `code` is Node's/OpenSSL's (CERT_HAS_EXPIRED, ...). */
export class TlsCertificateError extends Error {
  override readonly name = 'TlsCertificateError';
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** What a probe stopped by its deadline (or by shutdown) failed with, by phase. */
const TIMEOUT_BY_PHASE: Record<Phase, FailureCode> = {
  dns: 'DNS_TIMEOUT',
  connect: 'CONNECT_TIMEOUT',
  tls: 'TLS_HANDSHAKE',
  headers: 'HEADERS_TIMEOUT',
  body: 'BODY_TIMEOUT',
};

/** An error nobody recognises, by phase. */
const UNKNOWN_BY_PHASE: Record<Phase, FailureCode> = {
  dns: 'DNS_SERVFAIL',
  // EINVAL, EACCES, ENOBUFS...: the connection could not leave this host
  connect: 'NET_UNREACHABLE',
  tls: 'TLS_HANDSHAKE',
  headers: 'CONNECT_RESET',
  body: 'RESET_MID_BODY',
};

const DNS_NXDOMAIN_CODES = new Set(['ENOTFOUND', 'ENODATA']);
const DNS_TIMEOUT_CODES = new Set(['ETIMEOUT']);
/** c-ares codes that only the DNS layer produces: the server answered badly or not usefully. */
const DNS_SERVFAIL_CODES = new Set([
  'ESERVFAIL', 'EREFUSED', 'EFORMERR', 'EBADRESP', 'ENOTIMP', 'EBADQUERY', 'EBADNAME', 'EBADFAMILY',
  'ENONAME', 'EBADHINTS', 'ENOTINITIALIZED', 'ELOADIPHLPAPI', 'EADDRGETNETWORKPARAMS', 'EDESTRUCTION',
  'EFILE', 'EBADSTR', 'EBADFLAGS', 'ECONNREFUSED', 'EOF', 'ENOMEM',
]);

/** Codes that mean "stopped by us", mapped by phase to that phase's timeout. */
const STOPPED_CODES = new Set(['ERR_PROBE_TIMEOUT', 'ERR_PROBE_ABORTED', 'UND_ERR_ABORTED', 'ABORT_ERR', 'ECANCELLED']);

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH']);
const UNREACHABLE_CODES = new Set(['ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL', 'ENETDOWN', 'EHOSTDOWN']);

/** Certificate verification failures (OpenSSL X509_V_ERR_* names as Node reports them, and Node's own). */
const CERT_INVALID_CODES = new Set([
  'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_TLS_CERT_ALTNAME_FORMAT', 'HOSTNAME_MISMATCH',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', 'CERT_SIGNATURE_FAILURE', 'CERT_NOT_YET_VALID', 'CERT_REVOKED',
  'CERT_UNTRUSTED', 'CERT_REJECTED', 'CERT_CHAIN_TOO_LONG', 'INVALID_CA', 'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE', 'ERROR_IN_CERT_NOT_BEFORE_FIELD', 'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'UNABLE_TO_GET_CRL', 'CRL_HAS_EXPIRED', 'CRL_NOT_YET_VALID', 'INVALID_EXTENSION', 'EE_KEY_TOO_SMALL',
  'CA_KEY_TOO_SMALL', 'CA_MD_TOO_WEAK', 'NO_EXPLICIT_POLICY', 'INVALID_NON_CA', 'PROXY_PATH_LENGTH_EXCEEDED',
  'SUBJECT_ISSUER_MISMATCH', 'AKID_SKID_MISMATCH', 'AKID_ISSUER_SERIAL_MISMATCH', 'KEYUSAGE_NO_CERTSIGN',
]);

/** One code, or null: the code says nothing by itself (unknown, or needs another error's code). */
function codeToFailure(code: string, phase: Phase): FailureCode | null {
  if (code === 'ERR_ADDRESS_BLOCKED') return 'ADDRESS_BLOCKED';
  if (STOPPED_CODES.has(code)) return TIMEOUT_BY_PHASE[phase];
  // c-ares shares ECONNREFUSED/ETIMEDOUT-like names with sockets: in the DNS phase every code is the resolver's
  if (phase === 'dns') {
    if (DNS_NXDOMAIN_CODES.has(code)) return 'DNS_NXDOMAIN';
    if (DNS_TIMEOUT_CODES.has(code) || code === 'ETIMEDOUT') return 'DNS_TIMEOUT';
    return DNS_SERVFAIL_CODES.has(code) ? 'DNS_SERVFAIL' : null;
  }
  if (DNS_NXDOMAIN_CODES.has(code)) return 'DNS_NXDOMAIN';
  if (DNS_TIMEOUT_CODES.has(code)) return 'DNS_TIMEOUT';
  if (code === 'ECONNREFUSED') return 'CONNECT_REFUSED';
  if (DNS_SERVFAIL_CODES.has(code)) return 'DNS_SERVFAIL';
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return 'CONNECT_TIMEOUT';
  if (RESET_CODES.has(code)) return phase === 'body' ? 'RESET_MID_BODY' : 'CONNECT_RESET';
  if (UNREACHABLE_CODES.has(code)) return 'NET_UNREACHABLE';
  if (code === 'CERT_HAS_EXPIRED') return 'TLS_CERT_EXPIRED';
  if (CERT_INVALID_CODES.has(code)) return 'TLS_CERT_INVALID';
  if (code === 'EPROTO' || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return 'TLS_HANDSHAKE';
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return 'HEADERS_TIMEOUT';
  if (code === 'UND_ERR_BODY_TIMEOUT') return 'BODY_TIMEOUT';
  return null;
}

interface Found {
  readonly code: FailureCode;
  /** Messages from the outermost error down to the one whose code decided. */
  readonly path: readonly string[];
}

/** Depth-first through `.cause` and `AggregateError.errors`, outermost first: the first known code wins. */
function search(err: unknown, phase: Phase, path: readonly string[], seen: Set<unknown>): Found | null {
  if (err === null || typeof err !== 'object' || seen.has(err)) return null;
  seen.add(err);
  const here = [...path, messageOf(err)];
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    const failure = codeToFailure(code, phase);
    if (failure !== null) return { code: failure, path: here };
  }
  // OpenSSL errors that carry no code of their own ("SSL routines" library)
  const library = (err as { library?: unknown }).library;
  if (typeof library === 'string' && /SSL/i.test(library) && phase !== 'dns') return { code: 'TLS_HANDSHAKE', path: here };
  if ((err as { name?: unknown }).name === 'AbortError') return { code: TIMEOUT_BY_PHASE[phase], path: here };
  const cause = (err as { cause?: unknown }).cause;
  const found = search(cause, phase, here, seen);
  if (found) return found;
  if (err instanceof AggregateError) {
    for (const inner of err.errors as unknown[]) {
      const f = search(inner, phase, here, seen);
      if (f) return f;
    }
  }
  return null;
}

function messageOf(err: object): string {
  if (err instanceof AggregateError && !err.message) {
    return (err.errors as unknown[]).map((e) => (e !== null && typeof e === 'object' ? messageOf(e) : String(e))).join('; ');
  }
  const message = (err as { message?: unknown }).message;
  return typeof message === 'string' ? message : String(err);
}

function causeMessages(err: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  for (let e = err; e !== undefined && e !== null && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    if (typeof e !== 'object') {
      out.push(String(e));
      break;
    }
    out.push(messageOf(e));
  }
  return out;
}

function detailOf(messages: readonly string[]): string {
  const kept: string[] = [];
  for (const m of messages) {
    const t = m.trim();
    if (t && !kept.some((k) => k.includes(t))) kept.push(t);
  }
  return kept.join(': ');
}

/**
 * Maps any error a probe can meet to a stable failure code, from the error's code (undici `UND_ERR_*`,
 * Node `E*`, c-ares, TLS/OpenSSL) found by walking `.cause` chains and `AggregateError.errors`, outermost
 * first; a code that says nothing falls back to what `phase` implies. `detail` is the raw message.
 */
export function toFailureCode(err: unknown, phase: Phase): { code: FailureCode; detail: string } {
  const found = search(err, phase, [], new Set());
  if (found) return { code: found.code, detail: detailOf(found.path) };
  return { code: UNKNOWN_BY_PHASE[phase], detail: detailOf(causeMessages(err)) };
}
