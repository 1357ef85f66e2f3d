import { mkdir, open, readdir, readFile, rename, truncate, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Logger } from 'pino';
import { RateLimitedLog, SerialQueue } from '../../common/index.js';

/**
 * On-disk format (version 1), all integers big-endian:
 *
 *   segment file `<12-digit seq>.seg` = "CPS1" record*
 *   record                           = u32 length | u32 crc32(payload) | payload (length bytes)
 *   cursor file  `cursor.json`       = {"segment": seq, "offset": byte offset of the first unacked record}
 *
 * Segments are append-only and are written by one process at a time; each process appends to fresh
 * segments only (never to one left by an earlier run), so a torn tail can only sit at the end of a
 * segment. A segment is deleted once every record in it is acked, or when it is the oldest one and
 * the spool is past its byte bound.
 */
export const SPOOL_MAGIC = Buffer.from('CPS1', 'latin1');
const HEADER_BYTES = SPOOL_MAGIC.length;
const FRAME_BYTES = 8;
/** Larger "lengths" can only be garbage: a ProbeResult is a few hundred bytes. */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;
const DEFAULT_SEGMENT_BYTES = 4 * 1024 * 1024;
const READ_CHUNK_BYTES = 64 * 1024;
const CURSOR_FILE = 'cursor.json';
const CURSOR_WRITE_DELAY_MS = 250;
const SEGMENT_NAME = /^(\d{12})\.seg$/;

export interface SpoolOptions {
  dir: string;
  /** Bound on the bytes of segment files; past it the oldest segment is dropped. */
  maxBytes: number;
  /** Rotate to a new segment past this size. Default: 4 MiB, at most a quarter of maxBytes. */
  segmentBytes?: number;
  logger: Logger;
}

/** One record read from the spool; pass it to `ack` once it (and every record before it) is delivered. */
export interface SpoolRecord {
  readonly data: Uint8Array;
  readonly segment: number;
  /** Position of the record within its segment (0-based). */
  readonly index: number;
  /** Byte offset just past the record in its segment file. */
  readonly end: number;
}

/**
 * An append that failed (ENOSPC, EROFS, EIO...): `written` records of the batch, from its start,
 * are on disk (fsynced); the rest are not. `code` is the system error's.
 */
export class SpoolWriteError extends Error {
  override readonly name = 'SpoolWriteError';
  readonly code: string;
  constructor(override readonly cause: unknown, readonly written: number) {
    super(`cannot write the spool: ${(cause as Error)?.message ?? String(cause)}`);
    this.code = String((cause as NodeJS.ErrnoException | null)?.code ?? 'EIO');
  }
}

/** Thrown by spool operations after `close()`. */
export class SpoolClosedError extends Error {
  override readonly name = 'SpoolClosedError';
  readonly code = 'ERR_SPOOL_CLOSED';
  constructor() {
    super('spool is closed');
  }
}

interface Segment {
  readonly seq: number;
  readonly path: string;
  /** Valid bytes, header included. */
  size: number;
  records: number;
  ackedRecords: number;
  ackedOffset: number;
}

interface Cursor {
  segment: number;
  offset: number;
}

/**
 * An append-only, checksummed, bounded FIFO of byte records in a directory, surviving restarts.
 * Records leave only through `ack` (in order) or when the byte bound drops the oldest segment.
 * Operations are serialised; the caller may issue them concurrently.
 */
export class Spool {
  private readonly segments: Segment[] = [];
  private active: { seg: Segment; fh: FileHandle } | null = null;
  private nextSeq: number;
  private totalBytes = 0;
  private droppedRecords = 0;
  private readonly queue = new SerialQueue();
  private closed = false;
  private cursorTimer: NodeJS.Timeout | null = null;
  private writtenCursor: string | null;
  private readonly dropLog: RateLimitedLog;

  private constructor(
    readonly dir: string,
    readonly maxBytes: number,
    readonly segmentBytes: number,
    private readonly logger: Logger,
    found: { segments: Segment[]; nextSeq: number; cursor: string | null },
  ) {
    this.segments = found.segments;
    this.nextSeq = found.nextSeq;
    this.writtenCursor = found.cursor;
    for (const s of this.segments) this.totalBytes += s.size;
    this.dropLog = new RateLimitedLog(logger, 10_000);
  }

  /** Opens (creating when missing) the spool in `opts.dir`, checking every record left there. */
  static async open(opts: SpoolOptions): Promise<Spool> {
    if (!Number.isSafeInteger(opts.maxBytes) || opts.maxBytes <= 0) {
      throw new RangeError(`spool maxBytes must be a positive integer, got ${opts.maxBytes}`);
    }
    const segmentBytes = opts.segmentBytes ?? Math.max(HEADER_BYTES + 1, Math.min(DEFAULT_SEGMENT_BYTES, Math.floor(opts.maxBytes / 4)));
    if (!Number.isSafeInteger(segmentBytes) || segmentBytes <= HEADER_BYTES) {
      throw new RangeError(`spool segmentBytes must be an integer above ${HEADER_BYTES}, got ${segmentBytes}`);
    }
    await mkdir(opts.dir, { recursive: true });
    const found = await recover(opts.dir, opts.logger);
    return new Spool(opts.dir, opts.maxBytes, segmentBytes, opts.logger, found);
  }

  /** Records on disk not yet acked. */
  get depth(): number {
    let n = 0;
    for (const s of this.segments) n += s.records - s.ackedRecords;
    return n;
  }

  /** Bytes of segment files on disk (what `maxBytes` bounds). */
  get bytes(): number {
    return this.totalBytes;
  }

  /** Unacked records removed because the spool was past its bound, since open. */
  get dropped(): number {
    return this.droppedRecords;
  }

  /** Appends records in order and fsyncs them; on return they survive a crash. */
  append(records: readonly Uint8Array[]): Promise<void> {
    return this.exclusive(async () => {
      let written = 0;
      try {
        while (written < records.length) written = await this.appendSome(records, written);
      } catch (err) {
        if (err instanceof RangeError) throw err;
        throw new SpoolWriteError(err, written);
      }
    });
  }

  /** Appends (and fsyncs) records from `from` on, as many as fit in one segment; returns the next index. */
  private async appendSome(records: readonly Uint8Array[], from: number): Promise<number> {
    let i = from;
    const act = await this.activeFor(FRAME_BYTES + records[i]!.length);
    const frames: Buffer[] = [];
    let bytes = 0;
    while (i < records.length) {
      const r = records[i]!;
      if (r.length > MAX_RECORD_BYTES) throw new RangeError(`spool record of ${r.length} bytes exceeds ${MAX_RECORD_BYTES}`);
      const size = FRAME_BYTES + r.length;
      if (frames.length > 0 && act.seg.size + bytes + size > this.segmentBytes) break;
      frames.push(frame(r));
      bytes += size;
      i++;
    }
    const buf = Buffer.concat(frames, bytes);
    try {
      await writeAll(act.fh, buf, act.seg.size);
      await act.fh.datasync();
    } catch (err) {
      // Leave no partial record behind; if even that fails, stop appending to this segment:
      // readers never look past `size`, and recovery truncates the junk.
      await act.fh.truncate(act.seg.size).catch(() => this.retireActive());
      throw err;
    }
    act.seg.size += bytes;
    act.seg.records += frames.length;
    this.totalBytes += bytes;
    await this.enforceBound();
    return i;
  }

  /** The oldest unacked records, at most `max`, in order. Reading does not remove them. */
  read(max: number): Promise<SpoolRecord[]> {
    return this.exclusive(async () => {
      const out: SpoolRecord[] = [];
      for (let si = 0; si < this.segments.length && out.length < max; si++) {
        const seg = this.segments[si]!;
        const fh = this.active?.seg === seg ? this.active.fh : await open(seg.path, 'r');
        try {
          await readRecords(fh, seg, si === 0 ? seg.ackedOffset : HEADER_BYTES, si === 0 ? seg.ackedRecords : 0, max, out);
        } finally {
          if (this.active?.fh !== fh) await fh.close();
        }
      }
      return out;
    });
  }

  /** Removes `through` and every record before it. Records already dropped by the bound are ignored. */
  ack(through: SpoolRecord): Promise<void> {
    return this.exclusive(async () => {
      const si = this.segments.findIndex((s) => s.seq === through.segment);
      if (si < 0) return;
      // Records are read in order, so every segment before this one has been consumed entirely.
      for (let k = 0; k < si; k++) await this.removeOldest();
      const seg = this.segments[0]!;
      if (through.index < seg.ackedRecords) return;
      seg.ackedRecords = through.index + 1;
      seg.ackedOffset = through.end;
      if (seg.ackedRecords >= seg.records) {
        if (this.active?.seg === seg) await this.retireActive();
        await this.removeOldest();
      }
      this.scheduleCursorWrite();
    });
  }

  /** Writes the cursor and closes files; further operations throw SpoolClosedError. */
  close(): Promise<void> {
    return this.exclusive(async () => {
      if (this.cursorTimer) clearTimeout(this.cursorTimer);
      this.cursorTimer = null;
      try {
        await this.writeCursor();
      } finally {
        await this.retireActive();
        this.closed = true;
      }
    });
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.queue.run(() => {
      if (this.closed) throw new SpoolClosedError();
      return fn();
    });
  }

  /** The segment to append a record of `size` bytes to, rotating or creating as needed. */
  private async activeFor(size: number): Promise<{ seg: Segment; fh: FileHandle }> {
    if (this.active && this.active.seg.size > HEADER_BYTES && this.active.seg.size + size > this.segmentBytes) {
      await this.retireActive();
    }
    if (this.active) return this.active;
    const seq = this.nextSeq++;
    const path = join(this.dir, segmentName(seq));
    const fh = await open(path, 'wx+');
    try {
      await writeAll(fh, SPOOL_MAGIC, 0);
      await fh.datasync();
      await syncDir(this.dir);
    } catch (err) {
      await fh.close().catch(() => undefined);
      await unlink(path).catch(() => undefined);
      throw err;
    }
    const seg: Segment = { seq, path, size: HEADER_BYTES, records: 0, ackedRecords: 0, ackedOffset: HEADER_BYTES };
    this.segments.push(seg);
    this.totalBytes += HEADER_BYTES;
    this.active = { seg, fh };
    return this.active;
  }

  private async retireActive(): Promise<void> {
    const act = this.active;
    this.active = null;
    if (act) await act.fh.close().catch(() => undefined);
  }

  private async enforceBound(): Promise<void> {
    // The segment being written is never dropped: it holds the newest records.
    while (this.totalBytes > this.maxBytes && this.segments.length > 1) {
      const oldest = this.segments[0]!;
      const lost = oldest.records - oldest.ackedRecords;
      this.droppedRecords += lost;
      await this.removeOldest();
      this.scheduleCursorWrite();
      this.dropLog.warn(
        'drop',
        { event: 'spool-segment-dropped', segment: oldest.seq, records: lost, droppedTotal: this.droppedRecords, maxBytes: this.maxBytes },
        'spool past its bound: dropped the oldest segment',
      );
    }
  }

  private async removeOldest(): Promise<void> {
    const seg = this.segments.shift();
    if (!seg) return;
    this.totalBytes -= seg.size;
    await unlink(seg.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') this.logger.error({ err, file: seg.path }, 'cannot remove spool segment');
    });
  }

  private scheduleCursorWrite(): void {
    if (this.cursorTimer) return;
    this.cursorTimer = setTimeout(() => {
      this.cursorTimer = null;
      this.exclusive(() => this.writeCursor()).catch((err: unknown) => {
        if (!(err instanceof SpoolClosedError)) this.logger.warn({ err }, 'cannot write spool cursor');
      });
    }, CURSOR_WRITE_DELAY_MS);
    this.cursorTimer.unref();
  }

  /** The cursor only saves re-sending acked records after a restart, so it is not fsynced. */
  private async writeCursor(): Promise<void> {
    const head = this.segments[0];
    const cursor: Cursor = head ? { segment: head.seq, offset: head.ackedOffset } : { segment: this.nextSeq, offset: HEADER_BYTES };
    const text = JSON.stringify(cursor);
    if (text === this.writtenCursor) return;
    const tmp = join(this.dir, `${CURSOR_FILE}.tmp`);
    await writeFile(tmp, text);
    await rename(tmp, join(this.dir, CURSOR_FILE));
    this.writtenCursor = text;
  }
}

function segmentName(seq: number): string {
  return `${String(seq).padStart(12, '0')}.seg`;
}

function frame(payload: Uint8Array): Buffer {
  const b = Buffer.allocUnsafe(FRAME_BYTES + payload.length);
  b.writeUInt32BE(payload.length, 0);
  b.writeUInt32BE(crc32(payload), 4);
  b.set(payload, FRAME_BYTES);
  return b;
}

async function writeAll(fh: FileHandle, buf: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, position + done);
    done += bytesWritten;
  }
}

async function syncDir(dir: string): Promise<void> {
  // Makes a new segment's directory entry durable; not every platform can fsync a directory.
  const dh = await open(dir, 'r').catch(() => null);
  if (!dh) return;
  await dh.sync().catch(() => undefined);
  await dh.close();
}

/** Reads records of `seg` from `offset` (record number `index`) into `out` until `max` or the segment's end. */
async function readRecords(fh: FileHandle, seg: Segment, offset: number, index: number, max: number, out: SpoolRecord[]): Promise<void> {
  let want = READ_CHUNK_BYTES;
  while (offset < seg.size && out.length < max) {
    const len = Math.min(seg.size - offset, want);
    const chunk = Buffer.allocUnsafe(len);
    const { bytesRead } = await fh.read(chunk, 0, len, offset);
    if (bytesRead < len) throw new Error(`spool segment ${seg.path} is shorter than expected (${offset + bytesRead} < ${offset + len})`);
    let pos = 0;
    while (pos + FRAME_BYTES <= len && out.length < max) {
      const size = chunk.readUInt32BE(pos);
      if (pos + FRAME_BYTES + size > len) break;
      const data = chunk.subarray(pos + FRAME_BYTES, pos + FRAME_BYTES + size);
      pos += FRAME_BYTES + size;
      out.push({ data, segment: seg.seq, index, end: offset + pos });
      index++;
    }
    if (pos === 0) {
      // a record larger than the chunk: read again with room for it
      want = FRAME_BYTES + chunk.readUInt32BE(0);
    } else {
      want = READ_CHUNK_BYTES;
    }
    offset += pos;
  }
}

async function readCursor(dir: string, logger: Logger): Promise<{ cursor: Cursor | null; text: string | null }> {
  let text: string;
  try {
    text = await readFile(join(dir, CURSOR_FILE), 'utf8');
  } catch {
    return { cursor: null, text: null };
  }
  try {
    const v = JSON.parse(text) as { segment?: unknown; offset?: unknown };
    if (Number.isSafeInteger(v.segment) && Number.isSafeInteger(v.offset)) {
      return { cursor: { segment: v.segment as number, offset: v.offset as number }, text };
    }
  } catch {
    // fall through: a cursor torn by a crash only costs re-sending some acked records
  }
  logger.warn({ dir }, 'spool cursor unreadable; replaying every segment from its start');
  return { cursor: null, text: null };
}

/** Scans a spool directory: validates every record, truncates torn tails, deletes acked segments. */
async function recover(dir: string, logger: Logger): Promise<{ segments: Segment[]; nextSeq: number; cursor: string | null }> {
  const { cursor, text } = await readCursor(dir, logger);
  const seqs = (await readdir(dir))
    .map((name) => SEGMENT_NAME.exec(name)?.[1])
    .filter((s): s is string => s !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  const segments: Segment[] = [];
  // Past the cursor's segment too: a cursor left behind by a crash must never describe a new segment.
  let nextSeq = (cursor?.segment ?? 0) + 1;
  for (const seq of seqs) {
    nextSeq = Math.max(nextSeq, seq + 1);
    const path = join(dir, segmentName(seq));
    if (cursor && seq < cursor.segment) {
      await removeQuietly(path, logger); // wholly acked before the last run ended
      continue;
    }
    const buf = await readFile(path);
    const head = buf.subarray(0, HEADER_BYTES);
    if (!head.equals(SPOOL_MAGIC)) {
      if (buf.length < HEADER_BYTES && head.equals(SPOOL_MAGIC.subarray(0, buf.length))) {
        await removeQuietly(path, logger); // created, but the crash came before its header was complete
      } else {
        logger.error({ event: 'spool-bad-header', file: path, bytes: buf.length }, 'not a spool segment (bad header); left alone');
      }
      continue;
    }
    const seg: Segment = { seq, path, size: HEADER_BYTES, records: 0, ackedRecords: 0, ackedOffset: HEADER_BYTES };
    const cursorHere = cursor && cursor.segment === seq ? cursor.offset : null;
    let cursorMatched = cursorHere === null || cursorHere === HEADER_BYTES;
    let pos = HEADER_BYTES;
    let problem: string | null = null;
    while (pos < buf.length) {
      if (pos + FRAME_BYTES > buf.length) {
        problem = 'torn record header';
        break;
      }
      const len = buf.readUInt32BE(pos);
      if (len > MAX_RECORD_BYTES || pos + FRAME_BYTES + len > buf.length) {
        problem = 'torn record';
        break;
      }
      if (crc32(buf.subarray(pos + FRAME_BYTES, pos + FRAME_BYTES + len)) !== buf.readUInt32BE(pos + 4)) {
        problem = 'checksum mismatch';
        break;
      }
      pos += FRAME_BYTES + len;
      seg.records++;
      if (pos === cursorHere) {
        seg.ackedRecords = seg.records;
        seg.ackedOffset = pos;
        cursorMatched = true;
      }
    }
    seg.size = pos;
    if (problem) {
      // Without a resync marker nothing after a bad record can be trusted: the rest of the segment goes.
      logger.warn({ event: 'spool-torn-record', file: path, offset: pos, skippedBytes: buf.length - pos, problem }, 'spool: skipped a torn record at the end of a segment');
      // a read-only disk: readers never look past `size`, and the next run truncates
      await truncate(path, pos).catch((err: unknown) => logger.warn({ err, file: path }, 'cannot truncate a torn spool segment; left for the next start'));
    }
    if (!cursorMatched) {
      logger.warn({ file: path, offset: cursorHere }, 'spool cursor is not on a record boundary; replaying the segment from its start');
    }
    if (seg.records === seg.ackedRecords) {
      await removeQuietly(path, logger);
      continue;
    }
    segments.push(seg);
  }
  return { segments, nextSeq, cursor: text };
}

/** Recovery on a disk that refuses changes (read-only, EACCES) goes on: what is left is removed at a later start. */
async function removeQuietly(path: string, logger: Logger): Promise<void> {
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') logger.warn({ err, file: path }, 'cannot remove a spent spool segment; left for the next start');
  });
}

