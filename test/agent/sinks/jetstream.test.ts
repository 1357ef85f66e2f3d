import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { createJetStreamSink, type ResultSink } from '../../../agent/sinks/index.js';
import { decodeResult, ensureResultsStream, resultId, resultsSubject, RESULTS_STREAM, type ProbeResult } from '../../../proto/index.js';
import { NatsServer } from '../../helpers/nats-server.js';
import { memoryLogger } from '../../helpers/logger.js';
import { waitFor } from '../../helpers/wait.js';

const SUBJECT = resultsSubject('eu-central', 'fra-1');


/** `roundAtMs` carries the submission index, so order can be checked after decoding. */
function makeResult(i: number): ProbeResult {
  return {
    resultId: resultId(),
    agent: 'fra-1',
    region: 'eu-central',
    target: 'shop',
    url: 'https://shop.example.com/health',
    startedAtMs: Date.now(),
    roundAtMs: i,
    ok: true,
    status: 200,
  };
}

/** A server, a connection that reconnects forever, a spool dir; all stopped in `after` even on failure. */
async function setup(t: TestContext): Promise<{ server: NatsServer; nc: NatsConnection; jsm: JetStreamManager; spoolDir: string }> {
  const server = await NatsServer.start();
  t.after(() => server.dispose());
  const spoolDir = mkdtempSync(join(tmpdir(), 'crossprobe-sink-'));
  t.after(() => rmSync(spoolDir, { recursive: true, force: true }));
  const nc = await reconnecting(server);
  t.after(() => nc.close());
  return { server, nc, jsm: await nc.jetstreamManager(), spoolDir };
}

function reconnecting(server: NatsServer): Promise<NatsConnection> {
  return connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
}

/** Polls `cond` until true; the bound only keeps a broken sink from hanging the suite. */
const until = (what: string, cond: () => boolean, describe: () => unknown): Promise<boolean> =>
  waitFor(what, cond, { timeoutMs: 60_000, intervalMs: 25, detail: describe });

function drained(sink: ResultSink): boolean {
  const s = sink.stats();
  return s.spoolDepth === 0 && s.pending === 0;
}

/** Every result in the stream, in stream order; each must carry its result id as Nats-Msg-Id. */
async function streamResults(jsm: JetStreamManager): Promise<ProbeResult[]> {
  const { state } = await jsm.streams.info(RESULTS_STREAM);
  const out: ProbeResult[] = [];
  if (state.messages === 0) return out;
  for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(RESULTS_STREAM, { seq });
    const r = decodeResult(m.data);
    assert.equal(m.header.get('Nats-Msg-Id'), r.resultId, `Nats-Msg-Id of stream message ${seq}`);
    assert.equal(m.subject, SUBJECT);
    out.push(r);
  }
  return out;
}

/** Asserts that the stream holds each of `submitted` exactly once and nothing else. */
function assertExactlyOnce(inStream: ProbeResult[], submitted: ProbeResult[]): void {
  const counts = new Map<string, number>();
  for (const r of inStream) counts.set(r.resultId!, (counts.get(r.resultId!) ?? 0) + 1);
  const duplicates = [...counts].filter(([, n]) => n > 1).length;
  const missing = submitted.filter((r) => !counts.has(r.resultId!)).length;
  const wanted = new Set(submitted.map((r) => r.resultId!));
  const unexpected = [...counts.keys()].filter((id) => !wanted.has(id)).length;
  assert.deepEqual({ duplicates, missing, unexpected }, { duplicates: 0, missing: 0, unexpected: 0 });
  assert.equal(inStream.length, submitted.length);
}

function indexes(results: ProbeResult[]): number[] {
  return results.map((r) => Number(r.roundAtMs));
}

test('jetstream sink - publishes every result exactly once, in submission order, without touching the spool', async (t) => {
  const { nc, jsm, spoolDir } = await setup(t);
  await ensureResultsStream(jsm);
  const { logger } = memoryLogger();
  const sink = await createJetStreamSink({ nc, subject: SUBJECT, spoolDir, spoolMaxBytes: 1 << 20, logger, maxInFlight: 64 });
  t.after(() => sink.close(0));

  const submitted = Array.from({ length: 2000 }, (_, i) => makeResult(i));
  for (const r of submitted) sink.submit(r);
  assert.ok(sink.stats().pending > 64, 'submit returns before publishes are acked');
  await until('2000 acks', () => sink.stats().published === 2000, () => sink.stats());

  assert.deepEqual(sink.stats(), { published: 2000, spoolDepth: 0, spoolBytes: 0, spoolDropped: 0, pending: 0 });
  assert.deepEqual(readdirSync(spoolDir).filter((f) => f.endsWith('.seg')), []);
  const inStream = await streamResults(jsm);
  assertExactlyOnce(inStream, submitted);
  assert.deepEqual(indexes(inStream), indexes(submitted));
  const info = await jsm.streams.info(RESULTS_STREAM);
  assert.equal(info.state.messages, 2000);
  await sink.close();
});

test('jetstream sink - results submitted while the server restarts arrive exactly once, spooled ones in order', async (t) => {
  const { server, nc, jsm, spoolDir } = await setup(t);
  await ensureResultsStream(jsm);
  const { logger, lines } = memoryLogger();
  const sink = await createJetStreamSink({ nc, subject: SUBJECT, spoolDir, spoolMaxBytes: 16 << 20, logger, publishTimeoutMs: 1000 });
  t.after(() => sink.close(0));

  const submitted: ProbeResult[] = [];
  /** Index of the first result submitted while the spool held something. */
  let firstSpooled = -1;
  let maxDepth = 0;
  const timer = setInterval(() => {
    const r = makeResult(submitted.length);
    const depth = sink.stats().spoolDepth;
    maxDepth = Math.max(maxDepth, depth);
    if (depth > 0 && firstSpooled < 0) firstSpooled = submitted.length;
    submitted.push(r);
    sink.submit(r);
  }, 10);
  t.after(() => clearInterval(timer));

  await sleep(1000);
  await server.stop();
  await sleep(3000);
  await server.start();
  await sleep(1500);
  clearInterval(timer);
  await until('the spool to drain', () => drained(sink), () => sink.stats());

  assert.ok(firstSpooled >= 0 && maxDepth > 50, `results went through the spool (first ${firstSpooled}, max depth ${maxDepth})`);
  const inStream = await streamResults(jsm);
  assertExactlyOnce(inStream, submitted);
  assert.equal(sink.stats().published, submitted.length);
  // Results submitted while the spool was non-empty, and after it drained, never went out directly:
  // they reach the stream in submission order.
  const later = indexes(inStream).filter((i) => i >= firstSpooled);
  assert.deepEqual(later, [...later].sort((a, b) => a - b));
  assert.equal(later.length, submitted.length - firstSpooled);
  const all = indexes(inStream);
  t.diagnostic(`${submitted.length} results, ${submitted.length - firstSpooled} from spool mode on; ` +
    `out of order overall: ${all.filter((v, i) => i > 0 && v < all[i - 1]!).length}`);

  const troubles = lines.filter((l) => l.msg.startsWith('publish not acked'));
  assert.ok(troubles.length >= 1 && troubles.length <= 3, `transport trouble logged, rate-limited: ${troubles.length} lines`);
  assert.ok(lines.some((l) => l.msg.startsWith('spool drained')));
  await sink.close();
});

test('jetstream sink - close() spools what is in flight, and a new sink replays that spool exactly once', async (t) => {
  const { server, nc, jsm: jsm1, spoolDir } = await setup(t);
  await ensureResultsStream(jsm1);
  const first = memoryLogger();
  // acks that never come would take 10 s: close() must not wait for them past its deadline
  const sink1 = await createJetStreamSink({ nc, subject: SUBJECT, spoolDir, spoolMaxBytes: 1 << 20, logger: first.logger, publishTimeoutMs: 10_000 });
  t.after(() => sink1.close(0));
  const submitted = Array.from({ length: 105 }, (_, i) => makeResult(i));
  for (const r of submitted.slice(0, 5)) sink1.submit(r);
  await until('5 acks', () => sink1.stats().published === 5, () => sink1.stats());

  await server.stop();
  for (const r of submitted.slice(5)) sink1.submit(r);
  await sink1.close(300);
  assert.deepEqual(sink1.stats(), { published: 5, spoolDepth: 100, spoolBytes: sink1.stats().spoolBytes, spoolDropped: 0, pending: 0 });
  assert.ok(sink1.stats().spoolBytes > 100 * 8);
  assert.doesNotThrow(() => sink1.submit(makeResult(999)));
  assert.ok(first.lines.some((l) => l.msg.startsWith('result submitted after the sink closed') && l.level === 50));
  await nc.close();

  await server.start();
  const nc2 = await reconnecting(server);
  t.after(() => nc2.close());
  const second = memoryLogger();
  const sink2 = await createJetStreamSink({ nc: nc2, subject: SUBJECT, spoolDir, spoolMaxBytes: 1 << 20, logger: second.logger });
  t.after(() => sink2.close(0));
  assert.equal(sink2.stats().spoolDepth, 100);
  assert.ok(second.lines.some((l) => l.event === 'spool-replay'));
  await until('the spool to drain', () => drained(sink2), () => sink2.stats());

  const inStream = await streamResults(await nc2.jetstreamManager());
  assertExactlyOnce(inStream, submitted);
  assert.deepEqual(indexes(inStream), indexes(submitted));
  assert.equal(sink2.stats().published, 100);
  await sink2.close();
  assert.deepEqual(readdirSync(spoolDir).filter((f) => f.endsWith('.seg')), []);
});

test('jetstream sink - results submitted while the stream is missing are delivered once it exists', async (t) => {
  const { jsm, nc, spoolDir } = await setup(t);
  const { logger, lines } = memoryLogger();
  const sink = await createJetStreamSink({ nc, subject: SUBJECT, spoolDir, spoolMaxBytes: 1 << 20, logger });
  t.after(() => sink.close(0));

  const submitted = Array.from({ length: 300 }, (_, i) => makeResult(i));
  for (const r of submitted) sink.submit(r);
  await until('300 results on disk', () => sink.stats().spoolDepth === 300 && sink.stats().pending === 0, () => sink.stats());
  assert.equal(sink.stats().published, 0);
  await sleep(1000); // let the replayer probe and fail a few times

  await ensureResultsStream(jsm);
  await until('the spool to drain', () => drained(sink), () => sink.stats());
  const inStream = await streamResults(jsm);
  assertExactlyOnce(inStream, submitted);
  assert.deepEqual(indexes(inStream), indexes(submitted));
  assert.equal(sink.stats().published, 300);

  const troubles = lines.filter((l) => l.msg.startsWith('publish not acked'));
  assert.equal(troubles.length, 1, 'one line for 300+ failed publishes');
  assert.equal(troubles[0]!.level, 40);
  assert.equal(troubles[0]!.code, '503');

  // and it publishes directly again
  const more = Array.from({ length: 10 }, (_, i) => makeResult(300 + i));
  for (const r of more) sink.submit(r);
  await until('10 more acks', () => sink.stats().published === 310, () => sink.stats());
  assert.equal(sink.stats().spoolDepth, 0);
  await sink.close();
});

test('jetstream sink - a result sent twice, through the spool or directly, is stored once (Nats-Msg-Id)', async (t) => {
  const { jsm, nc, spoolDir } = await setup(t);
  const { logger } = memoryLogger();
  const sink = await createJetStreamSink({ nc, subject: SUBJECT, spoolDir, spoolMaxBytes: 1 << 20, logger });
  t.after(() => sink.close(0));
  const [a, b] = [makeResult(0), makeResult(1)];
  for (const r of [a, a, b]) sink.submit(r); // the stream is missing: all three are spooled
  await until('3 results on disk', () => sink.stats().spoolDepth === 3 && sink.stats().pending === 0, () => sink.stats());
  await ensureResultsStream(jsm);
  await until('the spool to drain', () => drained(sink), () => sink.stats());
  sink.submit(b);
  await until('4 acks', () => sink.stats().published === 4, () => sink.stats());
  const inStream = await streamResults(jsm);
  assertExactlyOnce(inStream, [a, b]);
  await sink.close();
});

test('jetstream sink - past spoolMaxBytes the oldest results are dropped and counted, the newest delivered', async (t) => {
  const { jsm, nc, spoolDir } = await setup(t);
  const { logger, lines } = memoryLogger();
  const sink = await createJetStreamSink({ nc, subject: SUBJECT, spoolDir, spoolMaxBytes: 4096, logger });
  t.after(() => sink.close(0));

  const submitted = Array.from({ length: 300 }, (_, i) => makeResult(i));
  for (const r of submitted) sink.submit(r);
  await until('every result on disk or dropped', () => sink.stats().pending === 0 && sink.stats().spoolDepth + sink.stats().spoolDropped === 300, () => sink.stats());
  const { spoolDepth: kept, spoolDropped: dropped, spoolBytes } = sink.stats();
  assert.ok(dropped > 0 && kept > 0, `kept ${kept}, dropped ${dropped}`);
  assert.ok(spoolBytes <= 4096, `spool bytes ${spoolBytes}`);
  const drops = lines.filter((l) => l.event === 'spool-segment-dropped');
  assert.ok(drops.length >= 1 && drops[0]!.level === 40);

  await ensureResultsStream(jsm);
  await until('the spool to drain', () => drained(sink), () => sink.stats());
  const inStream = await streamResults(jsm);
  assertExactlyOnce(inStream, submitted.slice(dropped));
  assert.deepEqual(indexes(inStream), indexes(submitted.slice(dropped)));
  assert.equal(sink.stats().spoolDropped, dropped);
  await sink.close();
});

test('jetstream sink - a torn record at the end of the spool is skipped with a log line, the rest delivered', async (t) => {
  const { jsm, nc, spoolDir } = await setup(t);
  const sink1 = await createJetStreamSink({ nc, subject: SUBJECT, spoolDir, spoolMaxBytes: 1 << 20, logger: memoryLogger().logger });
  t.after(() => sink1.close(0));
  const submitted = Array.from({ length: 50 }, (_, i) => makeResult(i));
  for (const r of submitted) sink1.submit(r);
  await until('50 results on disk', () => sink1.stats().spoolDepth === 50 && sink1.stats().pending === 0, () => sink1.stats());
  await sink1.close();

  // a crash in the middle of writing the last record
  const segs = readdirSync(spoolDir).filter((f) => f.endsWith('.seg')).sort();
  assert.equal(segs.length, 1);
  const last = join(spoolDir, segs[0]!);
  truncateSync(last, statSync(last).size - 7);

  const { logger, lines } = memoryLogger();
  const sink2 = await createJetStreamSink({ nc, subject: SUBJECT, spoolDir, spoolMaxBytes: 1 << 20, logger });
  t.after(() => sink2.close(0));
  assert.equal(sink2.stats().spoolDepth, 49);
  const torn = lines.filter((l) => l.event === 'spool-torn-record');
  assert.equal(torn.length, 1);
  assert.equal(torn[0]!.level, 40);

  await ensureResultsStream(jsm);
  await until('the spool to drain', () => drained(sink2), () => sink2.stats());
  const inStream = await streamResults(jsm);
  assertExactlyOnce(inStream, submitted.slice(0, 49));
  assert.deepEqual(indexes(inStream), indexes(submitted.slice(0, 49)));
  await sink2.close();
});

test('jetstream sink - bad options are refused at creation', async (t) => {
  const { nc, spoolDir } = await setup(t);
  const { logger } = memoryLogger();
  await assert.rejects(createJetStreamSink({ nc, subject: SUBJECT, spoolDir, spoolMaxBytes: 1 << 20, logger, maxInFlight: 0 }), {
    name: 'RangeError',
    message: 'maxInFlight must be a positive integer, got 0',
  });
  await assert.rejects(createJetStreamSink({ nc, subject: SUBJECT, spoolDir, spoolMaxBytes: -1, logger }), {
    name: 'RangeError',
    message: 'spool maxBytes must be a positive integer, got -1',
  });
});
