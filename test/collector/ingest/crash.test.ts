import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NatsConnection } from 'nats';
import { ensureResultsStream } from '../../../proto/index.js';
import { NatsServer } from '../../helpers/nats-server.js';
import { waitFor } from '../../helpers/stream.js';
import { asMessages, publishPipelined, variedResults } from '../../helpers/collector-fixtures.js';
import { TempDir, storedIds } from '../../helpers/collector-store.js';
import { connectForever, consumerDrained } from '../../helpers/collector-nats.js';
import { IngestChild } from '../../helpers/collector-ingest-process.js';

const N = 20_000;

describe('ingest crash', () => {
  let server: NatsServer;
  let nc: NatsConnection;
  let dir: TempDir;
  const children: IngestChild[] = [];
  before(async () => {
    server = await NatsServer.start();
    nc = await connectForever(server);
    dir = new TempDir();
  });
  after(async () => {
    for (const c of children) await c.kill();
    await nc.close();
    await server.dispose();
    dir.dispose();
  });

  it('ingest crash - SIGKILLs between commit and ack and mid-run still leave exactly the published results', async () => {
    const db = dir.file();
    const env = { CHILD_NATS_URL: server.url, CHILD_DB: db, CHILD_BATCH: '500', CHILD_ACK_WAIT_MS: '3000' };
    const results = variedResults(N, 42);
    await ensureResultsStream(await nc.jetstreamManager());
    await publishPipelined(nc.jetstream(), asMessages(results));

    // 1. Killed with its 5th batch committed but not acked.
    const first = IngestChild.start({ ...env, CHILD_PAUSE_AFTER_BATCH: '5' });
    children.push(first);
    const paused = await first.waitForLine('the pause after batch 5', (l) => l.event === 'paused');
    await first.kill();
    const committed = paused.committed as number;
    assert.ok(committed > 0 && committed <= 2_500);
    // The writer thread runs ahead of the main thread: batches handed to it before the pause may commit
    // while the main thread is blocked, unreported. So at least what was reported is stored.
    const afterFirst = storedIds(db).length;
    assert.ok(afterFirst >= committed, `every committed batch survived SIGKILL (${afterFirst} stored, ${committed} reported committed)`);

    // 2. Killed at an arbitrary point, well into the rest.
    const second = IngestChild.start(env);
    children.push(second);
    await second.waitForLine('progress', (l) => l.event === 'stats' && (l.inserted as number) >= 4_000);
    await second.kill();
    const afterSecond = storedIds(db).length;
    assert.ok(afterSecond > afterFirst && afterSecond < N, `killed mid-run (${afterSecond} stored)`);

    // 3. Runs to the end.
    const third = IngestChild.start(env);
    children.push(third);
    await waitFor('consumer drained', () => consumerDrained(nc), 120_000);
    await third.stop();
    const stopped = third.last('stopped');
    assert.ok(stopped, `third child stopped cleanly; stderr:\n${third.stderr}`);

    const ids = storedIds(db);
    assert.equal(ids.length, N);
    assert.deepEqual(new Set(ids), new Set(results.map((r) => r.resultId)));
    // The batch committed by the first child was never acked: JetStream delivered it again (the second
    // child found the consumer holding unacked messages and recreated it from the ack floor), and the
    // store ignored it.
    const secondStats = second.last('stats');
    assert.ok(secondStats && (secondStats.duplicates as number) >= 500, `the second child saw the first child's unacked batch again: ${JSON.stringify(secondStats)}`);
    assert.ok(second.stderr.split('\n').some((l) => l.includes('recreated the results consumer from its ack floor') && l.includes('held unacked messages')), `and said why; stderr:\n${second.stderr}`);
    assert.equal(stopped.rejected, 0);
  });
});
