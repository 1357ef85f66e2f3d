/**
 * The fault model: what a test can break in the lab, when (schedule) and how often (rate), and the
 * validation that turns a caller's plain object into a frozen, normalized fault.
 */

/** Error codes of LabError. */
export const LAB_ERROR_CODES = {
  /** startLab was given a bad spec. */
  spec: 'LAB_INVALID_SPEC',
  /** inject was given a bad fault. */
  fault: 'LAB_INVALID_FAULT',
  /** A valid fault this lab cannot realise (its net mode, no https, a lab/dns.ts limit). */
  unsupported: 'LAB_UNSUPPORTED',
  /** iptables failed in kernel mode. */
  kernel: 'LAB_KERNEL',
  /** The lab is closed. */
  closed: 'LAB_CLOSED',
} as const;
export type LabErrorCode = (typeof LAB_ERROR_CODES)[keyof typeof LAB_ERROR_CODES];

/** Every error the lab throws on purpose: a bad spec or fault, an unsupported fault, a closed lab. */
export class LabError extends Error {
  override readonly name = 'LabError';
  readonly code: LabErrorCode;
  constructor(code: LabErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** Active from `from` to `to` (exclusive) ms after the fault was injected; no `to`: until cleared. */
export interface WindowSchedule {
  readonly from: number;
  readonly to?: number;
}

/**
 * Active `durationMs` out of every `everyMs`, starting `startMs` into each period, on the wall clock
 * (periods counted from the Unix epoch): `{ everyMs: 3_600_000, startMs: 0, durationMs: 120_000 }` is
 * minute :00–:02 of every hour, `{ everyMs: 60_000, durationMs: 6_000 }` the same scaled to a minute.
 */
export interface PeriodicSchedule {
  readonly everyMs: number;
  /** Default 0. */
  readonly startMs?: number;
  readonly durationMs: number;
}

export type Schedule = WindowSchedule | PeriodicSchedule;

/** A schedule as the lab keeps it: every field present. */
export type NormalizedSchedule =
  | { readonly type: 'window'; readonly from: number; readonly to: number | null }
  | { readonly type: 'periodic'; readonly everyMs: number; readonly startMs: number; readonly durationMs: number };

export type DnsFaultName = 'nxdomain' | 'servfail' | 'timeout';

/** The load-balancer node answers a fast nginx 502 (its upstream refused it). */
export interface Node502Fault {
  readonly kind: 'node-502';
  readonly node: string;
}
/** The node answers an nginx 504 after `afterMs` (its proxy read timeout against a hung upstream). */
export interface NodeTimeoutFault {
  readonly kind: 'node-timeout';
  readonly node: string;
  readonly afterMs: number;
}
/** Nothing listens on the node's address: connections are refused. */
export interface NodeRefuseFault {
  readonly kind: 'node-refuse';
  readonly node: string;
}
/** The node accepts connections, then resets them (TCP RST) before answering. */
export interface NodeResetFault {
  readonly kind: 'node-reset';
  readonly node: string;
}
/** The origin (one, or every one) drops each request's connection: every node answers a fast nginx 502. */
export interface OriginCrashFault {
  readonly kind: 'origin-crash';
  readonly origin?: string;
}
/** The origin answers 500 with its own (JSON) error body, passed through by the nodes. */
export interface Origin500Fault {
  readonly kind: 'origin-500';
  readonly origin?: string;
}
/** The origin answers after `delayMs`; past a node's proxy timeout the node answers an nginx 504. */
export interface OriginSlowFault {
  readonly kind: 'origin-slow';
  readonly delayMs: number;
  readonly origin?: string;
}
/** The origin answers 200 with `body` instead of the lab's body (a body check stops matching). */
export interface OriginBodyFault {
  readonly kind: 'origin-body';
  readonly body: string;
  readonly origin?: string;
}
/** A region's path to one node (or every node) loses (drop) or resets (reset) its connections. */
export interface PathFault {
  readonly kind: 'path-drop' | 'path-reset';
  readonly region: string;
  /** Omitted: the region's path to every node. */
  readonly node?: string;
}
/** A region's path to one node (or every node) adds `delayMs` before the node answers. */
export interface PathDelayFault {
  readonly kind: 'path-delay';
  readonly region: string;
  readonly node?: string;
  readonly delayMs: number;
}
/** The lab's DNS server fails the lab's name: for everyone, or for one region's source address. */
export interface DnsFault {
  readonly kind: 'dns';
  readonly fault: DnsFaultName;
  readonly region?: string;
}
/** The node serves an expired certificate (https labs only). */
export interface CertExpiredFault {
  readonly kind: 'cert-expired';
  readonly node: string;
}
/** Geo-DNS: each listed region resolves the name to only its nodes; regions not listed get every node. */
export interface GeoDnsFault {
  readonly kind: 'geo-dns';
  readonly views: Readonly<Record<string, readonly string[]>>;
}

/** What a fault breaks, without when and how often. */
export type FaultBody =
  | Node502Fault
  | NodeTimeoutFault
  | NodeRefuseFault
  | NodeResetFault
  | OriginCrashFault
  | Origin500Fault
  | OriginSlowFault
  | OriginBodyFault
  | PathFault
  | PathDelayFault
  | DnsFault
  | CertExpiredFault
  | GeoDnsFault;

export type FaultKind = FaultBody['kind'];

export const FAULT_KINDS: readonly FaultKind[] = [
  'node-502',
  'node-timeout',
  'node-refuse',
  'node-reset',
  'origin-crash',
  'origin-500',
  'origin-slow',
  'origin-body',
  'path-drop',
  'path-reset',
  'path-delay',
  'dns',
  'cert-expired',
  'geo-dns',
];

/** A fault as `lab.inject` takes it. */
export type FaultSpec = FaultBody & {
  /** Share of requests (or connections) hit: 1 = every one (default), 0.1 = one in ten. */
  readonly rate?: number;
  /** When the fault is active; absent: from injection until cleared. */
  readonly schedule?: Schedule;
};

/** A fault as the lab keeps it and the truth log reports it: validated, frozen, every field present. */
export type Fault = FaultBody & {
  readonly rate: number;
  readonly schedule: NormalizedSchedule | null;
};

/** What a fault is checked against. */
export interface FaultContext {
  readonly nodes: readonly string[];
  readonly regions: readonly string[];
  readonly origins: readonly string[];
}

type Plain = Readonly<Record<string, unknown>>;

const show = (v: unknown): string => (v === undefined ? 'undefined' : JSON.stringify(v));

function isPlain(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function faultError(where: string, message: string): LabError {
  return new LabError(LAB_ERROR_CODES.fault, `${where}: ${message}`);
}

function rejectUnknownKeys(obj: Plain, allowed: readonly string[], where: string, err: (w: string, m: string) => LabError): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw err(where, `unknown key ${show(key)} (allowed: ${allowed.join(', ')})`);
  }
}

function nonNegativeMs(obj: Plain, key: string, where: string, required: boolean): number | undefined {
  const v = obj[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw faultError(where, `${key} must be a number of milliseconds >= 0 (got ${show(v)})`);
  return v;
}

function oneOf(value: unknown, names: readonly string[], what: string, where: string): string {
  if (typeof value !== 'string' || !names.includes(value)) {
    throw faultError(where, `${what} ${show(value)} is not one of this lab's ${what}s (${names.length ? names.join(', ') : 'none'})`);
  }
  return value;
}

/** Validates a schedule; `where` prefixes messages. */
export function normalizeSchedule(value: unknown, where: string): NormalizedSchedule {
  if (!isPlain(value)) throw faultError(where, `schedule must be { from, to? } or { everyMs, startMs?, durationMs } (got ${show(value)})`);
  if ('everyMs' in value || 'durationMs' in value || 'startMs' in value) {
    rejectUnknownKeys(value, ['everyMs', 'startMs', 'durationMs'], `${where}.schedule`, faultError);
    const everyMs = value['everyMs'];
    if (typeof everyMs !== 'number' || !Number.isFinite(everyMs) || everyMs <= 0) {
      throw faultError(`${where}.schedule`, `everyMs must be a number of milliseconds > 0 (got ${show(everyMs)})`);
    }
    const durationMs = value['durationMs'];
    if (typeof durationMs !== 'number' || !(durationMs > 0) || durationMs > everyMs) {
      throw faultError(`${where}.schedule`, `durationMs must be > 0 and <= everyMs (${everyMs}) (got ${show(durationMs)})`);
    }
    const startMs = value['startMs'] ?? 0;
    if (typeof startMs !== 'number' || !(startMs >= 0) || startMs >= everyMs) {
      throw faultError(`${where}.schedule`, `startMs must be >= 0 and < everyMs (${everyMs}) (got ${show(startMs)})`);
    }
    return Object.freeze({ type: 'periodic', everyMs, startMs, durationMs });
  }
  rejectUnknownKeys(value, ['from', 'to'], `${where}.schedule`, faultError);
  const from = nonNegativeMs(value, 'from', `${where}.schedule`, true) ?? 0;
  const to = nonNegativeMs(value, 'to', `${where}.schedule`, false);
  if (to !== undefined && to <= from) throw faultError(`${where}.schedule`, `to must be after from (${from}) (got ${to})`);
  return Object.freeze({ type: 'window', from, to: to ?? null });
}

/** Whether `schedule` (of a fault injected at `injectedAt`) is on at `t` (epoch ms). */
export function inSchedule(schedule: NormalizedSchedule | null, injectedAt: number, t: number): boolean {
  if (schedule === null) return true;
  if (schedule.type === 'window') return t >= injectedAt + schedule.from && (schedule.to === null || t < injectedAt + schedule.to);
  const phase = (((t - schedule.startMs) % schedule.everyMs) + schedule.everyMs) % schedule.everyMs;
  return phase < schedule.durationMs;
}

/** The first instant after `t` at which `schedule` switches on or off; null when it never will. */
export function nextEdge(schedule: NormalizedSchedule | null, injectedAt: number, t: number): number | null {
  if (schedule === null) return null;
  if (schedule.type === 'window') {
    const edges = [injectedAt + schedule.from, schedule.to === null ? null : injectedAt + schedule.to];
    const later = edges.filter((e): e is number => e !== null && e > t);
    return later.length ? Math.min(...later) : null;
  }
  const k = Math.floor((t - schedule.startMs) / schedule.everyMs);
  const start = schedule.startMs + k * schedule.everyMs;
  const end = start + schedule.durationMs;
  return t < end ? end : start + schedule.everyMs;
}

const COMMON_KEYS = ['kind', 'rate', 'schedule'] as const;

/** Turns what a caller passed to inject into a frozen Fault, or throws a LabError saying what is wrong. */
export function normalizeFault(value: unknown, ctx: FaultContext): Fault {
  if (!isPlain(value)) throw faultError('fault', `must be an object with a kind (got ${show(value)})`);
  const kind = value['kind'];
  if (typeof kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw faultError('fault', `kind must be one of ${FAULT_KINDS.join(', ')} (got ${show(kind)})`);
  }
  const where = `fault ${kind}`;
  const rate = value['rate'] ?? 1;
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) throw faultError(where, `rate must be a number from 0 to 1 (got ${show(rate)})`);
  const schedule = value['schedule'] === undefined ? null : normalizeSchedule(value['schedule'], where);
  const keys = (...own: string[]): void => rejectUnknownKeys(value, [...COMMON_KEYS, ...own], where, faultError);
  const node = (): string => oneOf(value['node'], ctx.nodes, 'node', where);
  // an optional field: absent stays absent (exactOptionalPropertyTypes), present is checked by `read`
  const optional = <K extends string>(key: K, read: () => string): Partial<Record<K, string>> =>
    (value[key] === undefined ? {} : { [key]: read() }) as Partial<Record<K, string>>;
  const origin = () => optional('origin', () => oneOf(value['origin'], ctx.origins, 'origin', where));
  const region = () => oneOf(value['region'], ctx.regions, 'region', where);
  const ms = (key: string): number => nonNegativeMs(value, key, where, true) ?? 0;

  let body: FaultBody;
  switch (kind as FaultKind) {
    case 'node-502':
    case 'node-refuse':
    case 'node-reset':
    case 'cert-expired':
      keys('node');
      body = { kind: kind as 'node-502', node: node() };
      break;
    case 'node-timeout':
      keys('node', 'afterMs');
      body = { kind: 'node-timeout', node: node(), afterMs: ms('afterMs') };
      break;
    case 'origin-crash':
    case 'origin-500':
      keys('origin');
      body = { kind: kind as 'origin-crash', ...origin() };
      break;
    case 'origin-slow':
      keys('delayMs', 'origin');
      body = { kind: 'origin-slow', delayMs: ms('delayMs'), ...origin() };
      break;
    case 'origin-body': {
      keys('body', 'origin');
      const text = value['body'];
      if (typeof text !== 'string') throw faultError(where, `body must be a string (got ${show(text)})`);
      body = { kind: 'origin-body', body: text, ...origin() };
      break;
    }
    case 'path-drop':
    case 'path-reset':
      keys('region', 'node');
      body = { kind: kind as 'path-drop', region: region(), ...optional('node', node) };
      break;
    case 'path-delay':
      keys('region', 'node', 'delayMs');
      body = { kind: 'path-delay', region: region(), delayMs: ms('delayMs'), ...optional('node', node) };
      break;
    case 'dns': {
      keys('fault', 'region');
      const f = value['fault'];
      if (f !== 'nxdomain' && f !== 'servfail' && f !== 'timeout') throw faultError(where, `fault must be nxdomain, servfail or timeout (got ${show(f)})`);
      body = { kind: 'dns', fault: f, ...optional('region', region) };
      break;
    }
    case 'geo-dns': {
      keys('views');
      const views = value['views'];
      if (!isPlain(views) || Object.keys(views).length === 0) {
        throw faultError(where, `views must map regions to lists of nodes, e.g. { "eu": ["lb-1"] } (got ${show(views)})`);
      }
      const out: Record<string, readonly string[]> = {};
      for (const [r, list] of Object.entries(views)) {
        oneOf(r, ctx.regions, 'region', where);
        if (!Array.isArray(list) || list.length === 0) throw faultError(where, `views.${r} must list at least one node (got ${show(list)})`);
        out[r] = Object.freeze(list.map((n: unknown) => oneOf(n, ctx.nodes, 'node', where)));
      }
      body = { kind: 'geo-dns', views: Object.freeze(out) };
      break;
    }
  }
  return Object.freeze({ ...body, rate, schedule }) as Fault;
}

/** Faults that change state (listeners, DNS answers, firewall rules) instead of deciding per request. */
export function isStateFault(fault: Fault): boolean {
  return fault.kind === 'dns' || fault.kind === 'geo-dns' || fault.kind === 'node-refuse';
}

/** A small seeded generator (mulberry32): the same seed gives the same sequence of rate decisions. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
