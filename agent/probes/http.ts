import { performance } from 'node:perf_hooks';
import { Client } from './undici.js';
import type { RE2JS } from 're2js';
import { pb, compileIdentityPattern, failureToWire, provenanceToWire, resultId, type FailureCode, type ProbeResult, type Target, type Phases } from '../../proto/index.js';
import { pinnedConnector, type ConnectionTrace } from './connector.js';
import { DnsResolver, type ResolvedAddress } from './dns.js';
import { ProbeAbortedError, ProbeTimeoutError, toFailureCode, type Phase } from './errors.js';
import { detectProvenance } from './provenance.js';

/** The reason a client is destroyed after a complete exchange (shared: see probeAddress' finally). */
const EXCHANGE_COMPLETE = Object.assign(new Error('probe exchange complete'), { name: 'ExchangeComplete' });

/** What a probe needs from the agent around it. */
export interface ProbeContext {
  readonly agent: string;
  readonly region: string;
  readonly resolver: DnsResolver;
  /** Bind outgoing connections to this local address (e.g. 127.0.1.3); null: the OS chooses. */
  readonly sourceAddress: string | null;
  /** Extra trusted CA PEMs, added to Node's root store; null: the root store only. */
  readonly ca: readonly string[] | null;
  /** Body bytes read at most; the rest is not downloaded (DEFAULT_BODY_CAP_BYTES). */
  readonly bodyCapBytes: number;
  /** e.g. "crossprobe/0.1.0". */
  readonly userAgent: string;
  /** Shutdown: aborts in-flight probes; each still returns a result, failed with its phase's code. */
  readonly signal?: AbortSignal;
  /** Address families resolved and probed. Default [4, 6]. */
  readonly ipFamilies?: readonly (4 | 6)[];
  /**
   * Probe loopback, link-local, private and reserved IPs too (--allow-private-targets). Default false:
   * such an IP gets a result failed with ADDRESS_BLOCKED, without a packet sent to it.
   */
  readonly allowPrivateTargets?: boolean;
  /** IPs probed per round at most with resolveAll (--max-ips-per-round); the rest are skipped. Default DEFAULT_MAX_IPS_PER_ROUND. */
  readonly maxIpsPerRound?: number;
  /** Told how many resolved IPs a round left unprobed (past maxIpsPerRound). */
  readonly onIpsSkipped?: (target: Target, skipped: number, resolved: number) => void;
}

/** IPs probed per round at most: a name answering with hundreds of records must not fan one round out into hundreds of connections. */
export const DEFAULT_MAX_IPS_PER_ROUND = 16;
/** Header value length an identity pattern is run on at most (the rest is cut before matching). */
export const IDENTITY_VALUE_MAX_CHARS = 1024;

export const DEFAULT_BODY_CAP_BYTES = 1024 * 1024;

/** Response headers recorded in every result (plus each identity rule's header). */
export const RECORDED_HEADERS = ['server', 'via', 'cf-ray', 'x-amz-cf-pop', 'x-served-by', 'x-cache'] as const;

/** How much of the body provenance detection sees. */
const PROVENANCE_PREFIX_BYTES = 8 * 1024;
/** undici's own timeouts stay behind the probe's deadline, as a backstop only. */
const BACKSTOP_MS = 1000;

/** Where one probe stands; everything the result is built from. */
interface ProbeState {
  phase: Phase;
  failure: { code: FailureCode; detail: string } | null;
  /** The deadline or shutdown stopped the probe: its code wins over whatever error the abort caused. */
  stoppedBy: Error | null;
  /** The phase the probe was in when stopped (what a timeout is named after). */
  stoppedIn: Phase | null;
  status: number | null;
  responseHeaders: Record<string, string>;
  headersAt: number | null;
  bodyDoneAt: number | null;
  bodyBytes: number;
  bodyTruncated: boolean;
  bodyMatch: number;
  bodyPrefix: Buffer;
}

/** A round's facts shared by every IP's result. */
interface Round {
  readonly target: Target;
  readonly ctx: ProbeContext;
  readonly roundAtMs: number;
  readonly startedAtMs: number;
  /** performance.now() when the probe (DNS included) started. */
  readonly t0: number;
  readonly deadlineAt: number;
  readonly dnsMs: number | null;
  readonly ipsInRound: number;
}

/**
 * Probes a target once: resolves DNS, then one request per resolved IP (all A+AAAA when
 * target.resolveAll, else the first), concurrently, each over its own fresh connection. Never throws for
 * a target failure: every failure is a result with a failure code. One result per IP; one result when
 * DNS fails. Every result of a round shares startedAtMs and carries ipsInRound = the number of IPs
 * probed in the round (all DNS returned with resolveAll, else 1; 0 when DNS failed). Throws only for
 * bugs and bad configuration.
 */
export async function probeTarget(target: Target, roundAtMs: number, ctx: ProbeContext): Promise<ProbeResult[]> {
  const t0 = performance.now();
  const startedAtMs = Date.now();
  const url = new URL(target.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`probeTarget: not an http(s) URL: ${target.url}`);
  const families = ctx.ipFamilies ?? [4, 6];
  const base = { target, ctx, roundAtMs, startedAtMs, t0, deadlineAt: t0 + target.timeoutMs };

  let addresses: readonly ResolvedAddress[];
  let dnsMs: number;
  try {
    const res = await ctx.resolver.resolve(url.hostname, {
      families,
      timeoutMs: target.timeoutMs,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    addresses = res.addresses;
    dnsMs = res.ms;
  } catch (err) {
    if (isProgrammingError(err)) throw err;
    const round: Round = { ...base, dnsMs: null, ipsInRound: 0 };
    return [buildResult(round, resultId(startedAtMs), null, newState('dns', toFailureCode(err, 'dns')), null, performance.now())];
  }

  const limit = target.resolveAll ? (ctx.maxIpsPerRound ?? DEFAULT_MAX_IPS_PER_ROUND) : 1;
  const chosen = addresses.length > limit ? addresses.slice(0, limit) : addresses;
  if (target.resolveAll && chosen.length < addresses.length) ctx.onIpsSkipped?.(target, addresses.length - chosen.length, addresses.length);
  const round: Round = { ...base, dnsMs, ipsInRound: chosen.length };
  return Promise.all(chosen.map((address) => probeAddress(round, url, address)));
}

function newState(phase: Phase, failure: { code: FailureCode; detail: string } | null = null): ProbeState {
  return {
    phase,
    failure,
    stoppedBy: null,
    stoppedIn: null,
    status: null,
    responseHeaders: {},
    headersAt: null,
    bodyDoneAt: null,
    bodyBytes: 0,
    bodyTruncated: false,
    bodyMatch: pb.BodyMatch.BODY_MATCH_UNSPECIFIED,
    bodyPrefix: Buffer.alloc(0),
  };
}

/** One request to one IP, over a connection opened for it alone. */
async function probeAddress(round: Round, url: URL, address: ResolvedAddress): Promise<ProbeResult> {
  const { target, ctx } = round;
  const id = resultId(round.startedAtMs);
  const state = newState('connect');
  const remaining = Math.max(0, round.deadlineAt - performance.now());
  const backstop = Math.ceil(remaining) + BACKSTOP_MS;
  const connector = pinnedConnector({
    ip: address.ip,
    family: address.family,
    sourceAddress: ctx.sourceAddress,
    ca: ctx.ca,
    allowPrivate: ctx.allowPrivateTargets ?? false,
    timeoutMs: backstop,
    onTcpConnect: () => {
      if (state.phase === 'connect') state.phase = url.protocol === 'https:' ? 'tls' : 'headers';
    },
    onReady: () => {
      if (state.phase === 'connect' || state.phase === 'tls') state.phase = 'headers';
    },
  });
  const client = new Client(url.origin, {
    connect: connector.connect,
    pipelining: 1,
    headersTimeout: backstop,
    bodyTimeout: backstop,
  });
  const stop = (reason: Error): void => {
    if (state.stoppedBy || state.bodyDoneAt !== null) return;
    state.stoppedBy = reason;
    state.stoppedIn = state.phase;
    // the client fails its request with the reason; a request still waiting for its connection only
    // settles when the connect fails, hence the connector too
    connector.destroy(reason);
    client.destroy(reason).catch(() => undefined);
  };
  const timer = setTimeout(() => stop(new ProbeTimeoutError(`no ${state.phase === 'body' ? 'complete body' : 'progress'} within the ${target.timeoutMs}ms timeout (phase ${state.phase})`)), remaining);
  const onShutdown = (): void => stop(new ProbeAbortedError(`probe aborted by shutdown (phase ${state.phase})`));
  if (ctx.signal?.aborted) onShutdown();
  else ctx.signal?.addEventListener('abort', onShutdown, { once: true });

  try {
    await exchange(client, {
      path: `${url.pathname}${url.search}`,
      method: target.method,
      headers: { 'user-agent': ctx.userAgent, ...target.headers, 'crossprobe-probe-id': id },
    }, state, ctx.bodyCapBytes, target.bodyContains);
    judge(state, target);
  } catch (err) {
    if (isProgrammingError(err)) throw err;
    state.failure = toFailureCode(state.stoppedBy ?? err, state.stoppedIn ?? state.phase);
    if (state.stoppedBy && err instanceof Error && err !== state.stoppedBy && err.message) {
      state.failure = { ...state.failure, detail: `${state.failure.detail} (${err.message})` };
    }
  } finally {
    clearTimeout(timer);
    ctx.signal?.removeEventListener('abort', onShutdown);
    if (state.bodyDoneAt !== null && !state.stoppedBy) {
      // The exchange is over. Without a reason, undici's close() and destroy() both build a
      // ClientDestroyedError, stack capture and all (~9% of a probe's CPU); nothing is in flight to
      // fail, so one shared reason ends the connection the same way for free.
      await client.destroy(EXCHANGE_COMPLETE).catch(() => undefined);
    } else {
      connector.destroy();
      await client.destroy().catch(() => undefined);
    }
  }
  return buildResult(round, id, address, state, connector.trace, performance.now());
}

/** Bugs and bad configuration (e.g. a header value undici refuses): thrown, never turned into a result. */
function isProgrammingError(err: unknown): boolean {
  if (err instanceof ReferenceError || err instanceof SyntaxError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'UND_ERR_INVALID_ARG') return true;
  return (err instanceof TypeError || err instanceof RangeError) && typeof code !== 'string';
}

/**
 * One request on the probe's own client, through undici's dispatcher interface: the handler sees the
 * headers and each body chunk as they arrive, with no response stream, async resource or abort signal
 * in between (a probe's timer and shutdown end it by destroying the client). Reads the body up to the
 * cap, keeping what the body check and provenance need; resolves once the body is read (or cut at the
 * cap), rejects with what ended the exchange otherwise.
 */
function exchange(
  client: Client,
  opts: { readonly path: string; readonly method: string; readonly headers: Record<string, string> },
  state: ProbeState,
  cap: number,
  bodyContains: string | null,
): Promise<void> {
  const kept: Buffer[] = [];
  let keptBytes = 0;
  const keepLimit = bodyContains !== null ? cap : PROVENANCE_PREFIX_BYTES;
  return new Promise((resolve, reject) => {
    let settled = false;
    const bodyEnded = (): void => {
      state.bodyPrefix = Buffer.concat(kept).subarray(0, PROVENANCE_PREFIX_BYTES);
      state.bodyDoneAt = performance.now();
      if (bodyContains !== null) {
        const read = Buffer.concat(kept);
        state.bodyMatch = read.includes(Buffer.from(bodyContains, 'utf8')) ? pb.BodyMatch.BODY_MATCH_MATCHED : pb.BodyMatch.BODY_MATCH_MISMATCHED;
      }
      settled = true;
      resolve();
    };
    client.dispatch(opts, {
      onConnect: () => undefined,
      onHeaders: (statusCode, rawHeaders) => {
        if (statusCode < 200) return true; // 1xx: the response is still to come
        state.headersAt = performance.now();
        state.phase = 'body';
        state.status = statusCode;
        state.responseHeaders = headersOf(rawHeaders);
        return true;
      },
      onData: (raw) => {
        if (settled) return false;
        const room = cap - state.bodyBytes;
        const chunk = raw.length > room ? raw.subarray(0, room) : raw;
        state.bodyBytes += chunk.length;
        if (keptBytes < keepLimit) {
          // a copy: a view would keep undici's whole read buffer (up to 64 KiB) alive per kept slice
          const part = Buffer.from(chunk.subarray(0, keepLimit - keptBytes));
          kept.push(part);
          keptBytes += part.length;
        }
        if (raw.length > room) {
          // past the cap: stop downloading; the connection is thrown away anyway
          state.bodyTruncated = true;
          bodyEnded();
          return false;
        }
        return true;
      },
      onComplete: () => {
        if (!settled) bodyEnded();
      },
      onError: (err) => {
        if (settled) return;
        settled = true;
        // a body that failed midway: provenance still judges what arrived
        state.bodyPrefix = Buffer.concat(kept).subarray(0, PROVENANCE_PREFIX_BYTES);
        reject(err);
      },
    });
  });
}

/** Status check first: a failing status outranks a body mismatch. */
function judge(state: ProbeState, target: Target): void {
  const [min, max] = target.expectStatus;
  if (state.status !== null && (state.status < min || state.status > max)) {
    state.failure = { code: 'HTTP_STATUS', detail: `status ${state.status} not in [${min}, ${max}]` };
  } else if (state.bodyMatch === pb.BodyMatch.BODY_MATCH_MISMATCHED) {
    const where = state.bodyTruncated ? `the first ${state.bodyBytes} bytes` : `the body (${state.bodyBytes} bytes)`;
    state.failure = { code: 'BODY_MISMATCH', detail: `${where} does not contain ${JSON.stringify(target.bodyContains)}` };
  }
}

/** Response headers by lower-case name, repeated ones joined with ", " (latin1, as undici reads them). */
function headersOf(raw: readonly Buffer[]): Record<string, string> {
  // no prototype: a header named __proto__ or constructor is just a header
  const out = Object.create(null) as Record<string, string>;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase();
    const value = raw[i + 1]!.toString('latin1');
    const had = out[name];
    out[name] = had === undefined ? value : `${had}, ${value}`;
  }
  return out;
}

/** Each target's identity patterns, compiled once (a target is frozen: a changed one is a new object). */
const compiledPatterns = new WeakMap<Target, readonly (RE2JS | null)[]>();

function patternsOf(target: Target): readonly (RE2JS | null)[] {
  let compiled = compiledPatterns.get(target);
  if (!compiled) {
    compiled = target.identity.map((r) => (r.pattern === null ? null : compileIdentityPattern(r.pattern)));
    compiledPatterns.set(target, compiled);
  }
  return compiled;
}

/**
 * Each rule's value: the header, or the pattern's first capture group (whole match without a group).
 * Patterns run with RE2 (linear time) on at most IDENTITY_VALUE_MAX_CHARS of the header: a target's
 * pattern is user input run on every agent, and a backtracking engine would let `^(.*)*X$` hang them all.
 */
function identityOf(target: Target, headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  const patterns = target.identity.length > 0 ? patternsOf(target) : [];
  target.identity.forEach((rule, i) => {
    const value = headers[rule.header];
    if (value === undefined) return;
    const re = patterns[i];
    if (!re) {
      out[rule.name] = value;
      return;
    }
    const m = re.matcher(value.length > IDENTITY_VALUE_MAX_CHARS ? value.slice(0, IDENTITY_VALUE_MAX_CHARS) : value);
    if (!m.find()) return;
    const picked = re.groupCount() > 0 ? m.group(1) : m.group(0);
    if (picked !== null) out[rule.name] = picked;
  });
  return out;
}

function buildResult(round: Round, id: string, address: ResolvedAddress | null, state: ProbeState, trace: ConnectionTrace | null, endAt: number): ProbeResult {
  const { target, ctx } = round;
  const phases: Phases = {};
  if (round.dnsMs !== null) phases.dns = round.dnsMs;
  if (trace?.connectStartAt != null && trace.tcpConnectedAt !== null) phases.connect = trace.tcpConnectedAt - trace.connectStartAt;
  if (trace?.tcpConnectedAt != null && trace.tlsDoneAt !== null) phases.tls = trace.tlsDoneAt - trace.tcpConnectedAt;
  if (trace?.readyAt != null && state.headersAt !== null) phases.firstByte = state.headersAt - trace.readyAt;
  if (state.headersAt !== null && state.bodyDoneAt !== null) phases.download = state.bodyDoneAt - state.headersAt;
  phases.total = endAt - round.t0;

  const headers: Record<string, string> = {};
  for (const name of [...RECORDED_HEADERS, ...target.identity.map((r) => r.header)]) {
    const v = state.responseHeaders[name];
    if (v !== undefined) headers[name] = v;
  }
  const provenance = state.status !== null ? detectProvenance(state.status, state.responseHeaders, new TextDecoder().decode(state.bodyPrefix)) : null;

  const result: ProbeResult = {
    resultId: id,
    agent: ctx.agent,
    region: ctx.region,
    target: target.id,
    url: target.url,
    method: target.method,
    startedAtMs: round.startedAtMs,
    roundAtMs: round.roundAtMs,
    phases,
    ok: state.failure === null,
    failure: failureToWire(state.failure?.code ?? null),
    failureDetail: state.failure?.detail ?? '',
    ip: address?.ip ?? '',
    ipFamily: address?.family ?? 0,
    sourceAddress: trace?.localAddress ?? ctx.sourceAddress ?? '',
    headers,
    identity: identityOf(target, state.responseHeaders),
    bodyMatch: state.bodyMatch,
    bodyBytes: state.bodyBytes,
    bodyTruncated: state.bodyTruncated,
    provenance: provenanceToWire(provenance),
    ipsInRound: round.ipsInRound,
  };
  if (state.status !== null) result.status = state.status;
  if (trace?.certNotAfterMs != null) result.tlsCertNotAfterMs = trace.certNotAfterMs;
  return result;
}
