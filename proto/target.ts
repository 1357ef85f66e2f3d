import { Type, type Static } from '@sinclair/typebox';
import { parseDuration, formatDuration } from './duration.js';
import { check, ConfigError } from './validate.js';
import { idProblem } from './subjects.js';
import { pb, decodeTarget, encodeTarget, type WireTarget } from './wire.js';

const ID_PATTERN = '^[a-z0-9-]{1,63}$';
const DURATION_PATTERN = '^(\\d+(\\.\\d+)?(ms|s|m|h|d))+$';
const Duration = Type.String({ pattern: DURATION_PATTERN, errorMessage: 'must be a duration such as 500ms, 30s, 15m or 1h' });
const Id = Type.String({ pattern: ID_PATTERN, errorMessage: 'must be 1–63 characters of a–z, 0–9 and "-"' });

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'OPTIONS'] as const;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** A target as users write it: in an agent's --targets file, and as the body of POST /api/v1/targets. */
export const TargetSpecSchema = Type.Object(
  {
    id: Id,
    url: Type.String({ minLength: 1, errorMessage: 'must be an http:// or https:// URL' }),
    method: Type.Optional(Type.Union(METHODS.map((m) => Type.Literal(m)), { errorMessage: `must be one of ${METHODS.join(', ')}` })),
    interval: Type.Optional(Duration),
    timeout: Type.Optional(Duration),
    expect: Type.Optional(
      Type.Object(
        {
          status: Type.Optional(
            Type.Tuple([Type.Integer({ minimum: 100, maximum: 599 }), Type.Integer({ minimum: 100, maximum: 599 })], {
              errorMessage: 'must be [min, max] HTTP statuses, e.g. [200, 399]',
            }),
          ),
          bodyContains: Type.Optional(Type.String({ minLength: 1, errorMessage: 'must be a non-empty string' })),
        },
        { additionalProperties: false },
      ),
    ),
    resolveAll: Type.Optional(Type.Boolean({ errorMessage: 'must be true or false' })),
    regions: Type.Optional(Type.Array(Id)),
    identity: Type.Optional(
      Type.Array(
        Type.Object(
          {
            header: Type.String({ pattern: HEADER_NAME.source, errorMessage: 'must be an HTTP header name' }),
            pattern: Type.Optional(Type.String({ minLength: 1 })),
            name: Type.Optional(Type.String({ pattern: '^[a-z0-9_-]{1,63}$', errorMessage: 'must be 1–63 characters of a–z, 0–9, "_" and "-"' })),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false },
);
export type TargetSpec = Static<typeof TargetSpecSchema>;

export interface IdentityRule {
  /** Lower-case response header name. */
  readonly header: string;
  /** Regex whose first capture group (or whole match) is the value; null: the whole header value. */
  readonly pattern: string | null;
  /** Dimension name the collector groups by. */
  readonly name: string;
}

/** A validated target with every default applied. */
export interface Target {
  readonly id: string;
  readonly url: string;
  readonly method: (typeof METHODS)[number];
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly expectStatus: readonly [number, number];
  readonly bodyContains: string | null;
  readonly resolveAll: boolean;
  /** Empty: every region. */
  readonly regions: readonly string[];
  readonly identity: readonly IdentityRule[];
  readonly headers: Readonly<Record<string, string>>;
}

export const TARGET_DEFAULTS = { method: 'GET', intervalMs: 60_000, timeoutMs: 10_000, expectStatus: [200, 399] } as const;
/** The shortest interval accepted; the lab and tests compress time down to this. */
export const MIN_INTERVAL_MS = 200;

/** Validates a target as a user wrote it and applies defaults; `where` prefixes field names in errors. */
export function parseTarget(value: unknown, where = ''): Target {
  const spec = check(TargetSpecSchema, value, where);
  const at = (f: string) => (where ? `${where}.${f}` : f);
  let url: URL;
  try {
    url = new URL(spec.url);
  } catch {
    throw new ConfigError(`${at('url')}: not a valid URL (got ${JSON.stringify(spec.url)})`, at('url'));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${at('url')}: must be an http:// or https:// URL (got ${JSON.stringify(spec.url)})`, at('url'));
  }
  const intervalMs = spec.interval ? parseDuration(spec.interval)! : TARGET_DEFAULTS.intervalMs;
  const timeoutMs = spec.timeout ? parseDuration(spec.timeout)! : Math.min(TARGET_DEFAULTS.timeoutMs, intervalMs);
  if (intervalMs < MIN_INTERVAL_MS) throw new ConfigError(`${at('interval')}: must be at least ${MIN_INTERVAL_MS}ms (got "${spec.interval}")`, at('interval'));
  if (timeoutMs <= 0) throw new ConfigError(`${at('timeout')}: must be more than 0 (got "${spec.timeout}")`, at('timeout'));
  if (timeoutMs > intervalMs) {
    throw new ConfigError(`${at('timeout')}: must not exceed interval (${formatDuration(intervalMs)}); got ${spec.timeout}`, at('timeout'));
  }
  const [min, max] = spec.expect?.status ?? TARGET_DEFAULTS.expectStatus;
  if (min > max) throw new ConfigError(`${at('expect.status')}: min ${min} is above max ${max}`, at('expect.status'));
  const names = new Set<string>();
  const identity = (spec.identity ?? []).map((rule, i): IdentityRule => {
    if (rule.pattern !== undefined) {
      try {
        new RegExp(rule.pattern);
      } catch (err) {
        throw new ConfigError(`${at(`identity[${i}].pattern`)}: not a valid regular expression: ${(err as Error).message}`, at(`identity[${i}].pattern`));
      }
    }
    const name = rule.name ?? rule.header.toLowerCase();
    if (names.has(name)) throw new ConfigError(`${at(`identity[${i}].name`)}: "${name}" is used twice; give each rule its own name`, at(`identity[${i}].name`));
    if (name === 'ip' || name === 'region' || name === 'agent' || name === 'path') {
      throw new ConfigError(`${at(`identity[${i}].name`)}: "${name}" is reserved for a built-in dimension; choose another name`, at(`identity[${i}].name`));
    }
    names.add(name);
    return { header: rule.header.toLowerCase(), pattern: rule.pattern ?? null, name };
  });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.headers ?? {})) {
    if (!HEADER_NAME.test(k)) throw new ConfigError(`${at(`headers.${k}`)}: not a valid HTTP header name`, at('headers'));
    if (/[\r\n\0]/.test(v)) throw new ConfigError(`${at(`headers.${k}`)}: a header value cannot contain CR, LF or NUL`, at('headers'));
    if (k.toLowerCase() === 'host' || k.toLowerCase() === 'crossprobe-probe-id') {
      throw new ConfigError(`${at(`headers.${k}`)}: set by crossprobe itself (the URL's host, the result id); remove it`, at('headers'));
    }
    headers[k.toLowerCase()] = v;
  }
  return Object.freeze({
    id: spec.id,
    url: url.href,
    method: spec.method ?? TARGET_DEFAULTS.method,
    intervalMs,
    timeoutMs,
    expectStatus: Object.freeze([min, max] as const),
    bodyContains: spec.expect?.bodyContains ?? null,
    resolveAll: spec.resolveAll ?? true,
    regions: Object.freeze([...new Set(spec.regions ?? [])]),
    identity: Object.freeze(identity),
    headers: Object.freeze(headers),
  });
}

/** The user-facing form of a normalized target (what the API returns, what a targets file holds). */
export function targetToSpec(t: Target): TargetSpec {
  return {
    id: t.id,
    url: t.url,
    method: t.method,
    interval: formatDuration(t.intervalMs),
    timeout: formatDuration(t.timeoutMs),
    expect: { status: [t.expectStatus[0], t.expectStatus[1]], ...(t.bodyContains !== null ? { bodyContains: t.bodyContains } : {}) },
    resolveAll: t.resolveAll,
    regions: [...t.regions],
    identity: t.identity.map((r) => ({ header: r.header, name: r.name, ...(r.pattern !== null ? { pattern: r.pattern } : {}) })),
    headers: { ...t.headers },
  };
}

export function targetToWire(t: Target): Uint8Array {
  const wire: WireTarget = {
    id: t.id,
    url: t.url,
    method: t.method,
    intervalMs: t.intervalMs,
    timeoutMs: t.timeoutMs,
    expectStatusMin: t.expectStatus[0],
    expectStatusMax: t.expectStatus[1],
    resolveAll: t.resolveAll,
    regions: [...t.regions],
    identity: t.identity.map((r) => ({ header: r.header, pattern: r.pattern ?? '', name: r.name })),
    requestHeaders: { ...t.headers },
  };
  if (t.bodyContains !== null) wire.bodyContains = t.bodyContains;
  return encodeTarget(wire);
}

/** Decodes and re-validates a KV value; throws WireError or ConfigError naming the problem. */
export function targetFromWire(bytes: Uint8Array): Target {
  const w = decodeTarget(bytes);
  const spec: Record<string, unknown> = {
    id: w.id,
    url: w.url,
    method: w.method || TARGET_DEFAULTS.method,
    interval: formatDuration(w.intervalMs || TARGET_DEFAULTS.intervalMs),
    timeout: formatDuration(w.timeoutMs || TARGET_DEFAULTS.timeoutMs),
    expect: {
      status: [w.expectStatusMin || TARGET_DEFAULTS.expectStatus[0], w.expectStatusMax || TARGET_DEFAULTS.expectStatus[1]],
      ...(w.bodyContains != null ? { bodyContains: w.bodyContains } : {}),
    },
    resolveAll: w.resolveAll,
    regions: w.regions,
    identity: w.identity.map((r) => ({ header: r.header, name: r.name, ...(r.pattern ? { pattern: r.pattern } : {}) })),
    headers: w.requestHeaders,
  };
  return parseTarget(spec, `target "${w.id}"`);
}

export { idProblem, pb };
