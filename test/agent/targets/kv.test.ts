import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NatsConnection } from 'nats';
import { watchTargetsKv } from '../../../agent/targets/kv.js';
import { encodeTarget, ensureTargetsBucket, parseTarget, targetToWire, type Target } from '../../../proto/index.js';
import { memoryLogger } from '../../helpers/logger.js';
import { NatsServer } from '../../helpers/nats-server.js';
import { waitFor } from '../../helpers/stream.js';

describe('targets KV watcher', () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  before(async () => {
    nats = await NatsServer.start();
    nc = await nats.connect();
  });
  after(async () => {
    await nc?.close();
    await nats?.dispose();
  });

  it('kv - a value beyond the bounds (30d interval, uint32 wrap) is skipped and logged; the key keeps its last good target', async () => {
    const kv = await ensureTargetsBucket(nc);
    const put: Target[] = [];
    const { logger, lines } = memoryLogger('info');
    const stop = new AbortController();
    const watching = watchTargetsKv(nc, { put: (t) => put.push(t), delete: () => undefined }, logger, stop.signal);
    try {
      await kv.put('shop', targetToWire(parseTarget({ id: 'shop', url: 'https://shop.example.com/', interval: '1m' })));
      await waitFor('the good target', () => put.find((t) => t.id === 'shop'));
      const bad = { id: 'shop', url: 'https://shop.example.com/', method: 'GET', timeoutMs: 10_000, resolveAll: true };
      await kv.put('shop', encodeTarget({ ...bad, intervalMs: 30 * 86_400_000 }));
      await kv.put('shop', encodeTarget({ ...bad, intervalMs: 0xffffffff }));
      await kv.put('other', targetToWire(parseTarget({ id: 'other', url: 'https://other.example.com/' })));
      await waitFor('the target after the bad ones', () => put.find((t) => t.id === 'other'));
      assert.deepEqual(put.map((t) => [t.id, t.intervalMs]), [['shop', 60_000], ['other', 60_000]], 'the bad values never reached the scheduler');
      const skipped = lines.filter((l) => l.event === 'target-malformed');
      assert.deepEqual(
        skipped.map((l) => (l.err as { message: string }).message),
        ['target "shop".interval: must be at most 24h (got "30d")', 'target "shop".interval: must be at most 24h (got "4294967295ms")'],
      );
      assert.ok(skipped.every((l) => l.key === 'shop'));
    } finally {
      stop.abort();
      await watching;
    }
  });
});
