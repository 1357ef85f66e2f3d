import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { Type } from '@sinclair/typebox';
import { credsAuthenticator, nkeyAuthenticator, nkeys, type Authenticator, type ConnectionOptions } from 'nats';
import { assertId } from './subjects.js';
import { ConfigError } from './validate.js';

/**
 * How agent and collector reach NATS: servers, TLS and who they are. Both binaries spread
 * `NATS_ACCESS_PROPERTIES` into their config schema, turn what the operator gave into a `NatsAccess`
 * with `loadNatsAccess` while parsing their configuration (unreadable or malformed files are config
 * errors at start), and build their connection options with `natsConnectOptions`.
 */

const File = (description: string) => Type.Optional(Type.String({ minLength: 1, description }));

/** Config keys shared by `crossprobe agent` and `crossprobe collector` (flags --nats-ca, --nats-nkey, ...). */
export const NATS_ACCESS_PROPERTIES = {
  natsCa: File('CA certificate (PEM) the NATS server\'s certificate must chain to; TLS is then required'),
  natsCert: File('client certificate (PEM) for mutual TLS with NATS; needs --nats-key'),
  natsKey: File('private key (PEM) of --nats-cert'),
  natsNkey: File('file holding this NATS user\'s nkey seed (SU...), as written by crossprobe enroll'),
  natsCreds: File('NATS credentials file (user JWT + seed) for an operator-mode server; instead of --nats-nkey'),
};

/** The raw values of those keys, as the config loader hands them over. */
export interface NatsAccessInput {
  readonly natsCa?: string;
  readonly natsCert?: string;
  readonly natsKey?: string;
  readonly natsNkey?: string;
  readonly natsCreds?: string;
}

/** Who a connection authenticates as: an nkey seed file, or a credentials file. The secret lives only inside `authenticator`. */
export interface NatsIdentity {
  readonly kind: 'nkey' | 'creds';
  readonly file: string;
  /** The user's public key (U...), for logs. */
  readonly publicKey: string;
  readonly authenticator: Authenticator;
}

/** TLS and authentication towards NATS, loaded and checked; frozen. */
export interface NatsAccess {
  /** True: a server without TLS is refused, never a silent downgrade. */
  readonly tlsRequired: boolean;
  /** PEM of the CA (--nats-ca); null: the system's trusted CAs. */
  readonly ca: string | null;
  /** PEM of the client certificate and its key (mutual TLS); both or neither. */
  readonly cert: string | null;
  readonly key: string | null;
  readonly identity: NatsIdentity | null;
}

/** A connection's servers, TLS and authenticator: the part of nats.js ConnectionOptions crossprobe sets from configuration. */
export type NatsConnectOptions = Pick<ConnectionOptions, 'servers' | 'tls' | 'authenticator'>;

const flag = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
const env = (key: string) => `CROSSPROBE_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
const where = (key: keyof NatsAccessInput) => `${key} (${flag(key)}, ${env(key)})`;

function readText(key: keyof NatsAccessInput, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${where(key)}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, key);
  }
}

function pem(key: keyof NatsAccessInput, file: string, kind: RegExp, what: string): string {
  const text = readText(key, file);
  if (!kind.test(text)) throw new ConfigError(`${where(key)}: ${file} holds no PEM ${what}`, key);
  return text;
}

interface KeyPair {
  getPublicKey(): string;
}
const fromSeed = nkeys.fromSeed as (seed: Uint8Array) => KeyPair;

/** The public key (U...) of a user seed, or null when `seed` is not one. */
export function userPublicKey(seed: string): string | null {
  if (!/^SU[A-Z2-7]{56}$/.test(seed)) return null;
  try {
    return fromSeed(new TextEncoder().encode(seed)).getPublicKey();
  } catch {
    return null;
  }
}

const CREDS_BLOCK = /-{3,}[^\n]*-{3,}\r?\n\s*([\w\-.=]+)\s*\r?\n\s*-{3,}[^\n]*-{3,}/g;

function loadIdentity(c: NatsAccessInput): NatsIdentity | null {
  if (c.natsNkey !== undefined && c.natsCreds !== undefined) {
    throw new ConfigError(`${where('natsNkey')}: give either an nkey seed file or a credentials file (--nats-creds), not both`, 'natsNkey');
  }
  if (c.natsNkey !== undefined) {
    const file = c.natsNkey;
    // the file may carry comments (crossprobe enroll writes none, operators might): the seed is the SU... line
    const seed = readText('natsNkey', file).split(/\r?\n/).map((l) => l.trim()).find((l) => l.startsWith('S'));
    const publicKey = seed === undefined ? null : userPublicKey(seed);
    if (seed === undefined || publicKey === null) {
      throw new ConfigError(`${where('natsNkey')}: ${file} holds no NATS user nkey seed (a line of 58 characters starting with SU)`, 'natsNkey');
    }
    const bytes = new TextEncoder().encode(seed);
    return Object.freeze({ kind: 'nkey', file, publicKey, authenticator: nkeyAuthenticator(bytes) });
  }
  if (c.natsCreds !== undefined) {
    const file = c.natsCreds;
    const text = readText('natsCreds', file);
    const blocks = [...text.matchAll(CREDS_BLOCK)].map((m) => m[1]!);
    const publicKey = blocks[1] === undefined ? null : userPublicKey(blocks[1]);
    if (blocks.length < 2 || publicKey === null) {
      throw new ConfigError(`${where('natsCreds')}: ${file} is not a NATS credentials file (a user JWT block, then a user nkey seed block)`, 'natsCreds');
    }
    return Object.freeze({ kind: 'creds', file, publicKey, authenticator: credsAuthenticator(new TextEncoder().encode(text)) });
  }
  return null;
}

/**
 * Reads and checks the TLS and credential files named in `c`; throws a ConfigError naming the key
 * (flag and environment variable) for a file that is missing, unreadable or not what it should be.
 * `servers` are the configured URLs: a `tls://` one makes TLS required even without --nats-ca.
 * Null when none of the keys was given and no URL is tls://: a plain connection without credentials.
 */
export function loadNatsAccess(c: NatsAccessInput, servers: readonly string[]): NatsAccess | null {
  const tlsUrl = servers.some((s) => s.startsWith('tls://'));
  if (!tlsUrl && [c.natsCa, c.natsCert, c.natsKey, c.natsNkey, c.natsCreds].every((v) => v === undefined)) return null;
  if ((c.natsCert === undefined) !== (c.natsKey === undefined)) {
    const [have, lack] = c.natsCert === undefined ? (['natsKey', 'natsCert'] as const) : (['natsCert', 'natsKey'] as const);
    throw new ConfigError(`${where(have)}: mutual TLS needs ${flag(lack)} too`, have);
  }
  const ca = c.natsCa === undefined ? null : pem('natsCa', c.natsCa, /-----BEGIN CERTIFICATE-----/, 'certificate');
  const cert = c.natsCert === undefined ? null : pem('natsCert', c.natsCert, /-----BEGIN CERTIFICATE-----/, 'certificate');
  const key = c.natsKey === undefined ? null : pem('natsKey', c.natsKey, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'private key');
  return Object.freeze({
    tlsRequired: ca !== null || cert !== null || tlsUrl,
    ca,
    cert,
    key,
    identity: loadIdentity(c),
  });
}

/**
 * The ONE place connection options are built, for agent and collector alike: servers, TLS (required
 * when a CA, a client certificate or a tls:// URL was given; otherwise used when the server offers
 * it) and the authenticator. `access` absent: plain connection, no credentials (a lab or dev server).
 */
export function natsConnectOptions(servers: readonly string[], access: NatsAccess | null | undefined): NatsConnectOptions {
  const opts: NatsConnectOptions = { servers: [...servers] };
  if (!access) return opts;
  if (access.tlsRequired) {
    opts.tls = {
      ...(access.ca !== null ? { ca: access.ca } : {}),
      ...(access.cert !== null ? { cert: access.cert } : {}),
      ...(access.key !== null ? { key: access.key } : {}),
    };
    const ips = servers.map(hostOf).filter((h) => isIP(h) !== 0);
    if (ips.length > 0) {
      // nats.js gives a server named by its IP address no TLS server name, and Node then checks the
      // certificate against "localhost": check it against the addresses the operator gave instead
      // (nats.js passes extra tls options through to tls.connect).
      Object.assign(opts.tls, {
        checkServerIdentity: (host: string, cert: PeerCertificate): Error | undefined => {
          const err = checkServerIdentity(host, cert);
          if (!err || host !== 'localhost') return err;
          return ips.some((ip) => checkServerIdentity(ip, cert) === undefined) ? undefined : err;
        },
      });
    }
  }
  if (access.identity) opts.authenticator = access.identity.authenticator;
  return opts;
}

/** The host of a NATS URL (tls://h:4222, h:4222, [::1]:4222). */
function hostOf(server: string): string {
  const hostPort = server.replace(/^[a-z]+:\/\//, '').replace(/^[^@]*@/, '').replace(/\/.*$/, '');
  const v6 = /^\[([^\]]+)\]/.exec(hostPort);
  return v6 ? v6[1]! : hostPort.replace(/:\d+$/, '');
}

/** What to log about a connection's security: never a secret. */
export function describeNatsAccess(access: NatsAccess | null | undefined): { tls: 'required' | 'if offered'; user: string | null } {
  return { tls: access?.tlsRequired ? 'required' : 'if offered', user: access?.identity ? `${access.identity.kind} ${access.identity.publicKey}` : null };
}

/**
 * An agent's reply subjects live under its own prefix, so its NATS user may subscribe to its own
 * replies (JetStream acks, KV watch deliveries) and nobody else's.
 */
export function agentInboxPrefix(region: string, agent: string): string {
  return `_INBOX.crossprobe.${assertId('region', region)}.${assertId('agent', agent)}`;
}

/** The collector's reply subjects (one prefix shared by every collector process). */
export const COLLECTOR_INBOX_PREFIX = '_INBOX.crossprobe-collector';
