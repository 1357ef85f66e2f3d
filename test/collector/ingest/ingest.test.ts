import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { AckPolicy, DeliverPolicy, connect, nanos, type NatsConnection } from 'nats';
import Database from 'better-sqlite3';
import { DEFAULT_DURABLE, RESULTS_STREAM, RESULTS_SUBJECTS, ensureResultsStream, encodeHeartbeat, encodeResult, failureToWire, heartbeatSubject } from '../../../proto/index.js';
import { startIngest, type Ingest } from '../../../collector/ingest/index.js';
import type { Store } from '../../../collector/store/index.js';
import { NatsServer } from '../../helpers/nats-server.js';
import { collectorPermissions } from '../../../cli/enroll.js';
import { COLLECTOR_INBOX_PREFIX } from '../../../proto/nats-options.js';
import { memoryLogger } from '../../helpers/logger.js';
import { waitFor } from '../../helpers/stream.js';
import { asMessages, fakeResult, publishPipelined, variedResults } from '../../helpers/collector-fixtures.js';
import { TempDir, readDb, storedIds, tempStore } from '../../helpers/collector-store.js';
import { connectForever, consumerDrained } from '../../helpers/collector-nats.js';

function distinctIds(path: string): { rows: number; uniq: number } {
  const db = readDb(path);
  try {
    return db.prepare('SELECT COUNT(*) AS rows, COUNT(DISTINCT result_id) AS uniq FROM results').get() as { rows: number; uniq: number };
  } finally {
    db.close();
  }
}

describe('ingest', () => {
  let server: NatsServer;
  let nc: NatsConnection;
  let dir: TempDir;
  let store: Store;
  let ingest: Ingest | null;
  const log = memoryLogger('info');

  beforeEach(async () => {
    server = await NatsServer.start();
    nc = await connectForever(server);
    dir = new TempDir();
    store = tempStore(dir);
    ingest = null;
  });
  afterEach(async () => {
    await ingest?.stop();
    await nc.close();
    store.close();
    await server.dispose();
    dir.dispose();
  });

  it('ingest - creates the stream, the targets bucket and the durable consumer', async () => {
    ingest = await startIngest({ nc, store, logger: log.logger });
    const jsm = await nc.jetstreamManager();
    const info = await jsm.consumers.info(RESULTS_STREAM, DEFAULT_DURABLE);
    assert.equal(info.config.ack_policy, 'all');
    assert.equal(info.config.max_ack_pending, 2_000);
    assert.equal(info.config.ack_wait, 30_000_000_000);
    assert.ok((await jsm.streams.names().next()).includes('KV_crossprobe_targets'));
  });

  it('ingest - a batch of N results becomes N rows, each acked after commit', async () => {
    ingest = await startIngest({ nc, store, logger: log.logger, ackWaitMs: 60_000 });
    const results = variedResults(3_000, 1);
    await publishPipelined(nc.jetstream(), asMessages(results));
    await waitFor('3,000 inserted', () => ingest!.stats().inserted === 3_000);
    await waitFor('consumer drained', () => consumerDrained(nc));
    const s = ingest.stats();
    assert.deepEqual({ received: s.received, inserted: s.inserted, duplicates: s.duplicates, rejected: s.rejected }, { received: 3_000, inserted: 3_000, duplicates: 0, rejected: 0 });
    assert.ok(s.batches >= 6, `batched (${s.batches} batches of at most 500)`);
    assert.deepEqual(distinctIds(store.path), { rows: 3_000, uniq: 3_000 });
    const newest = Math.max(...results.map((r) => r.startedAtMs!));
    assert.ok(s.lagMs !== null && s.lagMs >= Date.now() - newest - 1_000);
    assert.equal(typeof s.pending, 'number');
  });

  it('ingest - the same results again (no Nats-Msg-Id, then a consumer reset) are stored once and counted as duplicates', async () => {
    ingest = await startIngest({ nc, store, logger: log.logger });
    const messages = asMessages(variedResults(2_000, 2));
    await publishPipelined(nc.jetstream(), messages);
    await waitFor('first copies inserted', () => ingest!.stats().inserted === 2_000);
    // Without Nats-Msg-Id the stream keeps the second copy: the collector sees every id twice.
    await publishPipelined(nc.jetstream(), messages.map(({ subject, data }) => ({ subject, data })));
    await waitFor('second copies seen', () => ingest!.stats().duplicates === 2_000);
    assert.equal(ingest.stats().inserted, 2_000);
    assert.equal(store.countResults(), 2_000);
    await ingest.stop();

    // A consumer reset: the durable is gone, a new one starts from the first message of the stream.
    await (await nc.jetstreamManager()).consumers.delete(RESULTS_STREAM, DEFAULT_DURABLE);
    ingest = await startIngest({ nc, store, logger: log.logger });
    await waitFor('whole stream redelivered', () => ingest!.stats().duplicates === 4_000);
    assert.equal(ingest.stats().inserted, 0);
    assert.deepEqual(distinctIds(store.path), { rows: 2_000, uniq: 2_000 });
  });

  it('ingest - recreates its consumer when it is deleted while running', async () => {
    ingest = await startIngest({ nc, store, logger: log.logger });
    await publishPipelined(nc.jetstream(), asMessages(variedResults(500, 3)));
    await waitFor('inserted', () => ingest!.stats().inserted === 500);
    await (await nc.jetstreamManager()).consumers.delete(RESULTS_STREAM, DEFAULT_DURABLE);
    await waitFor('consumer recreated and the stream redelivered', () => ingest!.stats().duplicates === 500, 30_000);
    await publishPipelined(nc.jetstream(), asMessages(variedResults(100, 4)));
    await waitFor('new results after the reset', () => ingest!.stats().inserted === 600);
    assert.equal(store.countResults(), 600);
  });

  it('ingest - keeps going across a nats-server restart', async () => {
    ingest = await startIngest({ nc, store, logger: log.logger });
    await publishPipelined(nc.jetstream(), asMessages(variedResults(1_000, 5)));
    await waitFor('before restart', () => ingest!.stats().inserted === 1_000);
    await server.stop();
    await new Promise((r) => setTimeout(r, 1_500));
    await server.start();
    await waitFor('reconnected', () => consumerDrained(nc), 30_000);
    await publishPipelined(nc.jetstream(), asMessages(variedResults(1_000, 6)));
    await waitFor('after restart', () => ingest!.stats().inserted === 2_000, 30_000);
    assert.deepEqual(distinctIds(store.path), { rows: 2_000, uniq: 2_000 });
  });

  it('ingest - heartbeats update the agents table; bad ones are rejected', async () => {
    ingest = await startIngest({ nc, store, logger: log.logger });
    const hb = (sentAtMs: number, ok: boolean) =>
      encodeHeartbeat({
        agent: 'a1', region: 'eu-west', version: '1.2.3', sentAtMs, startedAtMs: 5, targets: 4, spoolDepth: 7, spoolDropped: 1,
        schedLagMs: 2.5, resultsPublished: 99, inFlight: 2, spoolBytes: 1_024,
        controls: [{ url: 'https://control.example/', ok, failure: failureToWire(ok ? null : 'CONNECT_TIMEOUT'), checkedAtMs: sentAtMs - 10, consecutiveFailures: ok ? 0 : 4 }],
      });
    nc.publish(heartbeatSubject('eu-west', 'a1'), hb(1_000, true));
    await waitFor('first heartbeat', () => store.listAgents().length === 1);
    const first = store.listAgents()[0]!;
    assert.deepEqual(
      { version: first.version, sentAtMs: first.sentAtMs, targets: first.targets, spoolDepth: first.spoolDepth, resultsPublished: first.resultsPublished, controlsFailing: first.controlsFailing },
      { version: '1.2.3', sentAtMs: 1_000, targets: 4, spoolDepth: 7, resultsPublished: 99, controlsFailing: false },
    );
    assert.ok(Math.abs(first.lastSeenMs - Date.now()) < 60_000);
    nc.publish(heartbeatSubject('eu-west', 'a1'), hb(2_000, false));
    nc.publish(heartbeatSubject('us-east', 'a1'), hb(2_000, true)); // spoofed: the message says eu-west
    nc.publish(heartbeatSubject('eu-west', 'a2'), new Uint8Array([0xff, 0xff, 0xff]));
    nc.publish('crossprobe.heartbeat.eu-west.a1.extra', hb(3_000, true));
    await waitFor('second heartbeat', () => store.listAgents()[0]?.sentAtMs === 2_000);
    await waitFor('three rejects', () => ingest!.stats().rejected === 3);
    const agents = store.listAgents();
    assert.deepEqual(agents.map((a) => [a.region, a.agent, a.controlsFailing, a.controls[0]?.failure]), [['eu-west', 'a1', true, 'CONNECT_TIMEOUT']]);
    assert.equal(ingest.stats().heartbeats, 2);
    assert.equal(store.countRejects(), 3);
    assert.ok(store.listRejects(10).some((r) => /heartbeat region "eu-west" does not match subject region "us-east"/.test(r.reason)));
  });

  it('ingest - a result too big is rejected, not stored', async () => {
    ingest = await startIngest({ nc, store, logger: log.logger, maxMessageBytes: 4_096 });
    const big = fakeResult({ identity: { blob: 'x'.repeat(5_000) } });
    const small = fakeResult();
    await publishPipelined(nc.jetstream(), asMessages([big, small]));
    await waitFor('both handled', () => ingest!.stats().received === 2 && ingest!.stats().batches >= 1);
    assert.equal(store.countResults(), 1);
    const [reject] = store.listRejects(1);
    assert.match(reject!.reason, /above the 4096-byte limit/);
    assert.equal(reject!.size, encodeResult(big).byteLength);
  });

  it('ingest - acks one batch at a time; stopped cleanly, the consumer holds nothing and the next start keeps it', async () => {
    const from = log.lines.length;
    ingest = await startIngest({ nc, store, logger: log.logger, ackWaitMs: 60_000 });
    await publishPipelined(nc.jetstream(), asMessages(variedResults(1_000, 11)));
    await waitFor('inserted', () => ingest!.stats().inserted === 1_000);
    await waitFor('consumer drained', () => consumerDrained(nc));
    await ingest.stop();
    const jsm = await nc.jetstreamManager();
    const before = await jsm.consumers.info(RESULTS_STREAM, DEFAULT_DURABLE);
    assert.equal(before.ack_floor.stream_seq, 1_000);
    ingest = await startIngest({ nc, store, logger: log.logger, ackWaitMs: 60_000 });
    await publishPipelined(nc.jetstream(), asMessages(variedResults(500, 12)));
    await waitFor('new results only', () => ingest!.stats().inserted === 500);
    await waitFor('consumer drained', () => consumerDrained(nc));
    assert.equal(ingest.stats().duplicates, 0);
    assert.equal((await jsm.consumers.info(RESULTS_STREAM, DEFAULT_DURABLE)).created, before.created, 'the same consumer');
    assert.ok(!log.lines.slice(from).some((l) => /recreated the results consumer|never arrived/.test(String(l.msg))));
  });

  it('ingest - an explicit-ack consumer of an earlier version is recreated from its ack floor: what it held comes at once, stored once', async () => {
    const results = variedResults(1_000, 13);
    await ensureResultsStream(await nc.jetstreamManager());
    await publishPipelined(nc.jetstream(), asMessages(results));
    const jsm = await nc.jetstreamManager();
    // the consumer as earlier versions made it; an "earlier collector" acked 1-100 and 201-300 one by one, and holds 101-200
    await jsm.consumers.add(RESULTS_STREAM, {
      durable_name: DEFAULT_DURABLE, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, filter_subject: RESULTS_SUBJECTS,
      ack_wait: nanos(120_000), max_ack_pending: 2_000, max_deliver: -1,
    });
    const old = await nc.jetstream().consumers.get(RESULTS_STREAM, DEFAULT_DURABLE);
    const taken = [];
    for await (const m of await old.fetch({ max_messages: 300, expires: 5_000 })) {
      taken.push(m);
      if (taken.length === 300) break;
    }
    for (const m of taken) if (m.seq <= 100 || m.seq > 200) m.ack();
    await nc.flush();
    await waitFor('acks counted', async () => (await jsm.consumers.info(RESULTS_STREAM, DEFAULT_DURABLE)).num_ack_pending === 100);
    const oldInfo = await jsm.consumers.info(RESULTS_STREAM, DEFAULT_DURABLE);
    assert.equal(oldInfo.ack_floor.stream_seq, 100);

    ingest = await startIngest({ nc, store, logger: log.logger });
    // 101-200 would have waited 120 s for redelivery; from the ack floor they come now
    await waitFor('everything above the ack floor stored', () => ingest!.stats().inserted === 900);
    await waitFor('consumer drained', () => consumerDrained(nc));
    const info = await jsm.consumers.info(RESULTS_STREAM, DEFAULT_DURABLE);
    assert.equal(info.config.ack_policy, 'all');
    assert.deepEqual(new Set(storedIds(store.path)), new Set(results.slice(100).map((r) => r.resultId)));
    assert.ok(log.lines.some((l) => /recreated the results consumer from its ack floor/.test(String(l.msg)) && /message by message/.test(String(l.why)) && l.fromStreamSeq === 101));
  });

  it('ingest - deliveries taken by another client of the same durable are never acked unseen: the session restarts from the ack floor', async () => {
    // a long ack_wait: what the other client holds could only come back by the restart, not by a timeout
    const from = log.lines.length;
    ingest = await startIngest({ nc, store, logger: log.logger, ackWaitMs: 120_000 });
    await publishPipelined(nc.jetstream(), asMessages(variedResults(500, 14)));
    await waitFor('first results', () => ingest!.stats().inserted === 500);
    const thief = await nc.jetstream().consumers.get(RESULTS_STREAM, DEFAULT_DURABLE);
    const stolen = await thief.fetch({ max_messages: 20, expires: 10_000 });
    const kept: number[] = [];
    const taking = (async () => {
      for await (const m of stolen) kept.push(m.seq); // never acked
    })();
    const more = variedResults(2_000, 15);
    await publishPipelined(nc.jetstream(), asMessages(more));
    await taking;
    assert.ok(kept.length > 0, 'the other client took some deliveries');
    await waitFor('all 2,500 stored, the taken ones too', () => store.countResults() === 2_500);
    await waitFor('consumer drained', () => consumerDrained(nc));
    assert.deepEqual(distinctIds(store.path), { rows: 2_500, uniq: 2_500 });
    assert.ok(log.lines.slice(from).some((l) => /never arrived/.test(String(l.msg))), 'the lost deliveries were noticed');
  });

  it('ingest - a batch that cannot commit (the database locked) is nak\'d, redelivered and stored once', async () => {
    store.close();
    // the writer thread opens the file with the store's options: a short busy timeout fails fast
    store = tempStore(dir, 'locked.db', { busyTimeoutMs: 100 });
    const from = log.lines.length;
    ingest = await startIngest({ nc, store, logger: log.logger, maxWaitMs: 20 });
    const lock = new Database(store.path);
    try {
      lock.prepare('BEGIN IMMEDIATE').run();
      await publishPipelined(nc.jetstream(), asMessages(variedResults(300, 7)));
      await waitFor('a failed batch', () => ingest!.stats().failedBatches >= 1);
      assert.equal(ingest.stats().inserted, 0);
      assert.ok(log.lines.some((l) => /batch not committed; messages will be redelivered/.test(String(l.msg)) && /locked|busy/i.test(String((l.err as { message?: unknown } | undefined)?.message))));
    } finally {
      lock.prepare('ROLLBACK').run();
      lock.close();
    }
    await waitFor('all stored after the lock is gone', () => ingest!.stats().inserted === 300);
    await waitFor('consumer drained', () => consumerDrained(nc));
    assert.ok(!log.lines.slice(from).some((l) => /never arrived/.test(String(l.msg))), 'redeliveries after a nak are deliveries in sequence');
    assert.deepEqual(distinctIds(store.path), { rows: 300, uniq: 300 });
  });
});

describe('ingest with the NATS permissions of an earlier enrollment', () => {
  it('ingest - may not delete the explicit-ack consumer of an earlier version: acks every message as it did, says which permission is missing, stores everything once', async () => {
    const dir = new TempDir();
    // the collector's user as `crossprobe enroll --collector` made it before the consumer could be recreated
    const publish = collectorPermissions().publish.map((g) => g.subject).filter((subject) => !subject.startsWith('$JS.API.CONSUMER.DELETE.'));
    const subscribe = collectorPermissions().subscribe.map((g) => g.subject);
    const conf = dir.file('nats.conf');
    writeFileSync(conf, `authorization {\n  users = [\n    { user: admin, password: admin }\n    { user: collector, password: collector, permissions: { publish: { allow: ${JSON.stringify(publish)} }, subscribe: { allow: ${JSON.stringify(subscribe)} } } }\n  ]\n}\n`);
    const server = await NatsServer.start(['-c', conf]);
    const admin = await connect({ servers: server.url, user: 'admin', pass: 'admin' });
    const nc = await connect({ servers: server.url, user: 'collector', pass: 'collector', inboxPrefix: COLLECTOR_INBOX_PREFIX, maxReconnectAttempts: -1 });
    const store = tempStore(dir);
    const log = memoryLogger('info');
    let ingest: Ingest | null = null;
    try {
      const jsm = await admin.jetstreamManager();
      await ensureResultsStream(jsm);
      await jsm.consumers.add(RESULTS_STREAM, {
        durable_name: DEFAULT_DURABLE, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, filter_subject: RESULTS_SUBJECTS,
        ack_wait: nanos(30_000), max_ack_pending: 2_000, max_deliver: -1,
      });
      await publishPipelined(admin.jetstream(), asMessages(variedResults(1_500, 16)));
      ingest = await startIngest({ nc, store, logger: log.logger });
      await waitFor('all stored', () => ingest!.stats().inserted === 1_500);
      await waitFor('consumer drained', () => consumerDrained(admin));
      assert.equal((await jsm.consumers.info(RESULTS_STREAM, DEFAULT_DURABLE)).config.ack_policy, 'explicit', 'the same consumer');
      const said = log.lines.find((l) => /cannot recreate the results consumer/.test(String(l.msg)));
      assert.ok(said, 'it says so');
      assert.equal(said.level, 50);
      assert.match(String(said.fix), /publish to \$JS\.API\.CONSUMER\.DELETE\.CROSSPROBE_RESULTS\.crossprobe-collector/);
      assert.deepEqual(distinctIds(store.path), { rows: 1_500, uniq: 1_500 });
    } finally {
      await ingest?.stop();
      await nc.close();
      await admin.close();
      store.close();
      await server.dispose();
      dir.dispose();
    }
  });
});
