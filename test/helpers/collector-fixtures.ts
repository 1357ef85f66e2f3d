import type { JetStreamClient } from 'nats';
import { encodeResult, pb, resultId, resultsSubject, failureToWire, type FailureCode, type ProbeResult } from '../../proto/index.js';
import { readResult } from '../../collector/ingest/index.js';
import type { ResultRecord } from '../../collector/store/index.js';

import { seededRandom as rng } from '../../lab/faults.js';

/** A deterministic pseudo-random generator (the lab's mulberry32), so failing data can be reproduced. */
export { rng };

export interface FakeResultOptions {
  readonly target?: string;
  readonly region?: string;
  readonly agent?: string;
  readonly ip?: string;
  readonly startedAtMs?: number;
  readonly failure?: FailureCode | null;
  readonly status?: number | null;
  readonly totalMs?: number | null;
  readonly firstByteMs?: number | null;
  readonly identity?: Record<string, string>;
}

/** A complete wire ProbeResult, as an agent would publish it. */
export function fakeResult(o: FakeResultOptions = {}): ProbeResult {
  const startedAtMs = o.startedAtMs ?? Date.now();
  const failure = o.failure ?? null;
  const status = o.status === undefined ? (failure === null ? 200 : failure === 'HTTP_STATUS' ? 502 : null) : o.status;
  const phases: ProbeResult['phases'] = { dns: 1.5, connect: 2.25, tls: 5 };
  const firstByte = o.firstByteMs === undefined ? (status === null ? null : 20) : o.firstByteMs;
  const total = o.totalMs === undefined ? 30 : o.totalMs;
  if (firstByte !== null) phases.firstByte = firstByte;
  if (total !== null) phases.total = total;
  const r: ProbeResult = {
    resultId: resultId(startedAtMs),
    agent: o.agent ?? 'a1',
    region: o.region ?? 'eu-west',
    target: o.target ?? 'shop',
    url: 'https://shop.example.com/health',
    method: 'GET',
    startedAtMs,
    roundAtMs: startedAtMs - (startedAtMs % 1_000),
    phases,
    ok: failure === null,
    failure: failureToWire(failure),
    failureDetail: failure === null ? '' : `simulated ${failure}`,
    ip: o.ip ?? '203.0.113.7',
    ipFamily: 4,
    sourceAddress: '198.51.100.2',
    headers: { server: 'nginx', 'x-served-by': 'node-1' },
    identity: o.identity ?? { 'x-served-by': 'node-1' },
    bodyMatch: pb.BodyMatch.BODY_MATCH_MATCHED,
    bodyBytes: 3,
    bodyTruncated: false,
    provenance: status !== null && status >= 500 ? pb.Provenance.PROVENANCE_NGINX : pb.Provenance.PROVENANCE_UNSPECIFIED,
    tlsCertNotAfterMs: startedAtMs + 30 * 86_400_000,
    ipsInRound: 2,
  };
  if (status !== null) r.status = status;
  return r;
}

/** The stored form of a fake result (through the same conversion ingest uses). */
export function fakeRecord(o: FakeResultOptions = {}, receivedAtMs = Date.now()): ResultRecord {
  return readResult(encodeResult(fakeResult(o)), receivedAtMs);
}

/**
 * `n` varied results over `spanMs` ending at `endMs`, across 3 regions × 2 agents × 3 IPs × 2 targets,
 * with ~10% failures of several codes and some phases missing.
 */
export function variedResults(n: number, seed: number, endMs = Date.now(), spanMs = 3_600_000): ProbeResult[] {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const codes: FailureCode[] = ['HTTP_STATUS', 'CONNECT_REFUSED', 'HEADERS_TIMEOUT', 'DNS_SERVFAIL', 'TLS_HANDSHAKE'];
  const out: ProbeResult[] = [];
  for (let i = 0; i < n; i++) {
    const region = pick(['eu-west', 'us-east', 'ap-south']);
    const failure = rand() < 0.1 ? pick(codes) : null;
    const dnsFailed = failure === 'DNS_SERVFAIL';
    out.push(
      fakeResult({
        target: pick(['shop', 'api']),
        region,
        agent: `${region}-${pick(['a', 'b'])}`,
        ip: dnsFailed ? '' : pick(['203.0.113.7', '203.0.113.8', '203.0.113.9']),
        startedAtMs: Math.floor(endMs - rand() * spanMs),
        failure,
        totalMs: dnsFailed ? null : Math.round(rand() * 500_000) / 1000,
        firstByteMs: failure === null || failure === 'HTTP_STATUS' ? Math.round(rand() * 300_000) / 1000 : null,
      }),
    );
  }
  return out;
}

/**
 * Publishes to JetStream with up to `inFlight` publishes awaiting their acks at once. `msgId: true`
 * sets Nats-Msg-Id to the result id (as agents do); false publishes without it, so the server does
 * not de-duplicate.
 */
export async function publishPipelined(
  js: JetStreamClient,
  messages: readonly { subject: string; data: Uint8Array; msgId?: string }[],
  inFlight = 1_000,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < messages.length) {
      const m = messages[next++]!;
      await js.publish(m.subject, m.data, m.msgId === undefined ? {} : { msgID: m.msgId });
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, messages.length) }, worker));
}

/** Wire results as publishable messages on their own agents' subjects. */
export function asMessages(results: readonly ProbeResult[], msgId = true): { subject: string; data: Uint8Array; msgId?: string }[] {
  return results.map((r) => {
    const m = { subject: resultsSubject(r.region!, r.agent!), data: encodeResult(r) };
    return msgId ? { ...m, msgId: r.resultId! } : m;
  });
}
