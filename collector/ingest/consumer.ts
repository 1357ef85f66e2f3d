import { AckPolicy, DeliverPolicy, nanos, type ConsumerConfig, type JetStreamManager } from 'nats';
import { RESULTS_STREAM, RESULTS_SUBJECTS } from '../../proto/index.js';

/** The durable pull consumer's name unless told otherwise. */
export const DEFAULT_DURABLE = 'crossprobe-collector';

export interface ConsumerSettings {
  readonly durable: string;
  /** How long the server waits for an ack before redelivering (ms). */
  readonly ackWaitMs: number;
  /** Unacked messages the server lets this consumer hold. */
  readonly maxAckPending: number;
}

/**
 * Creates the collector's durable pull consumer on the results stream, or brings an existing one's
 * ack_wait / max_ack_pending to `s` (a restart with new settings must not keep the old ones).
 */
export async function ensureConsumer(jsm: JetStreamManager, s: ConsumerSettings): Promise<void> {
  try {
    const info = await jsm.consumers.info(RESULTS_STREAM, s.durable);
    if (info.config.ack_wait !== nanos(s.ackWaitMs) || info.config.max_ack_pending !== s.maxAckPending) {
      await jsm.consumers.update(RESULTS_STREAM, s.durable, { ack_wait: nanos(s.ackWaitMs), max_ack_pending: s.maxAckPending });
    }
    return;
  } catch (err) {
    if ((err as { code?: string }).code !== '404') throw err;
  }
  const config: Partial<ConsumerConfig> = {
    durable_name: s.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: RESULTS_SUBJECTS,
    ack_wait: nanos(s.ackWaitMs),
    max_ack_pending: s.maxAckPending,
    max_deliver: -1,
  };
  await jsm.consumers.add(RESULTS_STREAM, config);
}
