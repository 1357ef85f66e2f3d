/**
 * Deterministic probe-result generators for the diagnosis tests: a seeded PRNG, a fleet of agents in
 * regions probing every IP they resolve once per interval, and composable faults.
 */
import type { FailureCode, ProvenanceName } from '../../../proto/index.js';
import type { Observation } from '../../../collector/diagnosis/index.js';

import { seededRandom as mulberry32 } from '../../../lab/faults.js';

/** mulberry32: the lab's seeded generator; same seed, same sequence. */
export { mulberry32 };

export type Rng = () => number;

/** A fixed "now": 2025-11-22T12:00:00Z, on the hour so minute-of-hour scenarios read naturally. */
export const NOW = Date.UTC(2025, 10, 22, 12, 0, 0);
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export const REGION_NAMES = ['eu-west', 'us-east', 'ap-south', 'sa-east', 'eu-central', 'us-west', 'af-south', 'me-central'] as const;

export function regionNames(n: number): string[] {
  return REGION_NAMES.slice(0, n);
}

export function ipNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `203.0.113.${10 + i}`);
}

/** One probe about to be made. */
export interface ProbeContext {
  readonly region: string;
  readonly agent: string;
  readonly ip: string;
  readonly atMs: number;
  readonly rng: Rng;
  /** The identity headers the response will carry (if the probe gets a response). */
  readonly identity: Readonly<Record<string, string>>;
}

/** How a failing probe looks. */
export interface FailureShape {
  readonly failure: FailureCode;
  readonly status?: number | null;
  readonly provenance?: ProvenanceName | null;
  readonly firstByteMs?: number | null;
}

/** A fault decides, per probe, whether (and how) it fails. */
export type Fault = (ctx: ProbeContext) => FailureShape | null;
/** A DNS fault decides, per resolution, whether (and how) it fails. */
export type DnsFault = (ctx: DnsContext) => FailureCode | null;
export type DnsContext = Omit<ProbeContext, 'ip' | 'identity'>;

export interface ScenarioSpec {
  readonly seed: number;
  readonly regions: number | readonly string[];
  readonly agentsPerRegion?: number;
  readonly ips: number | readonly string[];
  /** Which IPs a region's resolver returns (geo-DNS); default every IP. */
  readonly reach?: (region: string, ips: readonly string[]) => readonly string[];
  /** Identity headers of a response from `ip` (also on failures that got a response). */
  readonly identity?: (ctx: Omit<ProbeContext, 'identity'>) => Record<string, string>;
  readonly durationMs: number;
  readonly intervalMs?: number;
  readonly nowMs?: number;
  readonly faults?: readonly Fault[];
  readonly dns?: readonly DnsFault[];
  /** First byte of a successful probe; default 40–60 ms. */
  readonly latency?: (ctx: ProbeContext) => number;
}

const RESPONSE_CODES: ReadonlySet<FailureCode> = new Set<FailureCode>(['HTTP_STATUS', 'BODY_MISMATCH', 'BODY_TIMEOUT', 'RESET_MID_BODY']);

/** Every agent probes every IP its region resolves, once per interval, over `durationMs` before now. */
export function generate(spec: ScenarioSpec): Observation[] {
  const rng = mulberry32(spec.seed);
  const regions = typeof spec.regions === 'number' ? regionNames(spec.regions) : [...spec.regions];
  const ips = typeof spec.ips === 'number' ? ipNames(spec.ips) : [...spec.ips];
  const interval = spec.intervalMs ?? MINUTE;
  const now = spec.nowMs ?? NOW;
  const rounds = Math.floor(spec.durationMs / interval);
  const out: Observation[] = [];
  for (const region of regions) {
    const reached = spec.reach?.(region, ips) ?? ips;
    for (let a = 0; a < (spec.agentsPerRegion ?? 1); a++) {
      const agent = `${region}-${a + 1}`;
      for (let round = 0; round < rounds; round++) {
        // Rounds end just before now; agents are a second apart, IPs 10 ms apart.
        const roundAt = now - (rounds - round) * interval + 1_000 * a + 500;
        const dnsCtx = { region, agent, atMs: roundAt, rng };
        const dnsFailure = (spec.dns ?? []).reduce<FailureCode | null>((f, fault) => f ?? fault(dnsCtx), null);
        if (dnsFailure !== null) {
          out.push({
            atMs: roundAt, region, agent, ip: '', identity: {}, ok: false, failure: dnsFailure, status: null, provenance: null,
            firstByteMs: null, totalMs: null, resultId: `${agent}.${round}.dns`,
          });
          continue;
        }
        reached.forEach((ip, i) => {
          const base = { region, agent, ip, atMs: roundAt + 10 * i, rng };
          const ctx: ProbeContext = { ...base, identity: spec.identity?.(base) ?? {} };
          const shape = (spec.faults ?? []).reduce<FailureShape | null>((f, fault) => f ?? fault(ctx), null);
          const latency = spec.latency?.(ctx) ?? 40 + 20 * rng();
          const responded = shape === null || RESPONSE_CODES.has(shape.failure);
          const firstByteMs = shape === null ? latency : shape.firstByteMs !== undefined ? shape.firstByteMs : responded ? latency : null;
          out.push({
            atMs: ctx.atMs,
            region,
            agent,
            ip,
            identity: responded ? ctx.identity : {},
            ok: shape === null,
            failure: shape?.failure ?? null,
            status: shape === null ? 200 : shape.status ?? null,
            provenance: shape === null ? null : shape.provenance ?? null,
            firstByteMs,
            totalMs: firstByteMs === null ? null : firstByteMs + 5,
            resultId: `${agent}.${round}.${ip}`,
          });
        });
      }
    }
  }
  return out;
}

// ---- failure shapes ----

export const BAD_GATEWAY: FailureShape = { failure: 'HTTP_STATUS', status: 502, provenance: 'nginx' };
export function http(status: number, provenance: ProvenanceName | null = 'nginx', firstByteMs?: number): FailureShape {
  return firstByteMs === undefined ? { failure: 'HTTP_STATUS', status, provenance } : { failure: 'HTTP_STATUS', status, provenance, firstByteMs };
}
export function code(failure: FailureCode): FailureShape {
  return { failure };
}

// ---- faults ----

/** Fails with probability `p` when `when` holds. */
export function fault(when: (ctx: ProbeContext) => boolean, p: number, shape: FailureShape = BAD_GATEWAY): Fault {
  return (ctx) => (when(ctx) && ctx.rng() < p ? shape : null);
}
export const onNode = (ip: string, p: number, shape?: FailureShape): Fault => fault((c) => c.ip === ip, p, shape);
export const fromRegion = (region: string, p: number, shape?: FailureShape): Fault => fault((c) => c.region === region, p, shape);
export const onPath = (region: string, ip: string, p: number, shape?: FailureShape): Fault =>
  fault((c) => c.region === region && c.ip === ip, p, shape);
export const everywhere = (p: number, shape?: FailureShape): Fault => fault(() => true, p, shape);
export const fromAgent = (agent: string, p: number, shape?: FailureShape): Fault => fault((c) => c.agent === agent, p, shape);
/** Responses served by identity `name=value` fail. */
export const onIdentity = (name: string, value: string, p: number, shape?: FailureShape): Fault =>
  fault((c) => c.identity[name] === value, p, shape);

/** Only in [fromMs, toMs). */
export function during(fromMs: number, toMs: number, f: Fault): Fault {
  return (ctx) => (ctx.atMs >= fromMs && ctx.atMs < toMs ? f(ctx) : null);
}

/** Only at these minutes of the hour. */
export function atMinutes(minutes: readonly number[], f: Fault): Fault {
  return (ctx) => (minutes.includes(new Date(ctx.atMs).getUTCMinutes()) ? f(ctx) : null);
}

export function dnsFault(when: (ctx: DnsContext) => boolean, p: number, failure: FailureCode): DnsFault {
  return (ctx) => (when(ctx) && ctx.rng() < p ? failure : null);
}
