import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FallbackSpool, LOCK_FILE, MEMORY_SEGMENT, type SpoolRecord } from '../../../agent/sinks/index.js';
import { memoryLogger } from '../../helpers/logger.js';
import { fillUp, Tmpfs, tmpfsUnavailable } from '../../helpers/tmpfs.js';

const skip = tmpfsUnavailable();

/** A record of exactly `size` bytes naming its number. */
function rec(i: number, size = 200): Uint8Array {
  return Buffer.from(`record-${String(i).padStart(5, '0')}`.padEnd(size, '.'));
}

function name(r: { data: Uint8Array }): string {
  return Buffer.from(r.data).toString().replace(/\.+$/, '');
}

function names(from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(name({ data: rec(i) }));
  return out;
}

/** Reads and acks everything the spool holds, in order. */
async function drain(spool: FallbackSpool): Promise<{ got: string[]; fromMemory: number }> {
  const got: string[] = [];
  let fromMemory = 0;
  for (;;) {
    const batch: SpoolRecord[] = await spool.read(64);
    if (batch.length === 0) return { got, fromMemory };
    for (const r of batch) {
      got.push(name(r));
      if (r.segment === MEMORY_SEGMENT) fromMemory++;
    }
    await spool.ack(batch.at(-1)!);
  }
}

async function until(what: string, cond: () => boolean): Promise<void> {
  const by = Date.now() + 30_000;
  while (!cond()) {
    if (Date.now() > by) assert.fail(`gave up waiting for ${what}`);
    await sleep(20);
  }
}

test('fallback spool - a disk that fills up (tmpfs, ENOSPC): results wait in memory, the oldest dropped past the bound and counted; freed space takes them back in order', { skip: skip ?? false }, async (t) => {
  const fs = Tmpfs.mount(t, '256k');
  const dir = join(fs.dir, 'spool');
  const { logger, lines } = memoryLogger();
  const spool = await FallbackSpool.open({ dir, maxBytes: 1024 * 1024, memoryMaxBytes: 100 * (200 + 160), segmentBytes: 16 * 1024, logger, retryMinMs: 50, retryMaxMs: 200 });
  t.after(() => spool.close());
  let n = 0;
  for (let i = 0; i < 10; i++) await spool.append([rec(n++)]);
  const filler = join(fs.dir, 'filler');
  fillUp(filler);
  // until the disk refuses: records before stay on disk, the refused batch goes to memory
  while (spool.health().state === 'ok') await spool.append([rec(n++), rec(n++)]);
  assert.equal(spool.health().lastError, 'ENOSPC');
  const onDisk = spool.depth - spool.health().memoryDepth;
  assert.ok(onDisk > 0, 'what the disk took before it filled stays there');
  // 250 more: the memory queue keeps the newest 100 (its bound), counts the rest
  for (let i = 0; i < 250; i++) await spool.append([rec(n++)]);
  const h = spool.health();
  assert.equal(h.state, 'degraded');
  assert.equal(h.memoryDepth, 100);
  assert.equal(h.memoryBytes, 100 * 360);
  assert.equal(onDisk + h.memoryDepth + h.memoryDropped, n, 'every result is on disk, in memory or counted as dropped');
  assert.ok(lines.some((l) => l.code === 'ENOSPC' && /cannot write the spool/.test(l.msg)), 'the refusal is logged with its code');
  assert.ok(lines.some((l) => /memory queue past its bound/.test(l.msg) && (l.droppedTotal as number) > 0), 'drops are logged');

  unlinkSync(filler);
  await until('the spool to take writes again', () => spool.health().state === 'ok');
  assert.equal(spool.health().memoryDepth, 0, 'the memory queue moved to disk');
  assert.equal(spool.health().memoryDropped, h.memoryDropped);
  assert.ok(lines.some((l) => /takes writes again/.test(l.msg) && l.moved === 100));
  await spool.append([rec(n++)]);
  const { got, fromMemory } = await drain(spool);
  assert.equal(fromMemory, 0, 'everything was read back from disk');
  assert.deepEqual(got, [...names(0, onDisk), ...names(n - 101, n)], 'the disk\'s results, then the newest 100 of memory, then the next, in order');
});

test('fallback spool - a spool directory that turns read-only (EROFS) never throws; remounted read-write, the spool resumes in order', { skip: skip ?? false }, async (t) => {
  const fs = Tmpfs.mount(t, '1m');
  const dir = join(fs.dir, 'spool');
  const { logger } = memoryLogger();
  // one record per segment: every append creates a file, which a read-only filesystem refuses
  const spool = await FallbackSpool.open({ dir, maxBytes: 512 * 1024, memoryMaxBytes: 1024 * 1024, segmentBytes: 220, logger, retryMinMs: 50, retryMaxMs: 200 });
  t.after(() => spool.close());
  await spool.append([rec(0), rec(1)]);
  fs.readOnly();
  await spool.append([rec(2)]);
  await spool.append([rec(3), rec(4)]);
  assert.deepEqual(spool.health(), { state: 'degraded', lastError: 'EROFS', memoryDepth: 3, memoryBytes: 3 * 360, memoryDropped: 0 });
  // reading goes on meanwhile: the disk first, then memory
  const head = await spool.read(10);
  assert.deepEqual(head.map(name), names(0, 2));
  await sleep(300); // retries fail quietly while it stays read-only
  assert.equal(spool.health().state, 'degraded');
  fs.readWrite();
  await until('the spool to resume', () => spool.health().state === 'ok');
  await spool.append([rec(5)]);
  assert.deepEqual((await drain(spool)).got, names(0, 6));
});

test('fallback spool - opened on a read-only filesystem it starts degraded, then takes the lock and the results left there once writable', { skip: skip ?? false }, async (t) => {
  const fs = Tmpfs.mount(t, '1m');
  const dir = join(fs.dir, 'spool');
  const { logger } = memoryLogger();
  const first = await FallbackSpool.open({ dir, maxBytes: 512 * 1024, memoryMaxBytes: 1024 * 1024, logger });
  await first.append([rec(0), rec(1)]);
  await first.close();
  fs.readOnly();
  const spool = await FallbackSpool.open({ dir, maxBytes: 512 * 1024, memoryMaxBytes: 1024 * 1024, logger, retryMinMs: 50, retryMaxMs: 200 });
  t.after(() => spool.close());
  assert.equal(spool.health().state, 'degraded');
  assert.equal(spool.health().lastError, 'EROFS');
  await spool.append([rec(2)]);
  assert.equal(existsSync(join(dir, LOCK_FILE)), false);
  fs.readWrite();
  await until('the spool to open', () => spool.health().state === 'ok');
  assert.equal(existsSync(join(dir, LOCK_FILE)), true, 'the lock is taken once the disk allows it');
  assert.deepEqual((await drain(spool)).got, names(0, 3), 'the earlier run\'s results first, then the ones kept in memory');
});

test('fallback spool - a directory it cannot create (ENOTDIR: a file in the way) starts it degraded instead of failing', async (t) => {
  // EACCES takes a non-root user (root ignores modes): see test/agent/spool-disk.test.ts
  const base = mkdtempSync(join(tmpdir(), 'crossprobe-fallback-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  mkdirSync(join(base, 'x'));
  const blocked = join(base, 'x', 'file');
  writeFileSync(blocked, '');
  const { logger } = memoryLogger();
  const spool = await FallbackSpool.open({ dir: join(blocked, 'spool'), maxBytes: 1024 * 1024, memoryMaxBytes: 1024 * 1024, logger, retryMinMs: 50 });
  t.after(() => spool.close());
  assert.equal(spool.health().state, 'degraded');
  assert.equal(spool.health().lastError, 'ENOTDIR');
  await spool.append([rec(0)]);
  assert.deepEqual((await drain(spool)).got, names(0, 1), 'results are served from memory meanwhile');
});
