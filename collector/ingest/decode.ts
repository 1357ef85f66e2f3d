import { isIP } from 'node:net';
import protobuf from 'protobufjs/minimal.js';
import {
  decodeHeartbeat,
  failureFromWire,
  idProblem,
  parseAgentSubject,
  pb,
  provenanceFromWire,
  requireField,
  WireError,
} from '../../proto/index.js';
import type { AgentHeartbeat, BodyMatch, ControlStatus, PhaseTimes, ResultRecord } from '../store/index.js';

/** Largest ProbeResult accepted (bytes); bigger ones are rejected as oversized. */
export const MAX_RESULT_BYTES = 64 * 1024;
/** Result ids are UUIDv7 from agents; anything printable up to this length is tolerated. */
const RESULT_ID = /^[\x21-\x7e]{1,128}$/;

/** Parsed agent subjects by subject string: a collector sees few distinct ones, each many times. */
export class SubjectCache {
  private readonly parsed = new Map<string, ReturnType<typeof parseAgentSubject>>();
  constructor(private readonly max = 10_000) {}

  parse(subject: string): ReturnType<typeof parseAgentSubject> {
    let p = this.parsed.get(subject);
    if (p === undefined) {
      p = parseAgentSubject(subject);
      // bounded: a flood of junk subjects must not grow memory without end
      if (this.parsed.size >= this.max) this.parsed.clear();
      this.parsed.set(subject, p);
    }
    return p;
  }
}

/**
 * How far a result's start may lie from the collector's clock. Older results are refused because raw
 * retention would delete them at once (and no diagnosis window reaches them); newer ones come from an
 * agent whose clock is wrong, and would sit in the future of every window.
 */
export interface ResultTimeBounds {
  /** Oldest started_at accepted, as an age before the collector's clock (ms). Default: raw retention, 14 days. */
  readonly maxAgeMs: number;
  /** Newest started_at accepted, ahead of the collector's clock (ms): the agents' clock skew. Default 5 minutes. */
  readonly maxAheadMs: number;
}

export const RESULT_TIME_BOUNDS: ResultTimeBounds = Object.freeze({ maxAgeMs: 14 * 86_400_000, maxAheadMs: 5 * 60_000 });

/**
 * Bounds of a result's fields, beyond what the wire types allow: what a real agent can measure, with
 * room to spare. A result outside them is not stored (it goes to the rejects table, the field named):
 * one NaN in a phase once made the rollup insert fail and held the whole fleet's ingest back.
 */
export const RESULT_LIMITS = Object.freeze({
  /** A phase lasts at most a day (ms); a probe's timeout is at most its interval. */
  maxPhaseMs: 86_400_000,
  /** Body bytes read: the agent reads 1 MiB at most by default; 1 GiB leaves room for a raised cap. */
  maxBodyBytes: 2 ** 30,
  /** IPs one DNS answer may hold. */
  maxIpsInRound: 1_024,
  /** round_at_ms within this of started_at_ms (ms): a round's probes start within its interval. */
  maxRoundSkewMs: 86_400_000,
  /** Certificate expiry: up to the year 9999, as X.509's GeneralizedTime allows. */
  maxCertNotAfterMs: 253_402_300_799_999,
  maxUrlChars: 8_192,
  maxMethodChars: 16,
  maxFailureDetailChars: 8_192,
  maxHeaders: 64,
  maxHeaderNameChars: 256,
  maxHeaderValueChars: 4_096,
  maxIdentities: 32,
  maxIdentityNameChars: 256,
  /** An identity value is a serving node's name: a grid column. */
  maxIdentityValueChars: 512,
});

const PHASE_FIELDS: readonly (readonly [keyof PhaseTimes, string])[] = [
  ['dns', 'phases.dns'],
  ['connect', 'phases.connect'],
  ['tls', 'phases.tls'],
  ['firstByte', 'phases.first_byte'],
  ['download', 'phases.download'],
  ['total', 'phases.total'],
];

const METHOD = /^[A-Z]{1,16}$/;

/** A number as a reason shows it: NaN, Infinity, -Infinity, or its digits. */
const shown = (v: number): string => String(v);

/**
 * What is wrong with a decoded result's values, or null: every number finite and in range, `started_at`
 * within `bounds` of `nowMs` (the collector's clock), strings and maps bounded. The reason names the
 * field as the wire contract does ("phases.total: NaN"). Never throws.
 */
export function resultProblem(r: ResultRecord, nowMs: number, bounds: ResultTimeBounds = RESULT_TIME_BOUNDS): string | null {
  const L = RESULT_LIMITS;
  const started = r.startedAtMs;
  if (!Number.isSafeInteger(started) || started <= 0) return started === 0 ? 'started_at_ms is missing' : `started_at_ms: ${shown(started)} is not a time`;
  if (started < nowMs - bounds.maxAgeMs) {
    return `started_at_ms: ${new Date(started).toISOString()} is more than ${duration(bounds.maxAgeMs)} before the collector's clock (${new Date(nowMs).toISOString()}); results that old are past raw retention`;
  }
  if (started > nowMs + bounds.maxAheadMs) {
    return `started_at_ms: ${new Date(started).toISOString()} is more than ${duration(bounds.maxAheadMs)} ahead of the collector's clock (${new Date(nowMs).toISOString()}): check the agent's clock (NTP)`;
  }
  if (r.roundAtMs !== 0 && (!Number.isSafeInteger(r.roundAtMs) || Math.abs(r.roundAtMs - started) > L.maxRoundSkewMs)) {
    return `round_at_ms: ${shown(r.roundAtMs)} is not within a day of started_at_ms (${started})`;
  }
  const p = r.phases;
  for (const [key, field] of PHASE_FIELDS) {
    const v = p[key];
    if (v === null) continue;
    if (Number.isNaN(v)) return `${field}: NaN`;
    if (!(v >= 0 && v <= L.maxPhaseMs)) return `${field}: ${shown(v)} is outside 0–${L.maxPhaseMs} ms`;
  }
  if (r.status !== null && r.status !== 0 && !(r.status >= 100 && r.status <= 599)) return `status: ${r.status} is not an HTTP status (100–599)`;
  if (r.ipFamily !== 0 && r.ipFamily !== 4 && r.ipFamily !== 6) return `ip_family: ${r.ipFamily} is not 4, 6 or 0`;
  if (r.ip !== '' && isIP(r.ip) === 0) return `ip: ${JSON.stringify(r.ip.slice(0, 64))} is not an IP address`;
  if (r.sourceAddress !== '' && isIP(r.sourceAddress) === 0) return `source_address: ${JSON.stringify(r.sourceAddress.slice(0, 64))} is not an IP address`;
  if (!Number.isSafeInteger(r.bodyBytes) || r.bodyBytes < 0 || r.bodyBytes > L.maxBodyBytes) return `body_bytes: ${shown(r.bodyBytes)} is outside 0–${L.maxBodyBytes}`;
  if (r.ipsInRound > L.maxIpsInRound) return `ips_in_round: ${r.ipsInRound} is above ${L.maxIpsInRound}`;
  const cert = r.tlsCertNotAfterMs;
  if (cert !== null && (!Number.isSafeInteger(cert) || cert < 0 || cert > L.maxCertNotAfterMs)) return `tls_cert_not_after_ms: ${shown(cert)} is not a time up to the year 9999`;
  if (r.url.length > L.maxUrlChars) return `url: ${r.url.length} characters, above ${L.maxUrlChars}`;
  if (!METHOD.test(r.method)) return `method: ${JSON.stringify(r.method.slice(0, 32))} is not an HTTP method`;
  if (r.failureDetail !== null && r.failureDetail.length > L.maxFailureDetailChars) return `failure_detail: ${r.failureDetail.length} characters, above ${L.maxFailureDetailChars}`;
  return mapProblem('headers', r.headers, L.maxHeaders, L.maxHeaderNameChars, L.maxHeaderValueChars) ?? mapProblem('identity', r.identity, L.maxIdentities, L.maxIdentityNameChars, L.maxIdentityValueChars);
}

function mapProblem(field: string, map: Readonly<Record<string, string>>, maxEntries: number, maxKey: number, maxValue: number): string | null {
  let n = 0;
  for (const key in map) {
    if (++n > maxEntries) return `${field}: more than ${maxEntries} entries`;
    if (key.length > maxKey) return `${field}: a name of ${key.length} characters, above ${maxKey}`;
    const value = map[key]!;
    if (value.length > maxValue) return `${field}[${JSON.stringify(key.slice(0, 64))}]: ${value.length} characters, above ${maxValue}`;
  }
  return null;
}

/** 14 days, 5 minutes, 90 s: a bound as a reason shows it. */
function duration(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} day${ms === 86_400_000 ? '' : 's'}`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}`;
  return `${ms / 1000} s`;
}

/** A message turned into something storable, or the reason it cannot be. */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

type WireHeartbeat = InstanceType<typeof pb.Heartbeat>;

/**
 * Checks one message of the results stream: size, subject, decoding, required ids, that the message's
 * region/agent are the subject's (an agent may only publish its own subject, so a mismatch is spoofing
 * or a bug), and its values (`resultProblem`, against the collector's clock `receivedAtMs`). Never throws.
 */
export function resultFromMessage(
  subject: string,
  data: Uint8Array,
  receivedAtMs: number,
  maxBytes = MAX_RESULT_BYTES,
  subjects?: SubjectCache,
  bounds: ResultTimeBounds = RESULT_TIME_BOUNDS,
): Checked<ResultRecord> {
  if (data.byteLength > maxBytes) return { ok: false, reason: `message is ${data.byteLength} bytes, above the ${maxBytes}-byte limit` };
  const from = subjects ? subjects.parse(subject) : parseAgentSubject(subject);
  if (!from || from.kind !== 'results') return { ok: false, reason: `subject "${subject}" is not crossprobe.results.<region>.<agent>` };
  let record: ResultRecord;
  try {
    record = readResult(data, receivedAtMs);
  } catch (err) {
    return { ok: false, reason: err instanceof WireError ? err.message : `undecodable ProbeResult: ${String(err)}` };
  }
  if (record.region !== from.region) return { ok: false, reason: `message region "${record.region}" does not match subject region "${from.region}"` };
  if (record.agent !== from.agent) return { ok: false, reason: `message agent "${record.agent}" does not match subject agent "${from.agent}"` };
  if (!RESULT_ID.test(record.resultId)) return { ok: false, reason: `result_id ${JSON.stringify(record.resultId.slice(0, 200))} is not 1–128 printable characters` };
  const targetProblem = idProblem(record.target);
  if (targetProblem) return { ok: false, reason: `target id ${targetProblem}` };
  const problem = resultProblem(record, receivedAtMs, bounds);
  if (problem !== null) return { ok: false, reason: problem };
  return { ok: true, value: record };
}

const { Reader } = protobuf;
type Reader = protobuf.Reader;
/** An int64/uint64 read: a number, since proto/no-long.ts turned Long off (protobufjs types it Long). */
const int64 = (r: Reader): number => r.int64() as unknown as number;
const uint64 = (r: Reader): number => r.uint64() as unknown as number;

/**
 * Decodes a ProbeResult's bytes straight into the record the store keeps, without the generated
 * message object in between (nor the unknown fields it keeps, which the record drops anyway). This is
 * the ingest's hot path, and beside SQLite the writer thread's largest cost: going through the
 * generated object cost the collector ~3 µs of CPU per result more (bench, paired runs). protobufjs'
 * Reader still does every varint, double and (strictly checked) UTF-8 string; this function only
 * routes tags ((field number << 3) | wire type, per proto/crossprobe.proto) to fields. An unknown tag,
 * or a known field with another wire type, is skipped as the generated code skips it. A test decodes
 * the same bytes both ways, valid and damaged, and compares. Throws WireError like `decodeResult`.
 */
export function readResult(bytes: Uint8Array, receivedAtMs: number): ResultRecord {
  let resultId = '', agent = '', region = '', target = '', url = '', method = '', ip = '', sourceAddress = '', failureDetail = '';
  let startedAtMs = 0, roundAtMs = 0, failure = 0, ipFamily = 0, bodyMatchCode = 0, bodyBytes = 0, provenance = 0, ipsInRound = 0;
  let ok = false, bodyTruncated = false;
  let status: number | null = null, tlsCertNotAfterMs: number | null = null;
  let phases: MutablePhases | null = null;
  const headers: Record<string, string> = {};
  const identity: Record<string, string> = {};
  try {
    const r = Reader.create(bytes);
    while (r.pos < r.len) {
      const tag = r.tag();
      switch (tag) {
        case 10: resultId = r.stringVerify(); break;
        case 18: agent = r.stringVerify(); break;
        case 26: region = r.stringVerify(); break;
        case 34: target = r.stringVerify(); break;
        case 42: url = r.stringVerify(); break;
        case 48: startedAtMs = int64(r); break;
        case 56: roundAtMs = int64(r); break;
        case 66: phases = readPhases(r, phases ?? { ...NO_PHASES }); break;
        case 72: ok = r.bool(); break;
        case 80: failure = r.int32(); break;
        case 90: failureDetail = r.stringVerify(); break;
        case 96: status = r.uint32(); break;
        case 106: ip = r.stringVerify(); break;
        case 112: ipFamily = r.uint32(); break;
        case 122: sourceAddress = r.stringVerify(); break;
        case 130: readMapEntry(r, headers); break;
        case 138: readMapEntry(r, identity); break;
        case 144: bodyMatchCode = r.int32(); break;
        case 152: bodyBytes = uint64(r); break;
        case 160: bodyTruncated = r.bool(); break;
        case 168: provenance = r.int32(); break;
        case 176: tlsCertNotAfterMs = int64(r); break;
        case 186: method = r.stringVerify(); break;
        case 192: ipsInRound = r.uint32(); break;
        default: r.skipType(tag & 7, 0, tag >>> 3);
      }
    }
  } catch (err) {
    throw new WireError(`undecodable ProbeResult: ${(err as Error).message}`, { cause: err });
  }
  requireField(resultId, 'ProbeResult.result_id');
  requireField(agent, 'ProbeResult.agent');
  requireField(region, 'ProbeResult.region');
  requireField(target, 'ProbeResult.target');
  return {
    resultId,
    target,
    region,
    agent,
    url,
    method: method || 'GET',
    ip,
    ipFamily,
    startedAtMs,
    roundAtMs,
    ok,
    failure: failureFromWire(failure),
    failureDetail: failureDetail || null,
    status,
    phases: phases ?? NO_PHASES,
    sourceAddress,
    headers,
    identity,
    bodyMatch: bodyMatch(bodyMatchCode),
    bodyBytes,
    bodyTruncated,
    provenance: provenanceFromWire(provenance),
    tlsCertNotAfterMs,
    ipsInRound,
    receivedAtMs,
  };
}

type MutablePhases = { -readonly [K in keyof PhaseTimes]: PhaseTimes[K] };
const NO_PHASES: PhaseTimes = Object.freeze({ dns: null, connect: null, tls: null, firstByte: null, download: null, total: null });

/** Runs `read` over one length-delimited sub-message, with the reader's end moved to its end: no read can pass it. */
function withinLength(r: Reader, read: (end: number) => void): void {
  const end = r.size() + r.pos;
  if (end > r.len) throw new RangeError('index out of range');
  const outer = r.len;
  r.len = end;
  read(end);
  r.len = outer;
}

/** Phases into `into`: a second phases field merges into the first, as protobuf has it. */
function readPhases(r: Reader, into: MutablePhases): MutablePhases {
  withinLength(r, (end) => {
    while (r.pos < end) {
      const tag = r.tag();
      switch (tag) {
        case 9: into.dns = r.double(); break;
        case 17: into.connect = r.double(); break;
        case 25: into.tls = r.double(); break;
        case 33: into.firstByte = r.double(); break;
        case 41: into.download = r.double(); break;
        case 49: into.total = r.double(); break;
        default: r.skipType(tag & 7, 1, tag >>> 3);
      }
    }
  });
  return into;
}

/** One map<string, string> entry; a missing key or value is "", as protobuf has it. */
function readMapEntry(r: Reader, into: Record<string, string>): void {
  let key = '';
  let value = '';
  withinLength(r, (end) => {
    while (r.pos < end) {
      const tag = r.tag();
      if (tag === 10) key = r.stringVerify();
      else if (tag === 18) value = r.stringVerify();
      else r.skipType(tag & 7, 1, tag >>> 3);
    }
  });
  // an own property even for "__proto__" (a plain assignment would set the object's prototype)
  if (key === '__proto__') Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
  else into[key] = value;
}

/** Checks one heartbeat message like `resultFromMessage` does a result. Never throws. */
export function heartbeatFromMessage(subject: string, data: Uint8Array, receivedAtMs: number, maxBytes = MAX_RESULT_BYTES): Checked<AgentHeartbeat> {
  if (data.byteLength > maxBytes) return { ok: false, reason: `message is ${data.byteLength} bytes, above the ${maxBytes}-byte limit` };
  const from = parseAgentSubject(subject);
  if (!from || from.kind !== 'heartbeat') return { ok: false, reason: `subject "${subject}" is not crossprobe.heartbeat.<region>.<agent>` };
  let h: WireHeartbeat;
  try {
    h = decodeHeartbeat(data);
  } catch (err) {
    return { ok: false, reason: err instanceof WireError ? err.message : `undecodable Heartbeat: ${String(err)}` };
  }
  if (h.region !== from.region) return { ok: false, reason: `heartbeat region "${h.region}" does not match subject region "${from.region}"` };
  if (h.agent !== from.agent) return { ok: false, reason: `heartbeat agent "${h.agent}" does not match subject agent "${from.agent}"` };
  // a NaN would meet the agents table's NOT NULL columns as NULL, and the heartbeat would be lost unexplained
  if (!(h.schedLagMs >= 0 && h.schedLagMs <= RESULT_LIMITS.maxPhaseMs)) return { ok: false, reason: `sched_lag_ms: ${shown(h.schedLagMs)} is outside 0–${RESULT_LIMITS.maxPhaseMs} ms` };
  for (let i = 0; i < h.controls.length; i++) {
    const t = h.controls[i]!.totalMs;
    if (t != null && !(t >= 0 && t <= RESULT_LIMITS.maxPhaseMs)) return { ok: false, reason: `controls[${i}].total_ms: ${shown(t)} is outside 0–${RESULT_LIMITS.maxPhaseMs} ms` };
  }
  return { ok: true, value: heartbeatFromWire(h, receivedAtMs) };
}

/** A decoded Heartbeat as the store keeps it. */
export function heartbeatFromWire(h: WireHeartbeat, receivedAtMs: number): AgentHeartbeat {
  const controls: ControlStatus[] = h.controls.map((c) => ({
    url: c.url ?? '',
    ok: c.ok ?? false,
    failure: failureFromWire(c.failure),
    checkedAtMs: int(c.checkedAtMs),
    consecutiveFailures: c.consecutiveFailures ?? 0,
    totalMs: c.totalMs ?? null,
  }));
  return {
    region: h.region,
    agent: h.agent,
    version: h.version,
    receivedAtMs,
    sentAtMs: int(h.sentAtMs),
    startedAtMs: int(h.startedAtMs),
    targets: h.targets,
    spoolDepth: int(h.spoolDepth),
    spoolDropped: int(h.spoolDropped),
    spoolBytes: int(h.spoolBytes),
    schedLagMs: h.schedLagMs,
    resultsPublished: int(h.resultsPublished),
    inFlight: h.inFlight,
    controls,
    spoolState: h.spoolDegraded ? 'degraded' : 'ok',
    spoolError: h.spoolError || null,
    memoryQueueDepth: int(h.memoryQueueDepth),
    memoryQueueBytes: int(h.memoryQueueBytes),
    memoryQueueDropped: int(h.memoryQueueDropped),
  };
}

function bodyMatch(m: number): BodyMatch | null {
  if (m === pb.BodyMatch.BODY_MATCH_MATCHED) return 'matched';
  if (m === pb.BodyMatch.BODY_MATCH_MISMATCHED) return 'mismatched';
  return null;
}

/** An int64/uint64 field as a number (proto/no-long.ts makes protobufjs decode them so; unset: 0). */
function int(v: number | null | undefined): number {
  return v ?? 0;
}
