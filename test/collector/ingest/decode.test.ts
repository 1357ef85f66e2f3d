import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeHeartbeat, encodeResult, heartbeatSubject, pb, resultsSubject } from '../../../proto/index.js';
import { heartbeatFromMessage, resultFromMessage, SubjectCache } from '../../../collector/ingest/index.js';
import { fakeResult } from '../../helpers/collector-fixtures.js';

const subject = resultsSubject('eu-west', 'a1');
const valid = fakeResult({ region: 'eu-west', agent: 'a1', target: 'shop' });

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
      const got = resultFromMessage(c.subject, c.data, 1_000);
      assert.equal(got.ok, false);
      assert.match(got.ok ? '' : got.reason, c.reason);
    });
  }

  it('decode - a valid result becomes a record, with absent fields as nulls', () => {
    const wire = { ...valid, failureDetail: '', phases: { dns: 0, connect: 1 } };
    delete wire.status;
    delete wire.tlsCertNotAfterMs;
    const got = resultFromMessage(subject, encodeResult(wire), 1_234, undefined, new SubjectCache());
    assert.ok(got.ok);
    assert.equal(got.value.resultId, valid.resultId);
    assert.equal(got.value.startedAtMs, valid.startedAtMs);
    assert.deepEqual(got.value.phases, { dns: 0, connect: 1, tls: null, firstByte: null, download: null, total: null });
    assert.equal(got.value.status, null);
    assert.equal(got.value.tlsCertNotAfterMs, null);
    assert.equal(got.value.failureDetail, null);
    assert.equal(got.value.bodyMatch, 'matched');
    assert.equal(got.value.receivedAtMs, 1_234);
  });

  it('decode - 64-bit fields left out of the bytes still decode to numbers', () => {
    const got = resultFromMessage(subject, encodeResult({ ...valid, roundAtMs: 0, bodyBytes: 0 }), 1);
    assert.ok(got.ok);
    assert.equal(got.value.roundAtMs, 0);
    assert.equal(got.value.bodyBytes, 0);
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
