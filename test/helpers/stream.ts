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

/** The tests' polling helper lives in wait.ts; re-exported here, where most tests import it from. */
export { waitFor } from './wait.js';
