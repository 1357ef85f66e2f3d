import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { encodeHeartbeat, type Heartbeat } from '../proto/index.js';

/**
 * Publishes a heartbeat on core NATS now and every `intervalMs` (best effort: while NATS is down the
 * client buffers or drops them; the collector judges liveness by their absence). Returns a stop
 * function that sends one last heartbeat.
 */
export function startHeartbeat(opts: { nc: NatsConnection; subject: string; intervalMs: number; collect: () => Heartbeat; logger: Logger }): () => void {
  const send = () => {
    try {
      opts.nc.publish(opts.subject, encodeHeartbeat(opts.collect()));
    } catch (err) {
      opts.logger.debug({ err }, 'heartbeat not sent');
    }
  };
  send();
  const timer = setInterval(send, opts.intervalMs);
  return () => {
    clearInterval(timer);
    if (!opts.nc.isClosed()) send();
  };
}
