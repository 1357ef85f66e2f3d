import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  pb, encodeResult, decodeResult, encodeHeartbeat, decodeHeartbeat, encodeTarget, decodeTarget, WireError,
  FAILURE_CODES, PROVENANCES, failureToWire, failureFromWire, provenanceToWire, provenanceFromWire, type ProbeResult,
} from '../../proto/index.js';
import { repoRoot } from '../helpers/paths.js';
import protobuf from 'protobufjs';

/** Field names (camelCase) of a message as declared in proto/crossprobe.proto. */
function schemaFields(message: string): string[] {
  const root = protobuf.loadSync(join(repoRoot, 'proto', 'crossprobe.proto'));
  return root.lookupType(`crossprobe.v1.${message}`).fieldsArray.map((f) => f.name).sort();
}

const fullResult: ProbeResult = {
  resultId: '0190c4e2-7a3b-7c1d-9e2f-0123456789ab',
  agent: 'fra-1',
  region: 'eu-central',
  target: 'shop',
  url: 'https://shop.example.com/health',
  startedAtMs: 1_763_776_000_123,
  roundAtMs: 1_763_776_000_000,
  phases: { dns: 1.5, connect: 0, tls: 12.25, firstByte: 40.125, download: 2, total: 55.875 },
  ok: false,
  failure: pb.FailureCode.HTTP_STATUS,
  failureDetail: 'status 502',
  status: 502,
  ip: '2001:db8::7',
  ipFamily: 6,
  sourceAddress: '127.0.1.3',
  headers: { server: 'nginx', via: '1.1 varnish' },
  identity: { 'x-served-by': 'lb-3', pop: 'FRA' },
  bodyMatch: pb.BodyMatch.BODY_MATCH_MISMATCHED,
  bodyBytes: 1_048_576,
  bodyTruncated: true,
  provenance: pb.Provenance.PROVENANCE_NGINX,
  tlsCertNotAfterMs: 1_800_000_000_000,
  method: 'GET',
  ipsInRound: 3,
};

test('wire - ProbeResult round-trips every field', () => {
  const opts = { defaults: true, longs: Number, enums: Number };
  const back = pb.ProbeResult.toObject(decodeResult(encodeResult(fullResult)), opts);
  assert.deepEqual(back, pb.ProbeResult.toObject(pb.ProbeResult.fromObject(fullResult), opts));
  assert.equal(back.ok, false);
  assert.equal(back.ipFamily, 6);
  // a field added to the .proto must be added to the fixture above, or this fails
  assert.deepEqual(Object.keys(fullResult).sort(), schemaFields('ProbeResult'));
});

test('wire - phases distinguish "not reached" from a measured 0', () => {
  const r = decodeResult(encodeResult({ ...fullResult, phases: { dns: 0, total: 3 } }));
  assert.equal(r.phases!.dns, 0);
  assert.equal(r.phases!.hasOwnProperty('connect') && r.phases!.connect != null, false);
  assert.equal(r.phases!.total, 3);
  const noStatus = decodeResult(encodeResult({ ...fullResult, status: null }));
  assert.equal(noStatus.status ?? null, null);
});

test('wire - int64 fields decode as numbers, not Long', () => {
  const r = decodeResult(encodeResult(fullResult));
  assert.equal(typeof r.startedAtMs, 'number');
  assert.equal(r.startedAtMs, 1_763_776_000_123);
  assert.equal(typeof r.bodyBytes, 'number');
  // unset int64 fields take their default from the generated prototype: a number too
  const empty = decodeHeartbeat(encodeHeartbeat({ agent: 'a', region: 'b' }));
  assert.equal(empty.spoolDepth, 0);
  assert.equal(empty.sentAtMs, 0);
});

test('wire - Heartbeat and Target round-trip every field', () => {
  const hb = {
    agent: 'fra-1', region: 'eu-central', version: '0.1.0', sentAtMs: 1_763_776_000_500, startedAtMs: 1_763_770_000_000,
    targets: 12, spoolDepth: 4, spoolDropped: 1, schedLagMs: 3.5, resultsPublished: 99, inFlight: 2, spoolBytes: 2048, rssBytes: 83_886_080,
    spoolDegraded: true, spoolError: 'ENOSPC', memoryQueueDepth: 17, memoryQueueBytes: 9_520, memoryQueueDropped: 3,
    controls: [{ url: 'https://example.net/', ok: false, failure: pb.FailureCode.CONNECT_TIMEOUT, checkedAtMs: 1_763_776_000_000, consecutiveFailures: 3, totalMs: 5000 }],
  };
  const opts = { defaults: true, longs: Number, enums: Number };
  assert.deepEqual(pb.Heartbeat.toObject(decodeHeartbeat(encodeHeartbeat(hb)), opts), pb.Heartbeat.toObject(pb.Heartbeat.fromObject(hb), opts));
  assert.deepEqual(Object.keys(hb).sort(), schemaFields('Heartbeat'));
  assert.deepEqual(Object.keys(hb.controls[0]!).sort(), schemaFields('ControlHealth'));
  const t = {
    id: 'shop', url: 'https://shop.example.com/health', method: 'GET', intervalMs: 60000, timeoutMs: 10000,
    expectStatusMin: 200, expectStatusMax: 399, bodyContains: 'ok', resolveAll: true, regions: ['eu-west', 'us-east'],
    identity: [{ header: 'cf-ray', pattern: '-(\\w+)$', name: 'pop' }], requestHeaders: { authorization: 'Bearer x' },
  };
  assert.deepEqual(pb.Target.toObject(decodeTarget(encodeTarget(t))), t);
  assert.deepEqual(Object.keys(t).sort(), schemaFields('Target'));
});

test('wire - failure codes and provenance map both ways', () => {
  for (const code of FAILURE_CODES) assert.equal(failureFromWire(failureToWire(code)), code);
  assert.equal(failureFromWire(failureToWire(null)), null);
  for (const p of PROVENANCES) assert.equal(provenanceFromWire(provenanceToWire(p)), p);
  assert.equal(Object.keys(pb.FailureCode).length - 1, FAILURE_CODES.length, 'every wire failure code has a name');
});

test('wire - undecodable bytes and missing ids raise WireError naming the problem', () => {
  assert.throws(() => decodeResult(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f])), (e: unknown) => e instanceof WireError && /undecodable ProbeResult/.test(e.message));
  assert.throws(() => decodeResult(encodeResult({ ...fullResult, resultId: '' })), /ProbeResult.result_id is missing/);
  assert.throws(() => decodeHeartbeat(encodeHeartbeat({ agent: 'a' })), /Heartbeat.region is missing/);
});

test('wire - proto/gen is what `npm run proto` generates from proto/crossprobe.proto', () => {
  const out = mkdtempSync(join(tmpdir(), 'crossprobe-gen-'));
  try {
    execFileSync(process.execPath, [join(repoRoot, 'scripts', 'gen-proto.mjs'), '--out', out]);
    for (const f of ['crossprobe.js', 'crossprobe.d.ts']) {
      assert.equal(readFileSync(join(out, f), 'utf8'), readFileSync(join(repoRoot, 'proto', 'gen', f), 'utf8'), `proto/gen/${f} is stale: run npm run proto`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('ids - result ids are UUIDv7: time-ordered by their ms prefix, version 7, RFC variant, unique', async () => {
  const { resultId } = await import('../../proto/index.js');
  const id = resultId(1_763_776_000_123);
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(parseInt(id.replace(/-/g, '').slice(0, 12), 16), 1_763_776_000_123);
  assert.ok(resultId(1_000) < resultId(2_000), 'a later ms sorts later');
  const many = new Set(Array.from({ length: 50_000 }, () => resultId(5)));
  assert.equal(many.size, 50_000, 'no collision within one millisecond');
});
