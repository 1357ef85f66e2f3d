import { setImmediate as yieldToLoop } from 'node:timers/promises';

const DAY_MS = 86_400_000;

/** How long each kind of row is kept (ms), and how many rows one delete may touch. */
export interface RetentionOptions {
  /** Raw results, by started_at. Default 14 days. */
  readonly rawMs?: number;
  /** Per-minute rollups. Default 400 days. */
  readonly rollupMs?: number;
  /** Rejected messages, by received_at. Default 14 days. */
  readonly rejectsMs?: number;
  /** Rows per delete statement (each its own short transaction). Default 5000. */
  readonly chunkRows?: number;
}

export const RETENTION_DEFAULTS = Object.freeze({ rawMs: 14 * DAY_MS, rollupMs: 400 * DAY_MS, rejectsMs: 14 * DAY_MS, chunkRows: 5_000 });

/** Rows deleted by one retention run. */
export interface RetentionReport {
  readonly results: number;
  readonly rollups: number;
  readonly rejects: number;
  /** Delete statements run (each a short transaction). */
  readonly chunks: number;
}

/** Something that deletes up to `limit` rows older than a cutoff and says how many it deleted. */
export interface ChunkDeleter {
  deleteBefore(cutoffMs: number, limit: number): number;
}

/**
 * Deletes expired rows in chunks of `chunkRows`, each chunk its own transaction, yielding to the event
 * loop between chunks: the ingest loop (same process, same connection) commits its batches in between
 * instead of waiting behind one long delete.
 */
export async function applyRetention(
  tables: { results: ChunkDeleter; rollups: ChunkDeleter; rejects: ChunkDeleter },
  nowMs: number,
  opts: RetentionOptions = {},
): Promise<RetentionReport> {
  const o = { ...RETENTION_DEFAULTS, ...opts };
  for (const [k, v] of Object.entries(o)) {
    if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`retention ${k} must be a positive integer, got ${v}`);
  }
  let chunks = 0;
  const drain = async (table: ChunkDeleter, cutoffMs: number): Promise<number> => {
    let total = 0;
    for (;;) {
      const n = table.deleteBefore(cutoffMs, o.chunkRows);
      chunks++;
      total += n;
      if (n < o.chunkRows) return total;
      await yieldToLoop();
    }
  };
  const results = await drain(tables.results, nowMs - o.rawMs);
  const rollups = await drain(tables.rollups, nowMs - o.rollupMs);
  const rejects = await drain(tables.rejects, nowMs - o.rejectsMs);
  return { results, rollups, rejects, chunks };
}
