import { RetentionPolicy, StorageType, DiscardPolicy, nanos, type JetStreamManager, type NatsConnection, type KV } from 'nats';
import { RESULTS_STREAM, RESULTS_SUBJECTS, RESULTS_DEDUPE_WINDOW_MS, RESULTS_MAX_AGE_MS, TARGETS_BUCKET } from './subjects.js';

/**
 * Creates the results stream with the settings of DESIGN §3 when missing; returns whether it was
 * created. `replicas` (default 1) applies at creation: an existing stream keeps its own.
 */
export async function ensureResultsStream(jsm: JetStreamManager, opts: { maxAgeMs?: number; maxBytes?: number; replicas?: number } = {}): Promise<boolean> {
  try {
    await jsm.streams.info(RESULTS_STREAM);
    return false;
  } catch (err) {
    if ((err as { code?: string }).code !== '404') throw err;
  }
  await jsm.streams.add({
    name: RESULTS_STREAM,
    subjects: [RESULTS_SUBJECTS],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(opts.maxAgeMs ?? RESULTS_MAX_AGE_MS),
    max_bytes: opts.maxBytes ?? -1,
    duplicate_window: nanos(RESULTS_DEDUPE_WINDOW_MS),
    num_replicas: opts.replicas ?? 1,
  });
  return true;
}

/** Opens (creating when missing, with `replicas`, default 1) the targets KV bucket. */
export async function ensureTargetsBucket(nc: NatsConnection, opts: { replicas?: number } = {}): Promise<KV> {
  return nc.jetstream().views.kv(TARGETS_BUCKET, { history: 5, replicas: opts.replicas ?? 1 });
}
