import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs/minimal.js';
import {
  decodeResult, encodeHeartbeat, encodeResult, failureFromWire, heartbeatSubject, pb, provenanceFromWire, resultsSubject, WireError, type ProbeResult,
} from '../../../proto/index.js';
import { heartbeatFromMessage, readResult, resultFromMessage, SubjectCache } from '../../../collector/ingest/index.js';
import type { ResultRecord } from '../../../collector/store/index.js';
import { fakeResult, rng, variedResults } from '../../helpers/collector-fixtures.js';

/** The record from protobufjs' generated message, field by field: the reference `readResult` is held to. */
function recordFromGenerated(r: InstanceType<typeof pb.ProbeResult>, receivedAtMs: number): ResultRecord {
  const p = r.phases;
  const int = (v: number | null | undefined) => v ?? 0;
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
    phases: { dns: p?.dns ?? null, connect: p?.connect ?? null, tls: p?.tls ?? null, firstByte: p?.firstByte ?? null, download: p?.download ?? null, total: p?.total ?? null },
    sourceAddress: r.sourceAddress,
    headers: r.headers,
    identity: r.identity,
    bodyMatch: r.bodyMatch === pb.BodyMatch.BODY_MATCH_MATCHED ? 'matched' : r.bodyMatch === pb.BodyMatch.BODY_MATCH_MISMATCHED ? 'mismatched' : null,
    bodyBytes: int(r.bodyBytes),
    bodyTruncated: r.bodyTruncated,
    provenance: provenanceFromWire(r.provenance),
    tlsCertNotAfterMs: r.tlsCertNotAfterMs == null ? null : int(r.tlsCertNotAfterMs),
    ipsInRound: r.ipsInRound,
    receivedAtMs,
  };
}

/** What the generated decoder makes of the bytes: the record, or the error's message. */
function viaGenerated(bytes: Uint8Array): ResultRecord | string {
  try {
    return recordFromGenerated(decodeResult(bytes), 7);
  } catch (err) {
    assert.ok(err instanceof WireError, `the generated path threw ${String(err)}`);
    return err.message;
  }
}

function viaReadResult(bytes: Uint8Array): ResultRecord | string {
  try {
    return readResult(bytes, 7);
  } catch (err) {
    assert.ok(err instanceof WireError, `readResult threw ${String(err)}`);
    return err.message;
  }
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Every field set, every map entry odd, plus fields this schema does not know (as a newer agent would send). */
function edgeCases(): { name: string; bytes: Uint8Array }[] {
  const all: ProbeResult = {
    ...fakeResult({ failure: 'HTTP_STATUS', status: 502 }),
    phases: { dns: 0, connect: 1.5, tls: 2.25, firstByte: 3.125, download: 4, total: 5.5 },
    headers: { server: 'nginx', ['__proto__']: 'x', 'x-mixed': 'Größe ✓', '': 'empty name' },
    identity: { 'x-served-by': 'lb-3', pop: '' },
    bodyMatch: pb.BodyMatch.BODY_MATCH_MISMATCHED,
    bodyBytes: 2 ** 40,
    bodyTruncated: true,
    provenance: pb.Provenance.PROVENANCE_CADDY,
    method: 'HEAD',
    failureDetail: 'upstream prematurely closed connection — 502',
  };
  const unknown = protobuf.Writer.create().uint32((99 << 3) | 2).string('from a newer agent').uint32((98 << 3) | 0).uint64(5).uint32((97 << 3) | 1).double(1).finish();
  const wrongWireType = protobuf.Writer.create().uint32((12 << 3) | 2).string('status as a string').finish();
  const secondPhases = encodeResult({ phases: { download: 9 } });
  return [
    { name: 'every field', bytes: encodeResult(all) },
    { name: 'status 0 and a certificate date of 0, both present', bytes: encodeResult({ ...all, status: 0, tlsCertNotAfterMs: 0 }) },
    { name: 'unknown failure code and provenance', bytes: encodeResult({ ...all, failure: 99, provenance: 42, bodyMatch: 7 } as unknown as ProbeResult) },
    { name: 'negative enum values', bytes: encodeResult({ ...all, failure: -1, provenance: -3 } as unknown as ProbeResult) },
    { name: 'no phases, no maps, no optionals', bytes: encodeResult({ resultId: 'r1', agent: 'a1', region: 'eu-west', target: 'shop', startedAtMs: 5 }) },
    { name: 'unknown fields', bytes: concat(encodeResult(all), unknown) },
    { name: 'a known field with another wire type', bytes: concat(encodeResult(all), wrongWireType) },
    { name: 'phases twice (merged)', bytes: concat(encodeResult(all), secondPhases) },
    { name: 'a field repeated (the last wins)', bytes: concat(encodeResult(all), encodeResult({ url: 'https://other.example/', ipFamily: 6 })) },
    { name: 'empty', bytes: new Uint8Array() },
  ];
}

/** `bytes` damaged one of four ways, chosen by `random`. */
function mangled(bytes: Uint8Array, random: () => number): Uint8Array {
  const at = Math.floor(random() * bytes.length);
  const out = Uint8Array.from(bytes);
  switch (Math.floor(random() * 4)) {
    case 0:
      return bytes.subarray(0, at);
    case 1:
      out[at] = Math.floor(random() * 256);
      return out;
    case 2:
      out[at] = out[at]! ^ 0x80;
      return out;
    default:
      return concat(bytes.subarray(0, at), Uint8Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * 256)), bytes.subarray(at));
  }
}

const subject = resultsSubject('eu-west', 'a1');
/** The collector's clock in these tests. */
const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);
const valid = fakeResult({ region: 'eu-west', agent: 'a1', target: 'shop', startedAtMs: NOW - 1_000 });
const DAY = 86_400_000;

describe('decode', () => {
  const cases: { name: string; subject: string; data: Uint8Array; reason: RegExp }[] = [
    { name: 'empty message', subject, data: new Uint8Array(), reason: /^ProbeResult\.result_id is missing$/ },
    { name: 'garbage', subject, data: Uint8Array.of(0xff, 0xff, 0xff, 0xff), reason: /^undecodable ProbeResult: / },
    { name: 'truncated', subject, data: encodeResult(valid).subarray(0, 20), reason: /^undecodable ProbeResult: / },
    { name: 'no agent', subject, data: encodeResult({ ...valid, agent: '' }), reason: /^ProbeResult\.agent is missing$/ },
    { name: 'no target', subject, data: encodeResult({ ...valid, target: '' }), reason: /^ProbeResult\.target is missing$/ },
    { name: 'region spoofed', subject: resultsSubject('us-east', 'a1'), data: encodeResult(valid), reason: /^message region "eu-west" does not match subject region "us-east"$/ },
    { name: 'agent spoofed', subject: resultsSubject('eu-west', 'a2'), data: encodeResult(valid), reason: /^message agent "a1" does not match subject agent "a2"$/ },
    { name: 'subject with extra tokens', subject: `${subject}.x`, data: encodeResult(valid), reason: /is not crossprobe\.results\.<region>\.<agent>/ },
    { name: 'heartbeat subject', subject: heartbeatSubject('eu-west', 'a1'), data: encodeResult(valid), reason: /is not crossprobe\.results/ },
    { name: 'bad target id', subject, data: encodeResult({ ...valid, target: 'Shop!' }), reason: /^target id "Shop!" must be/ },
    { name: 'result id with a space', subject, data: encodeResult({ ...valid, resultId: 'a b' }), reason: /^result_id "a b" is not 1–128 printable characters$/ },
    { name: 'no start time', subject, data: encodeResult({ ...valid, startedAtMs: 0 }), reason: /^started_at_ms is missing$/ },
    { name: 'oversized', subject, data: encodeResult({ ...valid, headers: { big: 'x'.repeat(70_000) } }), reason: /^message is \d+ bytes, above the 65536-byte limit$/ },
  ];
  for (const c of cases) {
    it(`decode - rejects a result: ${c.name}`, () => {
      const got = resultFromMessage(c.subject, c.data, NOW);
      assert.equal(got.ok, false);
      assert.match(got.ok ? '' : got.reason, c.reason);
    });
  }

  it('decode - a valid result becomes a record, with absent fields as nulls', () => {
    const wire = { ...valid, failureDetail: '', phases: { dns: 0, connect: 1 } };
    delete wire.status;
    delete wire.tlsCertNotAfterMs;
    const got = resultFromMessage(subject, encodeResult(wire), NOW + 1_234, undefined, new SubjectCache());
    assert.ok(got.ok);
    assert.equal(got.value.resultId, valid.resultId);
    assert.equal(got.value.startedAtMs, valid.startedAtMs);
    assert.deepEqual(got.value.phases, { dns: 0, connect: 1, tls: null, firstByte: null, download: null, total: null });
    assert.equal(got.value.status, null);
    assert.equal(got.value.tlsCertNotAfterMs, null);
    assert.equal(got.value.failureDetail, null);
    assert.equal(got.value.bodyMatch, 'matched');
    assert.equal(got.value.receivedAtMs, NOW + 1_234);
  });

  it('decode - 64-bit fields left out of the bytes still decode to numbers', () => {
    const got = resultFromMessage(subject, encodeResult({ ...valid, roundAtMs: 0, bodyBytes: 0 }), NOW);
    assert.ok(got.ok);
    assert.equal(got.value.roundAtMs, 0);
    assert.equal(got.value.bodyBytes, 0);
  });

  it('decode - readResult gives what the generated decoder gives, for varied and odd results', () => {
    const varied = variedResults(2_000, 11).map((r, i) => ({ name: `varied #${i}`, bytes: encodeResult(r) }));
    for (const c of [...edgeCases(), ...varied]) assert.deepStrictEqual(viaReadResult(c.bytes), viaGenerated(c.bytes), c.name);
    const every = readResult(edgeCases()[0]!.bytes, 7);
    assert.deepEqual(Object.keys(every.headers), ['server', '__proto__', 'x-mixed', ''], 'a "__proto__" header is a header, not a prototype');
    assert.equal(Object.getPrototypeOf(every.headers), Object.prototype);
    assert.deepEqual(readResult(edgeCases()[7]!.bytes, 7).phases, { dns: 0, connect: 1.5, tls: 2.25, firstByte: 3.125, download: 9, total: 5.5 });
  });

  it('decode - readResult fails, or succeeds, exactly where the generated decoder does, on 20,000 damaged messages', () => {
    const random = rng(20_251_122);
    const sources = [...edgeCases().map((c) => c.bytes).filter((b) => b.length > 0), ...variedResults(200, 5).map((r) => encodeResult(r))];
    let failed = 0;
    for (let i = 0; i < 20_000; i++) {
      const bytes = mangled(sources[i % sources.length]!, random);
      const expected = viaGenerated(bytes);
      if (typeof expected === 'string') failed++;
      assert.deepStrictEqual(viaReadResult(bytes), expected, `damaged message #${i}: ${Buffer.from(bytes).toString('hex')}`);
    }
    // the damage must produce both outcomes for the comparison to mean anything
    assert.ok(failed > 2_000 && failed < 18_000, `${failed} of 20,000 damaged messages were rejected`);
  });

  // Well-formed results carrying impossible values: each rejected, the field named as the wire contract does.
  const phases = (p: Partial<Record<'dns' | 'connect' | 'tls' | 'firstByte' | 'download' | 'total', number>>) => encodeResult({ ...valid, phases: { ...valid.phases, ...p } });
  const poison: { name: string; data: Uint8Array; reason: string | RegExp }[] = [
    { name: 'a NaN phase', data: phases({ total: NaN }), reason: 'phases.total: NaN' },
    { name: 'an infinite phase', data: phases({ firstByte: Infinity }), reason: 'phases.first_byte: Infinity is outside 0–86400000 ms' },
    { name: 'a minus-infinite phase', data: phases({ dns: -Infinity }), reason: 'phases.dns: -Infinity is outside 0–86400000 ms' },
    { name: 'a negative phase', data: phases({ connect: -1 }), reason: 'phases.connect: -1 is outside 0–86400000 ms' },
    { name: 'a huge phase (sums would overflow)', data: phases({ download: 1e308 }), reason: 'phases.download: 1e+308 is outside 0–86400000 ms' },
    { name: 'a phase of more than a day', data: phases({ tls: DAY + 1 }), reason: 'phases.tls: 86400001 is outside 0–86400000 ms' },
    { name: 'a status above 599', data: encodeResult({ ...valid, status: 700 }), reason: 'status: 700 is not an HTTP status (100–599)' },
    { name: 'a status below 100', data: encodeResult({ ...valid, status: 42 }), reason: 'status: 42 is not an HTTP status (100–599)' },
    {
      name: 'a start far in the past',
      data: encodeResult({ ...valid, startedAtMs: NOW - 15 * DAY, roundAtMs: NOW - 15 * DAY }),
      reason: "started_at_ms: 2026-11-22T12:00:00.000Z is more than 14 days before the collector's clock (2026-12-07T12:00:00.000Z); results that old are past raw retention",
    },
    {
      name: 'a start in the future',
      data: encodeResult({ ...valid, startedAtMs: NOW + 6 * 60_000, roundAtMs: NOW + 6 * 60_000 }),
      reason: "started_at_ms: 2026-12-07T12:06:00.000Z is more than 5 minutes ahead of the collector's clock (2026-12-07T12:00:00.000Z): check the agent's clock (NTP)",
    },
    { name: 'a negative start', data: encodeResult({ ...valid, startedAtMs: -5 }), reason: 'started_at_ms: -5 is not a time' },
    { name: 'a round far from the start', data: encodeResult({ ...valid, roundAtMs: 1 }), reason: `round_at_ms: 1 is not within a day of started_at_ms (${NOW - 1_000})` },
    { name: 'an ip that is none', data: encodeResult({ ...valid, ip: '203.0.113.7; DROP TABLE' }), reason: 'ip: "203.0.113.7; DROP TABLE" is not an IP address' },
    { name: 'a source address that is none', data: encodeResult({ ...valid, sourceAddress: 'x'.repeat(100) }), reason: `source_address: "${'x'.repeat(64)}" is not an IP address` },
    { name: 'an ip family of 5', data: encodeResult({ ...valid, ipFamily: 5 }), reason: 'ip_family: 5 is not 4, 6 or 0' },
    { name: 'body bytes past 1 GiB', data: encodeResult({ ...valid, bodyBytes: 2 ** 40 }), reason: 'body_bytes: 1099511627776 is outside 0–1073741824' },
    { name: 'a negative certificate expiry', data: encodeResult({ ...valid, tlsCertNotAfterMs: -5 }), reason: 'tls_cert_not_after_ms: -5 is not a time up to the year 9999' },
    { name: 'ips in round past 1,024', data: encodeResult({ ...valid, ipsInRound: 100_000 }), reason: 'ips_in_round: 100000 is above 1024' },
    { name: 'a URL of 10,000 characters', data: encodeResult({ ...valid, url: `https://x.example/${'a'.repeat(9_982)}` }), reason: 'url: 10000 characters, above 8192' },
    { name: 'a method that is none', data: encodeResult({ ...valid, method: 'get me' }), reason: 'method: "get me" is not an HTTP method' },
    { name: 'a failure detail of 9,000 characters', data: encodeResult({ ...valid, failureDetail: 'e'.repeat(9_000) }), reason: 'failure_detail: 9000 characters, above 8192' },
    { name: '65 headers', data: encodeResult({ ...valid, headers: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`h${i}`, 'v'])) }), reason: 'headers: more than 64 entries' },
    { name: 'an identity value of 600 characters', data: encodeResult({ ...valid, identity: { 'x-served-by': 'n'.repeat(600) } }), reason: 'identity["x-served-by"]: 600 characters, above 512' },
  ];
  for (const c of poison) {
    it(`decode - rejects a result carrying impossible values: ${c.name}`, () => {
      assert.deepEqual(resultFromMessage(subject, c.data, NOW), { ok: false, reason: c.reason });
    });
  }

  it('decode - a start exactly at either time bound is taken; the bounds are the caller\'s', () => {
    const at = (startedAtMs: number, bounds?: { maxAgeMs: number; maxAheadMs: number }) =>
      resultFromMessage(subject, encodeResult({ ...valid, startedAtMs, roundAtMs: startedAtMs }), NOW, undefined, undefined, bounds).ok;
    assert.equal(at(NOW - 14 * DAY), true);
    assert.equal(at(NOW - 14 * DAY - 1), false);
    assert.equal(at(NOW + 5 * 60_000), true);
    assert.equal(at(NOW + 5 * 60_000 + 1), false);
    assert.equal(at(NOW - 2 * DAY, { maxAgeMs: DAY, maxAheadMs: 1_000 }), false);
    assert.equal(at(NOW + 2_000, { maxAgeMs: DAY, maxAheadMs: 1_000 }), false);
    assert.equal(at(NOW + 1_000, { maxAgeMs: DAY, maxAheadMs: 1_000 }), true);
  });

  it('decode - edge values an agent does send are taken: zero phases, status 0, no IP (DNS failed), a certificate of 9999', () => {
    const edge = { ...valid, phases: { dns: 0, connect: 0, tls: 0, firstByte: 0, download: 0, total: DAY }, status: 0, ip: '', ipFamily: 0, tlsCertNotAfterMs: 253_402_300_799_999 };
    assert.equal(resultFromMessage(subject, encodeResult(edge), NOW).ok, true);
    assert.equal(resultFromMessage(subject, encodeResult({ ...valid, ip: '2001:db8::7', ipFamily: 6, sourceAddress: '::1' }), NOW).ok, true);
  });

  it('decode - a heartbeat carrying a NaN is rejected, the field named', () => {
    const hb = (schedLagMs: number, totalMs?: number) =>
      encodeHeartbeat({ agent: 'a1', region: 'eu-west', version: '1', sentAtMs: 5, schedLagMs, controls: [{ url: 'u', ok: true, ...(totalMs === undefined ? {} : { totalMs }) }] });
    assert.deepEqual(heartbeatFromMessage(heartbeatSubject('eu-west', 'a1'), hb(NaN), 9), { ok: false, reason: 'sched_lag_ms: NaN is outside 0–86400000 ms' });
    assert.deepEqual(heartbeatFromMessage(heartbeatSubject('eu-west', 'a1'), hb(1, -Infinity), 9), { ok: false, reason: 'controls[0].total_ms: -Infinity is outside 0–86400000 ms' });
    assert.equal(heartbeatFromMessage(heartbeatSubject('eu-west', 'a1'), hb(1, 20), 9).ok, true);
  });

  it('decode - heartbeats are checked like results', () => {
    const hb = encodeHeartbeat({ agent: 'a1', region: 'eu-west', version: '1', sentAtMs: 5, controls: [{ url: 'u', ok: false, failure: pb.FailureCode.DNS_TIMEOUT }] });
    const ok = heartbeatFromMessage(heartbeatSubject('eu-west', 'a1'), hb, 9);
    assert.ok(ok.ok);
    assert.deepEqual(ok.value.controls, [{ url: 'u', ok: false, failure: 'DNS_TIMEOUT', checkedAtMs: 0, consecutiveFailures: 0, totalMs: null }]);
    assert.equal(ok.value.spoolDepth, 0);
    const spoofed = heartbeatFromMessage(heartbeatSubject('eu-west', 'a2'), hb, 9);
    assert.deepEqual(spoofed, { ok: false, reason: 'heartbeat agent "a1" does not match subject agent "a2"' });
    assert.deepEqual(heartbeatFromMessage(subject, hb, 9), { ok: false, reason: `subject "${subject}" is not crossprobe.heartbeat.<region>.<agent>` });
  });
});
