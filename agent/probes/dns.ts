import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';

/** One address DNS gave for a name. */
export interface ResolvedAddress {
  readonly ip: string;
  readonly family: 4 | 6;
}

export interface Resolution {
  /** A records first, then AAAA (in ipFamilies order), duplicates removed. */
  readonly addresses: readonly ResolvedAddress[];
  /** How long resolving took; 0 for IP literals and `localhost`, which skip DNS. */
  readonly ms: number;
}

export interface ResolveOptions {
  readonly families: readonly (4 | 6)[];
  /** Deadline for the whole resolution (both families). */
  readonly timeoutMs: number;
  /** Aborting cancels the queries and rejects with a DnsError coded ECANCELLED. */
  readonly signal?: AbortSignal;
}

export interface DnsResolverOptions {
  /** "host:port" ("[v6]:port" for IPv6), or null to use the system's resolv.conf servers. */
  readonly server: string | null;
  /** Timeout of one query attempt (c-ares `timeout`); the overall deadline is ResolveOptions.timeoutMs. Default 2000. */
  readonly timeoutMs?: number;
  /** Attempts per query (c-ares `tries`). Default 2. */
  readonly tries?: number;
  /** Local address the queries leave from (lets a lab DNS server answer per client). null: OS default. */
  readonly localAddress?: string | null;
}

/**
 * A failed resolution. `code` is c-ares': ENOTFOUND (NXDOMAIN), ENODATA (no record of the family),
 * ESERVFAIL, EREFUSED, ETIMEOUT, ECONNREFUSED (no server), ECANCELLED (aborted), ...; `cause` holds the
 * per-family errors.
 */
export class DnsError extends Error {
  override readonly name = 'DnsError';
  readonly code: string;
  readonly hostname: string;
  constructor(code: string, hostname: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.hostname = hostname;
  }
}

/** Which code describes a failure of both families best: a broken server beats silence beats "no such name". */
function rank(code: string): number {
  if (code === 'ENOTFOUND' || code === 'ENODATA') return 0;
  if (code === 'ETIMEOUT' || code === 'ECANCELLED') return 1;
  return 2;
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EUNKNOWN';
}

/**
 * The agent's own resolver: A and AAAA queried concurrently against a configured server (c-ares, so the
 * server may carry a port), timed. IP literals and `localhost` are answered without DNS.
 */
export class DnsResolver {
  readonly #server: string | null;
  readonly #attemptTimeoutMs: number;
  readonly #tries: number;
  readonly #localAddress: string | null;

  constructor(opts: DnsResolverOptions) {
    // fail fast on a bad --dns-server: c-ares validates it here (throws ERR_INVALID_IP_ADDRESS)
    if (opts.server !== null) new Resolver().setServers([opts.server]);
    this.#server = opts.server;
    this.#attemptTimeoutMs = opts.timeoutMs ?? 2000;
    this.#tries = opts.tries ?? 2;
    this.#localAddress = opts.localAddress ?? null;
  }

  /** Resolves `hostname` (URL hostname; IPv6 brackets allowed). Rejects with a DnsError. */
  async resolve(hostname: string, opts: ResolveOptions): Promise<Resolution> {
    const name = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
    const literal = isIP(name);
    if (literal === 4 || literal === 6) return { addresses: [{ ip: name, family: literal }], ms: 0 };
    if (name.toLowerCase() === 'localhost' || name.toLowerCase() === 'localhost.') {
      const addresses = opts.families.map((f): ResolvedAddress => (f === 4 ? { ip: '127.0.0.1', family: 4 } : { ip: '::1', family: 6 }));
      return { addresses, ms: 0 };
    }
    if (opts.signal?.aborted) throw new DnsError('ECANCELLED', name, `DNS lookup of ${name} cancelled: probe aborted`);

    const started = performance.now();
    // One c-ares channel per resolution: cancel() on the deadline must not hit other probes' queries.
    const resolver = new Resolver({ timeout: Math.max(1, Math.min(this.#attemptTimeoutMs, opts.timeoutMs)), tries: this.#tries });
    if (this.#server !== null) resolver.setServers([this.#server]);
    if (this.#localAddress !== null) {
      if (isIP(this.#localAddress) === 6) resolver.setLocalAddress('0.0.0.0', this.#localAddress);
      else resolver.setLocalAddress(this.#localAddress);
    }

    let stopped: DnsError | null = null;
    const stop = (err: DnsError): void => {
      stopped ??= err;
      resolver.cancel();
    };
    const timer = setTimeout(
      () => stop(new DnsError('ETIMEOUT', name, `DNS lookup of ${name} timed out after ${opts.timeoutMs}ms`)),
      opts.timeoutMs,
    );
    const onAbort = (): void => stop(new DnsError('ECANCELLED', name, `DNS lookup of ${name} cancelled: probe aborted`));
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    try {
      const queries = opts.families.map((family) =>
        (family === 4 ? resolver.resolve4(name) : resolver.resolve6(name)).then((ips) => ips.map((ip): ResolvedAddress => ({ ip, family }))),
      );
      const settled = await Promise.allSettled(queries);
      const ms = performance.now() - started;
      if (stopped) throw stopped;
      const addresses: ResolvedAddress[] = [];
      const errors: unknown[] = [];
      for (const s of settled) {
        if (s.status === 'fulfilled') {
          for (const a of s.value) if (!addresses.some((x) => x.ip === a.ip)) addresses.push(a);
        } else {
          errors.push(s.reason);
        }
      }
      // one family answering is enough; the other's failure does not fail the probe
      if (addresses.length > 0) return { addresses, ms };
      if (errors.length === 0) throw new DnsError('ENODATA', name, `DNS lookup of ${name} returned no addresses`);
      const worst = errors.reduce((a, b) => (rank(codeOf(b)) > rank(codeOf(a)) ? b : a));
      const code = codeOf(worst);
      const message = errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ');
      throw new DnsError(code, name, message, { cause: errors.length === 1 ? errors[0] : new AggregateError(errors, message) });
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }
}
