import {
  decodeHeartbeat,
  decodeResult,
  failureFromWire,
  idProblem,
  parseAgentSubject,
  pb,
  provenanceFromWire,
  WireError,
} from '../../proto/index.js';
import type { AgentHeartbeat, BodyMatch, ControlStatus, ResultRecord } from '../store/index.js';

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

/** A message turned into something storable, or the reason it cannot be. */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

type WireResult = InstanceType<typeof pb.ProbeResult>;
type WireHeartbeat = InstanceType<typeof pb.Heartbeat>;

/**
 * Checks one message of the results stream: size, subject, decoding, required ids, and that the
 * message's region/agent are the subject's (an agent may only publish its own subject, so a mismatch
 * is spoofing or a bug). Never throws.
 */
export function resultFromMessage(
  subject: string,
  data: Uint8Array,
  receivedAtMs: number,
  maxBytes = MAX_RESULT_BYTES,
  subjects?: SubjectCache,
): Checked<ResultRecord> {
  if (data.byteLength > maxBytes) return { ok: false, reason: `message is ${data.byteLength} bytes, above the ${maxBytes}-byte limit` };
  const from = subjects ? subjects.parse(subject) : parseAgentSubject(subject);
  if (!from || from.kind !== 'results') return { ok: false, reason: `subject "${subject}" is not crossprobe.results.<region>.<agent>` };
  let r: WireResult;
  try {
    r = decodeResult(data);
  } catch (err) {
    return { ok: false, reason: err instanceof WireError ? err.message : `undecodable ProbeResult: ${String(err)}` };
  }
  if (r.region !== from.region) return { ok: false, reason: `message region "${r.region}" does not match subject region "${from.region}"` };
  if (r.agent !== from.agent) return { ok: false, reason: `message agent "${r.agent}" does not match subject agent "${from.agent}"` };
  if (!RESULT_ID.test(r.resultId)) return { ok: false, reason: `result_id ${JSON.stringify(r.resultId.slice(0, 200))} is not 1–128 printable characters` };
  const targetProblem = idProblem(r.target);
  if (targetProblem) return { ok: false, reason: `target id ${targetProblem}` };
  const record = resultFromWire(r, receivedAtMs);
  if (record.startedAtMs <= 0) return { ok: false, reason: 'started_at_ms is missing' };
  return { ok: true, value: record };
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
  return { ok: true, value: heartbeatFromWire(h, receivedAtMs) };
}

/** A decoded ProbeResult as the store keeps it. */
export function resultFromWire(r: WireResult, receivedAtMs: number): ResultRecord {
  const p = r.phases;
  return {
    resultId: r.resultId,
    target: r.target,
    region: r.region,
    agent: r.agent,
    url: r.url,
    method: r.method || 'GET',
    ip: r.ip,
    ipFamily: r.ipFamily,
    startedAtMs: int(r.startedAtMs),
    roundAtMs: int(r.roundAtMs),
    ok: r.ok,
    failure: failureFromWire(r.failure),
    failureDetail: r.failureDetail || null,
    status: r.status ?? null,
    phases: {
      dns: p?.dns ?? null,
      connect: p?.connect ?? null,
      tls: p?.tls ?? null,
      firstByte: p?.firstByte ?? null,
      download: p?.download ?? null,
      total: p?.total ?? null,
    },
    sourceAddress: r.sourceAddress,
    // decode built these objects for this message alone; no copy needed
    headers: r.headers,
    identity: r.identity,
    bodyMatch: bodyMatch(r.bodyMatch),
    bodyBytes: int(r.bodyBytes),
    bodyTruncated: r.bodyTruncated,
    provenance: provenanceFromWire(r.provenance),
    tlsCertNotAfterMs: r.tlsCertNotAfterMs == null ? null : int(r.tlsCertNotAfterMs),
    ipsInRound: r.ipsInRound,
    receivedAtMs,
  };
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
  };
}

function bodyMatch(m: WireResult['bodyMatch']): BodyMatch | null {
  if (m === pb.BodyMatch.BODY_MATCH_MATCHED) return 'matched';
  if (m === pb.BodyMatch.BODY_MATCH_MISMATCHED) return 'mismatched';
  return null;
}

/** An int64/uint64 field as a number (proto/no-long.ts makes protobufjs decode them so; unset: 0). */
function int(v: number | null | undefined): number {
  return v ?? 0;
}
