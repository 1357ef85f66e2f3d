import { connect, type NatsConnection } from 'nats';
import { DEFAULT_DURABLE, RESULTS_STREAM } from '../../proto/index.js';
import type { NatsServer } from './nats-server.js';

/** A connection that keeps reconnecting for as long as the test runs (as the collector's does). */
export function connectForever(server: NatsServer): Promise<NatsConnection> {
  return connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
}

/** The durable consumer has delivered everything and holds no unacked message. */
export async function consumerDrained(nc: NatsConnection, durable = DEFAULT_DURABLE): Promise<boolean> {
  try {
    const info = await (await nc.jetstreamManager()).consumers.info(RESULTS_STREAM, durable);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  } catch {
    return false;
  }
}
