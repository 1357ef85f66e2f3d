import { setTimeout as delay } from 'node:timers/promises';
import type { KV, KvEntry, NatsConnection, QueuedIterator } from 'nats';
import type { Logger } from 'pino';
import { TARGETS_BUCKET, targetFromWire, type Target } from '../../proto/index.js';

export interface KvTargetEvents {
  put(target: Target): void;
  delete(id: string): void;
}

/**
 * Watches the targets KV bucket until `signal` aborts: every PUT becomes `put(target)`, every DEL or
 * PURGE `delete(id)`. A malformed value is logged and skipped (the key keeps its last good target).
 * The bucket may not exist yet (the collector creates it) and NATS may be down: both are retried,
 * never thrown.
 */
export async function watchTargetsKv(nc: NatsConnection, events: KvTargetEvents, logger: Logger, signal: AbortSignal): Promise<void> {
  let warned = false;
  while (!signal.aborted) {
    let watch: QueuedIterator<KvEntry> | null = null;
    try {
      // bindOnly: an agent never creates the bucket (and its NATS user may not be allowed to)
      const kv: KV = await nc.jetstream().views.kv(TARGETS_BUCKET, { bindOnly: true });
      watch = await kv.watch();
      const stop = () => watch?.stop();
      signal.addEventListener('abort', stop, { once: true });
      if (warned) logger.info({ bucket: TARGETS_BUCKET }, 'watching targets KV bucket');
      warned = false;
      for await (const e of watch) apply(e, events, logger);
      signal.removeEventListener('abort', stop);
    } catch (err) {
      if (signal.aborted || nc.isClosed()) return;
      if (!warned) logger.warn({ bucket: TARGETS_BUCKET, err }, 'targets KV bucket unavailable; retrying every 5s');
      warned = true;
    } finally {
      watch?.stop();
    }
    if (nc.isClosed()) return;
    await sleep(5_000, signal);
  }
}

function apply(e: KvEntry, events: KvTargetEvents, logger: Logger): void {
  if (e.operation === 'DEL' || e.operation === 'PURGE') {
    events.delete(e.key);
    return;
  }
  try {
    const t = targetFromWire(e.value);
    if (t.id !== e.key) throw new Error(`key "${e.key}" holds target id "${t.id}"; they must match`);
    events.put(t);
  } catch (err) {
    logger.error({ event: 'target-malformed', bucket: TARGETS_BUCKET, key: e.key, revision: e.revision, err }, 'malformed target in KV bucket; skipped (the previous version, if any, stays in effect)');
  }
}

/** Waits `ms`, or less when `signal` aborts (never rejects). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined);
}
