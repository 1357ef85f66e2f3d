import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NatsConnection } from 'nats';
import { encodeResult, resultsSubject } from '../../../proto/index.js';
import { startIngest, type Ingest } from '../../../collector/ingest/index.js';
import type { Store } from '../../../collector/store/index.js';
import { NatsServer } from '../../helpers/nats-server.js';
import { memoryLogger } from '../../helpers/logger.js';
import { waitFor } from '../../helpers/stream.js';
import { asMessages, fakeResult, publishPipelined, rng, variedResults } from '../../helpers/collector-fixtures.js';
import { TempDir, tempStore } from '../../helpers/collector-store.js';
import { connectForever, consumerDrained } from '../../helpers/collector-nats.js';

const KINDS = ['random', 'empty', 'truncated', 'missing-id', 'spoofed'] as const;
const PER_KIND = 2_000;

/** One malformed message of each kind, made from a fresh valid result. */
function malformed(kind: (typeof KINDS)[number], i: number, rand: () => number): { subject: string; data: Uint8Array } {
  const r = fakeResult({ region: 'eu-west', agent: 'a1' });
  const subject = resultsSubject('eu-west', 'a1');
  switch (kind) {
    case 'random':
      return { subject, data: Uint8Array.from({ length: 1 + Math.floor(rand() * 300) }, () => Math.floor(rand() * 256)) };
    case 'empty':
      return { subject, data: new Uint8Array() };
    case 'truncated':
      // cut inside the result_id field (the first 38 bytes): the decoder runs out of bytes
      return { subject, data: encodeResult(r).subarray(0, 1 + Math.floor(rand() * 36)) };
    case 'missing-id': {
      const field = (['resultId', 'agent', 'region', 'target'] as const)[i % 4]!;
      return { subject, data: encodeResult({ ...r, [field]: '' }) };
    }
    case 'spoofed':
      // a valid result published on another region's (or agent's) subject
      return { subject: i % 2 ? resultsSubject('us-east', 'a1') : resultsSubject('eu-west', 'a9'), data: encodeResult(r) };
  }
}

describe('ingest malformed', () => {
  let server: NatsServer;
  let nc: NatsConnection;
  let dir: TempDir;
  let store: Store;
  let ingest: Ingest | null = null;
  before(async () => {
    server = await NatsServer.start();
    nc = await connectForever(server);
    dir = new TempDir();
    store = tempStore(dir);
  });
  after(async () => {
    await ingest?.stop();
    await nc.close();
    store.close();
    await server.dispose();
    dir.dispose();
  });

  it('ingest - 10,000 malformed messages among valid ones are each rejected once; every valid result is stored', async () => {
    const log = memoryLogger('info');
    ingest = await startIngest({ nc, store, logger: log.logger });
    const rand = rng(99);
    const valid = variedResults(10_000, 11);
    const validMessages = asMessages(valid);
    const messages: { subject: string; data: Uint8Array; msgId?: string }[] = [];
    for (let i = 0; i < valid.length; i++) {
      messages.push(validMessages[i]!);
      messages.push(malformed(KINDS[i % KINDS.length]!, Math.floor(i / KINDS.length), rand));
    }
    await publishPipelined(nc.jetstream(), messages);
    await waitFor('all messages handled', () => ingest!.stats().received >= 20_000 && consumerDrained(nc), 60_000);

    const s = ingest.stats();
    assert.deepEqual({ received: s.received, inserted: s.inserted, duplicates: s.duplicates, rejected: s.rejected }, { received: 20_000, inserted: 10_000, duplicates: 0, rejected: 10_000 });
    assert.equal(store.countResults(), 10_000);
    assert.equal(store.countRejects(), 10_000);
    const stored = new Set(store.queryResults({ limit: 10_000 }).results.map((r) => r.resultId));
    assert.deepEqual(stored, new Set(valid.map((r) => r.resultId)));

    const rejects = store.listRejects(10_000);
    const count = (re: RegExp) => rejects.filter((r) => re.test(r.reason)).length;
    assert.equal(count(/does not match subject (region|agent)/), PER_KIND, 'spoofed');
    assert.equal(count(/ is missing$|^undecodable ProbeResult/), 4 * PER_KIND, 'random, empty, truncated and missing-id');
    assert.equal(rejects.filter((r) => r.size === 0).length, PER_KIND, 'empty messages kept, with size 0');
    assert.ok(count(/^undecodable ProbeResult/) >= PER_KIND, 'truncated (and most random) messages are undecodable');
    assert.ok(log.lines.some((l) => l.event === 'messages-rejected'), 'rejections are logged');
  });
});
