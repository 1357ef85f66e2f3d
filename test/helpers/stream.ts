import type { NatsConnection } from 'nats';
import { AckPolicy, DeliverPolicy } from 'nats';
import { RESULTS_STREAM, decodeResult, type pb } from '../../proto/index.js';

type Result = InstanceType<typeof pb.ProbeResult>;

/** Every ProbeResult now in the results stream, in stream order (an ephemeral consumer reads them). */
export async function readResults(nc: NatsConnection): Promise<Result[]> {
  const jsm = await nc.jetstreamManager();
  const info = await jsm.streams.info(RESULTS_STREAM);
  const total = info.state.messages;
  if (total === 0) return [];
  const ci = await jsm.consumers.add(RESULTS_STREAM, { ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.All, inactive_threshold: 60_000_000_000 });
  const consumer = await nc.jetstream().consumers.get(RESULTS_STREAM, ci.name);
  const out: Result[] = [];
  while (out.length < total) {
    const batch = await consumer.fetch({ max_messages: Math.min(1_000, total - out.length), expires: 2_000 });
    let got = 0;
    for await (const m of batch) {
      out.push(decodeResult(m.data));
      got++;
    }
    if (got === 0) break;
  }
  await jsm.consumers.delete(RESULTS_STREAM, ci.name);
  return out;
}

/** Ids that occur more than once. */
export function duplicates(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const id of ids) (seen.has(id) ? dup : seen).add(id);
  return [...dup];
}

/** Polls `fn` every 100 ms until it returns a truthy value, or throws after `timeoutMs` with `what`. */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
