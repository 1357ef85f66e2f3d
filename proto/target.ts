import { Type, type Static } from '@sinclair/typebox';
import { RE2JS } from 're2js';
import { DURATION_PATTERN, parseDuration, formatDuration } from './duration.js';
import { check, ConfigError } from './validate.js';
import { ID_PATTERN, ID_RULE, idProblem } from './subjects.js';
import { pb, decodeTarget, encodeTarget, type WireTarget } from './wire.js';

const Duration = Type.String({ pattern: DURATION_PATTERN, errorMessage: 'must be a duration such as 500ms, 30s, 15m or 1h' });
const Id = Type.String({ pattern: ID_PATTERN, errorMessage: ID_RULE });

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'OPTIONS'] as const;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
/** What undici accepts in a header value (lib/core/util.js isValidHeaderValue): no control characters but tab. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Longest identity pattern accepted: RE2 runs in time linear in pattern × input, and both are capped. */
export const MAX_PATTERN_LENGTH = 256;
/** Longest request header value a target may set (nginx' default for a whole header line is 8 KiB). */
export const MAX_HEADER_VALUE_LENGTH = 4096;
/** Most request headers a target may set. */
export const MAX_REQUEST_HEADERS = 32;

/**
 * Request headers a target may not set, and why. undici throws on transfer-encoding, keep-alive,
 * upgrade and expect (lib/core/request.js processHeader); it sends a content-length on a request
 * without a body, leaving the server waiting; connection is crossprobe's (one fresh connection per
 * probe); host and crossprobe-probe-id are set by crossprobe.
 * test/proto/target.test.ts checks that undici still refuses each name it is listed for.
 */
export const REFUSED_REQUEST_HEADERS: Readonly<Record<string, string>> = {
  'transfer-encoding': 'the HTTP client frames the request itself (undici refuses this header)',
  'keep-alive': 'every probe opens a fresh connection (undici refuses this header)',
  upgrade: 'a probe is a plain request, not a protocol upgrade (undici refuses this header)',
  expect: 'a probe sends no body to negotiate (undici refuses this header)',
  'content-length': 'a probe sends no body (a length would leave the server waiting for one)',
  connection: 'every probe opens a fresh connection and closes it',
  host: "set by crossprobe itself (the URL's host)",
  'crossprobe-probe-id': 'set by crossprobe itself (the result id)',
};
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
            header: Type.String({ maxLength: 256, pattern: HEADER_NAME.source, errorMessage: 'must be an HTTP header name (at most 256 characters)' }),
            pattern: Type.Optional(
              Type.String({ minLength: 1, maxLength: MAX_PATTERN_LENGTH, errorMessage: `must be a regular expression of 1–${MAX_PATTERN_LENGTH} characters` }),
            ),
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
  /**
   * RE2 syntax (linear time: see compileIdentityPattern); its first capture group (or the whole match)
   * is the value. null: the whole header value.
   */
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
/**
 * The longest interval accepted: an interval of days is a mistake, not a schedule (a target probed
 * less than daily gives the diagnosis nothing to compare), and it keeps every timer of a target far
 * below setTimeout's 24.8-day limit (past it Node fires after 1 ms: every agent would probe the target
 * every millisecond) and the wire's uint32 milliseconds.
 */
export const MAX_INTERVAL_MS = 24 * 3_600_000;
/**
 * The longest timeout accepted: 5 minutes, undici's own default headers timeout and above the read
 * timeouts proxies give up at (nginx 60 s, ELB 60 s, Cloudflare 100 s), so a probe still sees who
 * gives up first; a longer one only holds one of the agent's concurrency slots for nothing.
 */
export const MAX_TIMEOUT_MS = 5 * 60_000;

/**
 * Compiles an identity pattern with RE2 semantics (re2js): matching takes time linear in the input,
 * whatever the pattern, so `^(.*)*X$` cannot hang an agent. Throws re2js' syntax error for what RE2
 * does not support (backreferences, lookaround) or what is malformed.
 */
export function compileIdentityPattern(pattern: string): RE2JS {
  return RE2JS.compile(pattern);
}

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
  const intervalMs = spec.interval !== undefined ? parseDuration(spec.interval) : TARGET_DEFAULTS.intervalMs;
  if (intervalMs === null || intervalMs > MAX_INTERVAL_MS) {
    throw new ConfigError(`${at('interval')}: must be at most ${MAX_INTERVAL_MS / 3_600_000}h (got "${spec.interval}")`, at('interval'));
  }
  if (intervalMs < MIN_INTERVAL_MS) throw new ConfigError(`${at('interval')}: must be at least ${MIN_INTERVAL_MS}ms (got "${spec.interval}")`, at('interval'));
  const timeoutMs = spec.timeout !== undefined ? parseDuration(spec.timeout) : Math.min(TARGET_DEFAULTS.timeoutMs, intervalMs);
  if (timeoutMs === null || timeoutMs > MAX_TIMEOUT_MS) {
    throw new ConfigError(`${at('timeout')}: must be at most ${formatDuration(MAX_TIMEOUT_MS)} (got "${spec.timeout}")`, at('timeout'));
  }
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
        compileIdentityPattern(rule.pattern);
      } catch (err) {
        throw new ConfigError(
          `${at(`identity[${i}].pattern`)}: not a regular expression RE2 accepts (no backreferences or lookaround: patterns must run in linear time): ${(err as Error).message}`,
          at(`identity[${i}].pattern`),
        );
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
  const entries = Object.entries(spec.headers ?? {});
  if (entries.length > MAX_REQUEST_HEADERS) throw new ConfigError(`${at('headers')}: at most ${MAX_REQUEST_HEADERS} headers (got ${entries.length})`, at('headers'));
  for (const [k, v] of entries) {
    if (!HEADER_NAME.test(k) || k.length > 256) throw new ConfigError(`${at(`headers.${k}`)}: not a valid HTTP header name`, at('headers'));
    if (/[\r\n\0]/.test(v)) throw new ConfigError(`${at(`headers.${k}`)}: a header value cannot contain CR, LF or NUL`, at('headers'));
    if (!HEADER_VALUE.test(v)) {
      throw new ConfigError(`${at(`headers.${k}`)}: a header value may hold only tab, printable ASCII and Latin-1 characters (undici refuses others)`, at('headers'));
    }
    if (v.length > MAX_HEADER_VALUE_LENGTH) {
      throw new ConfigError(`${at(`headers.${k}`)}: a header value may be at most ${MAX_HEADER_VALUE_LENGTH} characters (got ${v.length})`, at('headers'));
    }
    const name = k.toLowerCase();
    if (Object.hasOwn(REFUSED_REQUEST_HEADERS, name)) throw new ConfigError(`${at(`headers.${k}`)}: ${REFUSED_REQUEST_HEADERS[name]}; remove it`, at('headers'));
    if (Object.hasOwn(headers, name)) throw new ConfigError(`${at(`headers.${k}`)}: set twice (header names are case-insensitive)`, at('headers'));
    // defined, not assigned: a header named __proto__ is just a header
    Object.defineProperty(headers, name, { value: v, enumerable: true, writable: true, configurable: true });
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
