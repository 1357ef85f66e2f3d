import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Spool, SPOOL_MAGIC } from '../../../agent/sinks/index.js';
import { memoryLogger } from '../../helpers/logger.js';


function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'crossprobe-spool-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A record whose content says which one it is; `pad` makes its size exact. */
function rec(i: number, pad = 0): Uint8Array {
  return Buffer.from(`record-${String(i).padStart(4, '0')}${'.'.repeat(pad)}`);
}

function names(records: { data: Uint8Array }[]): string[] {
  return records.map((r) => Buffer.from(r.data).toString().replace(/\.+$/, ''));
}

function range(from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(Buffer.from(rec(i)).toString());
  return out;
}

function segmentFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.seg')).sort();
}

test('spool - appends, reads and acks in order across segments, deleting acked segments', async (t) => {
  const dir = tempDir(t);
  const spool = await Spool.open({ dir, maxBytes: 1_000_000, segmentBytes: 200, logger: memoryLogger().logger });
  t.after(() => spool.close().catch(() => undefined));
  for (let i = 0; i < 50; i += 5) await spool.append([rec(i), rec(i + 1), rec(i + 2), rec(i + 3), rec(i + 4)]);
  assert.equal(spool.depth, 50);
  // a record is 8 + 11 bytes: 4 + 10 × 19 = 194 fit a 200-byte segment
  assert.equal(segmentFiles(dir).length, 5, `rotated into segments: ${segmentFiles(dir).join(' ')}`);
  const onDisk = segmentFiles(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  assert.equal(spool.bytes, onDisk);

  const all = await spool.read(1000);
  assert.deepEqual(names(all), range(0, 50));
  assert.deepEqual(names(await spool.read(7)), range(0, 7), 'reading does not consume');

  await spool.ack(all[6]!);
  assert.equal(spool.depth, 43);
  assert.deepEqual(names(await spool.read(3)), range(7, 10));
  await spool.ack(all[29]!);
  assert.equal(spool.depth, 20);
  assert.deepEqual(names(await spool.read(1000)), range(30, 50));
  const before = segmentFiles(dir).length;
  await spool.ack(all[49]!);
  assert.equal(spool.depth, 0);
  assert.ok(before > 0);
  assert.deepEqual(segmentFiles(dir), [], 'every segment deleted once acked');
  assert.equal(spool.bytes, 0);
  assert.deepEqual(await spool.read(10), []);

  await spool.append([rec(50)]);
  assert.deepEqual(names(await spool.read(10)), range(50, 51), 'appends after a full drain start a new segment');
});

test('spool - reopening resumes after the last ack and keeps the order', async (t) => {
  const dir = tempDir(t);
  const { logger } = memoryLogger();
  const first = await Spool.open({ dir, maxBytes: 1_000_000, segmentBytes: 150, logger });
  await first.append(Array.from({ length: 30 }, (_, i) => rec(i)));
  const read = await first.read(12);
  await first.ack(read[11]!);
  await first.close();
  await assert.rejects(first.append([rec(99)]), { name: 'SpoolClosedError' });

  const second = await Spool.open({ dir, maxBytes: 1_000_000, segmentBytes: 150, logger });
  t.after(() => second.close().catch(() => undefined));
  assert.equal(second.depth, 18);
  await second.append([rec(30), rec(31)]);
  assert.deepEqual(names(await second.read(1000)), range(12, 32));
});

test('spool - a cursor left behind by a crash never marks records of a new segment as acked', async (t) => {
  const dir = tempDir(t);
  const { logger } = memoryLogger();
  // the last run acked and deleted segment 5 through offset 23 (one record), then crashed
  writeFileSync(join(dir, 'cursor.json'), JSON.stringify({ segment: 5, offset: 23 }));
  const crashed = await Spool.open({ dir, maxBytes: 1_000_000, logger });
  await crashed.append([rec(0), rec(1), rec(2)]);
  // crash again before any ack rewrites the cursor: reopen without closing
  const spool = await Spool.open({ dir, maxBytes: 1_000_000, logger });
  t.after(async () => {
    await spool.close().catch(() => undefined);
    await crashed.close().catch(() => undefined);
  });
  assert.equal(spool.depth, 3);
  assert.deepEqual(names(await spool.read(10)), range(0, 3));
});

test('spool - a torn record at the end of a segment is skipped with a log line, the rest is read', async (t) => {
  const dir = tempDir(t);
  const first = await Spool.open({ dir, maxBytes: 1_000_000, segmentBytes: 90, logger: memoryLogger().logger });
  // 4 + 4 × (8 + 11) = 80 bytes (a fifth would make 99 > 90): four records a segment, five segments
  for (let i = 0; i < 20; i++) await first.append([rec(i)]);
  await first.close();
  const segs = segmentFiles(dir);
  assert.equal(segs.length, 5);
  // crash mid-write of the last record of segment 2 (half its payload) …
  const second = join(dir, segs[1]!);
  truncateSync(second, statSync(second).size - 5);
  // … and of a record header at the end of the last segment
  appendFileSync(join(dir, segs[4]!), Buffer.from([0, 0, 0]));

  const { logger, lines } = memoryLogger();
  const spool = await Spool.open({ dir, maxBytes: 1_000_000, segmentBytes: 90, logger });
  t.after(() => spool.close().catch(() => undefined));
  const torn = lines.filter((l) => l.event === 'spool-torn-record');
  assert.equal(torn.length, 2, JSON.stringify(lines));
  assert.deepEqual(torn.map((l) => l.problem), ['torn record', 'torn record header']);
  assert.deepEqual(torn.map((l) => l.skippedBytes), [19 - 5, 3]);
  const want = range(0, 20).filter((r) => r !== 'record-0007');
  assert.equal(spool.depth, 19);
  assert.deepEqual(names(await spool.read(1000)), want);
  await spool.append([rec(20)]);
  assert.deepEqual(names(await spool.read(1000)), [...want, 'record-0020']);
});

test('spool - a checksum mismatch ends the segment like a torn record', async (t) => {
  const dir = tempDir(t);
  const first = await Spool.open({ dir, maxBytes: 1_000_000, logger: memoryLogger().logger });
  await first.append([rec(0), rec(1), rec(2)]);
  await first.close();
  const [seg] = segmentFiles(dir);
  const path = join(dir, seg!);
  const { size } = statSync(path);
  // flip the last payload byte of record 2
  const buf = readFileSync(path);
  buf[size - 1] = buf[size - 1]! ^ 0xff;
  writeFileSync(path, buf);

  const { logger, lines } = memoryLogger();
  const spool = await Spool.open({ dir, maxBytes: 1_000_000, logger });
  t.after(() => spool.close().catch(() => undefined));
  assert.deepEqual(names(await spool.read(10)), range(0, 2));
  assert.equal(lines.filter((l) => l.problem === 'checksum mismatch').length, 1);
});

test('spool - past maxBytes whole oldest segments are dropped and counted exactly, newest kept', async (t) => {
  const dir = tempDir(t);
  const { logger, lines } = memoryLogger();
  // a record is 8 + 92 = 100 bytes; a segment 4 + 2 × 100 = 204 bytes (a third would pass 250)
  const spool = await Spool.open({ dir, maxBytes: 1000, segmentBytes: 250, logger });
  t.after(() => spool.close().catch(() => undefined));
  for (let i = 0; i < 30; i++) await spool.append([rec(i, 81)]);
  // four full segments are 816 bytes; the second record of a fifth would make 1020 > 1000, so
  // each completed segment past the fourth pushes out the oldest: 4 × 2 kept, 22 dropped
  assert.equal(spool.depth, 8);
  assert.equal(spool.dropped, 22);
  assert.ok(spool.bytes <= 1000, `bytes ${spool.bytes}`);
  assert.deepEqual(names(await spool.read(100)), range(22, 30));
  const drops = lines.filter((l) => l.event === 'spool-segment-dropped');
  assert.ok(drops.length >= 1, 'a warning is logged');
  assert.equal(drops[0]!.level, 40);
  assert.equal(drops[0]!.records, 2);
  assert.ok(drops.length < 11, `rate-limited: ${drops.length} lines for 11 drops`);

  // records acked before their segment is dropped are not counted as dropped
  const head = await spool.read(1);
  await spool.ack(head[0]!);
  for (let i = 30; i < 32; i++) await spool.append([rec(i, 81)]);
  assert.equal(spool.dropped, 23);
  assert.deepEqual(names(await spool.read(100)), range(24, 32));
});

test('spool - a file that is not a segment is left alone; a header-less new segment is removed', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, '000000000003.seg'), 'not a spool');
  writeFileSync(join(dir, '000000000004.seg'), SPOOL_MAGIC.subarray(0, 2));
  const { logger, lines } = memoryLogger();
  const spool = await Spool.open({ dir, maxBytes: 1_000_000, logger });
  t.after(() => spool.close().catch(() => undefined));
  assert.equal(spool.depth, 0);
  assert.ok(existsSync(join(dir, '000000000003.seg')));
  assert.ok(!existsSync(join(dir, '000000000004.seg')));
  assert.equal(lines.filter((l) => l.event === 'spool-bad-header').length, 1);
  await spool.append([rec(1)]);
  assert.deepEqual(names(await spool.read(10)), range(1, 2));
  assert.ok(segmentFiles(dir).includes('000000000005.seg'), 'new segments are numbered past every existing file');
});

test('spool - configuration errors are thrown at open', async (t) => {
  const dir = tempDir(t);
  const { logger } = memoryLogger();
  await assert.rejects(Spool.open({ dir, maxBytes: 0, logger }), { name: 'RangeError', message: 'spool maxBytes must be a positive integer, got 0' });
  await assert.rejects(Spool.open({ dir, maxBytes: 100, segmentBytes: 2, logger }), {
    name: 'RangeError',
    message: 'spool segmentBytes must be an integer above 4, got 2',
  });
});
