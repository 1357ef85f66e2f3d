import { AckPolicy, DeliverPolicy, nanos, type ConsumerConfig, type ConsumerInfo, type JetStreamManager } from 'nats';
import { RESULTS_STREAM, RESULTS_SUBJECTS } from '../../proto/index.js';

export interface ConsumerSettings {
  readonly durable: string;
  /** How long the server waits for an ack before redelivering (ms). */
  readonly ackWaitMs: number;
  /** Unacked messages the server lets this consumer hold. */
  readonly maxAckPending: number;
}

/** Where a consuming session starts: what the server had delivered before it (see `AckFloor`). */
export interface SessionStart {
  /** The highest stream sequence delivered before this session; everything up to it is acked, but `unacked`. */
  readonly streamSeq: number;
  /** The consumer's delivery sequence so far: the session's first delivery carries this + 1. */
  readonly deliverySeq: number;
  /** Why the consumer was (re)created, or null when the existing one was kept. */
  readonly recreated: 'missing' | 'explicit-acks' | 'unacked-messages' | null;
  /**
   * How the session acks: `cumulative` (one ack per batch) on the consumer this version makes; `each`
   * (every message) on an explicit-ack consumer that could not be recreated.
   */
  readonly acks: 'cumulative' | 'each';
  /**
   * Stream sequences a predecessor left unacked on a consumer that could not be recreated: outstanding
   * until a redelivered copy commits (after ack_wait), so no cumulative ack passes them before.
   */
  readonly unacked: { readonly from: number; readonly to: number } | null;
  /** Why the consumer could not be recreated (the delete was refused), or null. */
  readonly cannotRecreate: string | null;
}

/**
 * Makes the collector's durable pull consumer ready for a new consuming session, and says where that
 * session starts. The consumer acks cumulatively (AckPolicy.All: one ack per batch covers every
 * message up to it), so a session may only start on a consumer that holds nothing unacked:
 * - missing: created, delivering the whole stream;
 * - holding unacked messages (a predecessor crashed or was killed between commit and ack), or an
 *   explicit-ack consumer of an earlier version: deleted and created again from its ack floor + 1.
 *   What was above the floor is delivered again at once, instead of after ack_wait, and the store
 *   ignores what it already has;
 * - otherwise kept, its ack_wait / max_ack_pending brought to `s` (a restart with new settings must not
 *   keep the old ones).
 */
export async function prepareConsumer(jsm: JetStreamManager, s: ConsumerSettings): Promise<SessionStart> {
  let info: ConsumerInfo;
  try {
    info = await jsm.consumers.info(RESULTS_STREAM, s.durable);
  } catch (err) {
    if ((err as { code?: string }).code !== '404') throw err;
    await jsm.consumers.add(RESULTS_STREAM, consumerConfig(s, 0));
    return { streamSeq: 0, deliverySeq: 0, recreated: 'missing', acks: 'cumulative', unacked: null, cannotRecreate: null };
  }
  const explicit = info.config.ack_policy !== AckPolicy.All;
  const reason = explicit ? 'explicit-acks' : info.num_ack_pending > 0 ? 'unacked-messages' : null;
  let cannotRecreate: string | null = null;
  if (reason !== null) {
    const floor = info.ack_floor.stream_seq;
    try {
      await jsm.consumers.delete(RESULTS_STREAM, s.durable);
    } catch (err) {
      // a NATS user enrolled by an earlier version may not delete its consumer: go on without
      cannotRecreate = (err as Error).message;
    }
    if (cannotRecreate === null) {
      await jsm.consumers.add(RESULTS_STREAM, consumerConfig(s, floor));
      return { streamSeq: floor, deliverySeq: 0, recreated: reason, acks: 'cumulative', unacked: null, cannotRecreate: null };
    }
  }
  if (info.config.ack_wait !== nanos(s.ackWaitMs) || info.config.max_ack_pending !== s.maxAckPending) {
    await jsm.consumers.update(RESULTS_STREAM, s.durable, { ack_wait: nanos(s.ackWaitMs), max_ack_pending: s.maxAckPending });
  }
  const unacked = !explicit && reason !== null ? { from: info.ack_floor.stream_seq + 1, to: info.delivered.stream_seq } : null;
  return { streamSeq: info.delivered.stream_seq, deliverySeq: info.delivered.consumer_seq, recreated: null, acks: explicit ? 'each' : 'cumulative', unacked, cannotRecreate };
}

/** The consumer's configuration, delivering from stream sequence `after` + 1. */
function consumerConfig(s: ConsumerSettings, after: number): Partial<ConsumerConfig> {
  return {
    durable_name: s.durable,
    ack_policy: AckPolicy.All,
    ...(after === 0 ? { deliver_policy: DeliverPolicy.All } : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: after + 1 }),
    filter_subject: RESULTS_SUBJECTS,
    ack_wait: nanos(s.ackWaitMs),
    max_ack_pending: s.maxAckPending,
    max_deliver: -1,
  };
}

/**
 * Which stream sequence one cumulative ack may cover, for one consuming session.
 *
 * An ack of stream sequence N acks every message up to N the consumer has delivered, to anyone. So N
 * must have nothing below it that was delivered and not committed. The tracker knows every delivery of
 * its session: the consumer held nothing unacked when the session began (`prepareConsumer`; or what it
 * held is given as `unacked`, outstanding until delivered again and committed), and the
 * server numbers every delivery (the delivery sequence), so one that never arrived — lost in transit
 * across a reconnect, or taken by another client pulling from the same durable — shows as a jump.
 * After a jump the session is `broken`: it acks nothing more, and the next session starts from the
 * server's ack floor.
 *
 * Below the highest stream sequence delivered, a sequence is then either committed, outstanding
 * (received, not committed yet, including a batch that failed and waits for redelivery), or was never
 * delivered (not in the stream: deleted, or another subject). So the ack may cover everything below the
 * lowest outstanding sequence, or everything delivered when nothing is outstanding.
 */
export class AckFloor {
  private lastStreamSeq: number;
  private lastDeliverySeq: number;
  /** Stream sequences received and not committed by any copy (a failed batch's stay until redelivered and committed). */
  private readonly outstanding = new Set<number>();
  private brokenBy: string | null = null;

  constructor(start: Pick<SessionStart, 'streamSeq' | 'deliverySeq' | 'unacked'>) {
    this.lastStreamSeq = start.streamSeq;
    this.lastDeliverySeq = start.deliverySeq;
    if (start.unacked !== null) for (let seq = start.unacked.from; seq <= start.unacked.to; seq++) this.outstanding.add(seq);
  }

  /** Why the session may not ack any more (a delivery it never saw), or null. */
  get broken(): string | null {
    return this.brokenBy;
  }

  /** A delivery arrived. Returns false when it shows an earlier one missing (the session is then broken). */
  received(streamSeq: number, deliverySeq: number): boolean {
    if (this.brokenBy === null && deliverySeq !== this.lastDeliverySeq + 1) {
      this.brokenBy = `delivery ${deliverySeq} followed delivery ${this.lastDeliverySeq}`;
    }
    if (deliverySeq > this.lastDeliverySeq) this.lastDeliverySeq = deliverySeq;
    if (streamSeq > this.lastStreamSeq) this.lastStreamSeq = streamSeq;
    this.outstanding.add(streamSeq);
    return this.brokenBy === null;
  }

  /** A copy of `streamSeq` was committed: the sequence is done, whatever other copies are in flight. */
  committed(streamSeq: number): void {
    this.outstanding.delete(streamSeq);
  }

  /** The highest stream sequence a cumulative ack may cover now (0: none), or null once broken. */
  safe(): number | null {
    if (this.brokenBy !== null) return null;
    let lowest = Infinity;
    for (const seq of this.outstanding) if (seq < lowest) lowest = seq;
    return lowest === Infinity ? this.lastStreamSeq : lowest - 1;
  }
}

/** Where a delivery sits: read off its ack subject (`JsMsg.reply`). */
export interface Delivery {
  streamSeq: number;
  deliverySeq: number;
  /** Messages the consumer had not delivered yet when it sent this one. */
  pending: number;
}

const DOT = 46;

/**
 * Reads stream sequence, delivery sequence and pending off a JetStream ack subject into `out`, without
 * splitting it (nats.js's `JsMsg.info` splits it into a dozen strings per message: 7% of the ingest
 * thread at full rate). Both forms the server sends:
 *   $JS.ACK.<stream>.<consumer>.<delivered>.<streamSeq>.<deliverySeq>.<timestamp>.<pending>
 *   $JS.ACK.<domain>.<account hash>.<stream>.<consumer>.<delivered>.<streamSeq>.<deliverySeq>.<timestamp>.<pending>.<token>
 * Returns false for anything else (stream and consumer names cannot hold dots).
 */
export function readDelivery(reply: string, out: Delivery): boolean {
  if (!reply.startsWith('$JS.ACK.')) return false;
  let dots = 0;
  for (let i = 0; i < reply.length; i++) if (reply.charCodeAt(i) === DOT) dots++;
  let end = reply.length;
  if (dots === 11) end = reply.lastIndexOf('.', end - 1);
  else if (dots !== 8) return false;
  const beforePending = reply.lastIndexOf('.', end - 1);
  const beforeTimestamp = reply.lastIndexOf('.', beforePending - 1);
  const beforeDelivery = reply.lastIndexOf('.', beforeTimestamp - 1);
  const beforeStream = reply.lastIndexOf('.', beforeDelivery - 1);
  const pending = digits(reply, beforePending + 1, end);
  const deliverySeq = digits(reply, beforeDelivery + 1, beforeTimestamp);
  const streamSeq = digits(reply, beforeStream + 1, beforeDelivery);
  if (pending < 0 || deliverySeq < 1 || streamSeq < 1) return false;
  out.streamSeq = streamSeq;
  out.deliverySeq = deliverySeq;
  out.pending = pending;
  return true;
}

/** The decimal number s[from, to), or -1 when it is empty or not all digits. */
function digits(s: string, from: number, to: number): number {
  if (to <= from || to - from > 15) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}
