import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NatsConnection } from 'nats';
import Database from 'better-sqlite3';
import { encodeResult, parseTarget, resultsSubject, type ProbeResult } from '../../../proto/index.js';
import { startIngest, type Ingest } from '../../../collector/ingest/index.js';
import type { Store } from '../../../collector/store/index.js';
import { NatsServer } from '../../helpers/nats-server.js';
import { memoryLogger } from '../../helpers/logger.js';
import { waitFor } from '../../helpers/stream.js';
import { asMessages, fakeResult, publishPipelined, rng, variedResults } from '../../helpers/collector-fixtures.js';
import { TempDir, storedIds, tempStore } from '../../helpers/collector-store.js';
import { connectForever, consumerDrained } from '../../helpers/collector-nats.js';

const DAY = 86_400_000;

/** Every kind of poison a result can carry, each with the reason its reject must give. */
const POISON: readonly { kind: string; make: (r: ProbeResult, rand: () => number) => Uint8Array; reason: RegExp }[] = [
  { kind: 'NaN phase', make: (r) => encodeResult({ ...r, phases: { ...r.phases, total: NaN } }), reason: /^phases\.total: NaN$/ },
  { kind: '+Infinity phase', make: (r) => encodeResult({ ...r, phases: { ...r.phases, firstByte: Infinity } }), reason: /^phases\.first_byte: Infinity is outside/ },
  { kind: '-Infinity phase', make: (r) => encodeResult({ ...r, phases: { ...r.phases, total: -Infinity } }), reason: /^phases\.total: -Infinity is outside/ },
  { kind: 'negative phase', make: (r) => encodeResult({ ...r, phases: { ...r.phases, dns: -3 } }), reason: /^phases\.dns: -3 is outside/ },
  { kind: 'huge phase', make: (r) => encodeResult({ ...r, phases: { ...r.phases, total: 1.7e308 } }), reason: /^phases\.total: 1\.7e\+308 is outside/ },
  { kind: 'start far past', make: (r) => encodeResult({ ...r, startedAtMs: Date.now() - 30 * DAY, roundAtMs: Date.now() - 30 * DAY }), reason: /^started_at_ms: .* before the collector's clock/ },
  { kind: 'start far future', make: (r) => encodeResult({ ...r, startedAtMs: Date.now() + DAY, roundAtMs: Date.now() + DAY }), reason: /^started_at_ms: .* ahead of the collector's clock/ },
  { kind: 'status 1000', make: (r) => encodeResult({ ...r, status: 1_000 }), reason: /^status: 1000 is not an HTTP status/ },
  { kind: 'oversized identity', make: (r) => encodeResult({ ...r, identity: { pop: 'p'.repeat(5_000) } }), reason: /^identity\["pop"\]: 5000 characters/ },
  { kind: 'oversized url', make: (r) => encodeResult({ ...r, url: `https://x/${'u'.repeat(20_000)}` }), reason: /^url: \d+ characters, above 8192$/ },
  // result_id announcing 200 bytes, followed by fewer random ones
  { kind: 'garbage bytes', make: (_r, rand) => Uint8Array.of(0x0a, 0xc8, 0x01, ...Array.from({ length: Math.floor(rand() * 199) }, () => Math.floor(rand() * 256))), reason: /^undecodable ProbeResult: / },
];

describe('ingest poison', () => {
  let server: NatsServer;
  let nc: NatsConnection;
  let dir: TempDir;
  let store: Store;
  let ingest: Ingest | null;
  let log: ReturnType<typeof memoryLogger>;

  beforeEach(async () => {
    server = await NatsServer.start();
    nc = await connectForever(server);
    dir = new TempDir();
    store = tempStore(dir);
    ingest = null;
    log = memoryLogger('info');
  });
  afterEach(async () => {
    await ingest?.stop();
    await nc.close();
    store.close();
    await server.dispose();
    dir.dispose();
  });

  it('ingest - 10,000 good results with poison of every kind interleaved: every good one stored, every bad one in rejects, ingest never stalls', async () => {
    ingest = await startIngest({ nc, store, logger: log.logger, ackWaitMs: 60_000 });
    const rand = rng(19);
    const good = variedResults(10_000, 19);
    const goodMessages = asMessages(good);
    const messages: { subject: string; data: Uint8Array; msgId?: string }[] = [];
    const expected = new Map<string, number>();
    for (let i = 0; i < good.length; i++) {
      messages.push(goodMessages[i]!);
      // one poison message after every fourth good one: every batch of 500 holds dozens
      if (i % 4 === 3) {
        const p = POISON[Math.floor(i / 4) % POISON.length]!;
        const victim = fakeResult({ region: 'eu-west', agent: 'eu-west-a' });
        messages.push({ subject: resultsSubject('eu-west', 'eu-west-a'), data: p.make(victim, rand) });
        expected.set(p.kind, (expected.get(p.kind) ?? 0) + 1);
      }
    }
    const poisoned = messages.length - good.length;
    await publishPipelined(nc.jetstream(), messages);
    await waitFor('every message handled and acked', async () => ingest!.stats().received >= messages.length && (await consumerDrained(nc)), 60_000);

    const s = ingest.stats();
    assert.deepEqual(
      { received: s.received, inserted: s.inserted, duplicates: s.duplicates, rejected: s.rejected, failedBatches: s.failedBatches },
      { received: messages.length, inserted: 10_000, duplicates: 0, rejected: poisoned, failedBatches: 0 },
    );
    assert.deepEqual(new Set(storedIds(store.path)), new Set(good.map((r) => r.resultId)));
    const rejects = store.listRejects(10_000);
    assert.equal(rejects.length, poisoned);
    for (const p of POISON) {
      assert.equal(rejects.filter((r) => p.reason.test(r.reason)).length, expected.get(p.kind), `${p.kind}: every one rejected, with its reason`);
    }
    // the rollups took every good result and nothing else
    const db = new Database(store.path, { readonly: true });
    try {
      assert.equal(db.prepare('SELECT SUM(n) FROM rollups').pluck().get(), 10_000);
    } finally {
      db.close();
    }
  });

  it('ingest - a result that passes decode but that the database refuses goes to rejects; its batch-mates are stored and acked', async () => {
    const batch = variedResults(1_000, 21);
    const victim = batch[357]!.resultId!;
    const db = new Database(store.path);
    try {
      db.exec(`CREATE TRIGGER poison BEFORE INSERT ON results WHEN NEW.result_id = '${victim}' BEGIN SELECT RAISE(ABORT, 'poisoned row'); END`);
    } finally {
      db.close();
    }
    ingest = await startIngest({ nc, store, logger: log.logger, ackWaitMs: 60_000 });
    await publishPipelined(nc.jetstream(), asMessages(batch));
    await waitFor('every message handled and acked', async () => ingest!.stats().received >= 1_000 && (await consumerDrained(nc)), 30_000);

    const s = ingest.stats();
    assert.deepEqual({ inserted: s.inserted, rejected: s.rejected, failedBatches: s.failedBatches, lostRejects: s.lostRejects }, { inserted: 999, rejected: 1, failedBatches: 0, lostRejects: 0 });
    assert.ok(s.isolatedBatches >= 1);
    assert.deepEqual(new Set(storedIds(store.path)), new Set(batch.filter((r) => r.resultId !== victim).map((r) => r.resultId)));
    const [reject] = store.listRejects(10);
    assert.equal(reject!.reason, 'the database refused the result: poisoned row');
    assert.equal(reject!.subject, resultsSubject(batch[357]!.region!, batch[357]!.agent!));
    assert.ok(reject!.bytes.equals(encodeResult(batch[357]!)), 'the message kept as it came');
    assert.ok(log.lines.some((l) => /committed row by row/.test(l.msg)));
  });

  it('ingest - a reject the database refuses too is lost, counted and logged: ingest goes on', async () => {
    const batch = variedResults(600, 22);
    const victim = batch[42]!.resultId!;
    const db = new Database(store.path);
    try {
      db.exec(`CREATE TRIGGER poison BEFORE INSERT ON results WHEN NEW.result_id = '${victim}' BEGIN SELECT RAISE(ABORT, 'poisoned row'); END`);
      db.exec(`CREATE TRIGGER poison_reject BEFORE INSERT ON rejects WHEN NEW.reason LIKE '%poisoned%' BEGIN SELECT RAISE(ABORT, 'poisoned reject'); END`);
    } finally {
      db.close();
    }
    ingest = await startIngest({ nc, store, logger: log.logger, ackWaitMs: 60_000 });
    const garbage = { subject: resultsSubject('eu-west', 'a1'), data: Uint8Array.of(0xff, 0xff) };
    await publishPipelined(nc.jetstream(), [...asMessages(batch), garbage]);
    await waitFor('every message handled and acked', async () => ingest!.stats().received >= 601 && (await consumerDrained(nc)), 30_000);

    const s = ingest.stats();
    assert.deepEqual({ inserted: s.inserted, rejected: s.rejected, lostRejects: s.lostRejects, failedBatches: s.failedBatches }, { inserted: 599, rejected: 2, lostRejects: 1, failedBatches: 0 });
    assert.equal(store.countRejects(), 1, 'the garbage message is kept; the refused result could not be');
    const said = log.lines.find((l) => /refused to keep/.test(l.msg));
    assert.ok(said, 'logged');
    assert.equal(said.level, 50);
    assert.match(String(said.firstRefused), /poisoned reject \(reject: the database refused the result: poisoned row\)/);
  });

  it('ingest - results of new targets past the cap of targets known only from results are rejected and counted; API targets are taken', async () => {
    store.putTarget(parseTarget({ id: 'managed', url: 'https://managed.example/' }));
    ingest = await startIngest({ nc, store, logger: log.logger, maxResultTargets: 3 });
    const targets = ['t1', 't2', 't3', 't4', 't5', 'managed'];
    const results = targets.flatMap((target) => Array.from({ length: 20 }, () => fakeResult({ target })));
    await publishPipelined(nc.jetstream(), asMessages(results));
    await waitFor('every message handled and acked', async () => ingest!.stats().received >= results.length && (await consumerDrained(nc)), 30_000);
    const s = ingest.stats();
    assert.deepEqual({ inserted: s.inserted, rejected: s.rejected, overTargetCap: s.overTargetCap }, { inserted: 80, rejected: 40, overTargetCap: 40 });
    const stored = new Set(store.queryResults({ limit: 1_000 }).results.map((r) => r.target));
    assert.deepEqual([...stored].sort(), ['managed', 't1', 't2', 't3']);
    const reasons = new Set(store.listRejects(100).map((r) => r.reason));
    assert.deepEqual([...reasons].sort(), [
      'target "t4" is not known to the collector, and 3 targets known only from results reach the cap (--max-result-targets 3): add it through the API (crossprobe targets add) or raise the cap',
      'target "t5" is not known to the collector, and 3 targets known only from results reach the cap (--max-result-targets 3): add it through the API (crossprobe targets add) or raise the cap',
    ]);
  });
});
