/**
 * A collector ingest in its own process, for crash tests: opens the store, starts ingest, and prints
 * one JSON line per event on stdout ({event:'ready'}, {event:'stats',...} every 50 ms, {event:'stopped',...}).
 * Env: CHILD_NATS_URL, CHILD_DB, CHILD_BATCH (default 500), CHILD_ACK_WAIT_MS (default 30000),
 * CHILD_PAUSE_AFTER_BATCH: after that many committed batches, print {event:'paused'} and block the
 * process BEFORE the batch is acked — so a SIGKILL lands exactly between commit and ack.
 */
import { writeSync } from 'node:fs';
import { connect } from 'nats';
import { pino } from 'pino';
import { openStore } from '../../collector/store/index.js';
import { startIngest } from '../../collector/ingest/index.js';

const env = (name: string, fallback?: string): string => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) throw new Error(`${name} is required`);
  return v;
};
// Sync writes: a line printed before a SIGKILL must reach the parent.
const emit = (event: string, fields: object = {}) => writeSync(1, `${JSON.stringify({ event, ...fields })}\n`);

const store = openStore(env('CHILD_DB'));
const pauseAfter = Number(env('CHILD_PAUSE_AFTER_BATCH', '0'));
let batches = 0;
let committed = 0;
// After the commit and before the acks: a block here is a collector that dies between the two.
const onCommitted = (batch: { readonly inserted: number }) => {
  batches++;
  committed += batch.inserted;
  if (batches === pauseAfter) {
    emit('paused', { batches, committed });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600_000);
  }
};

const nc = await connect({ servers: env('CHILD_NATS_URL'), maxReconnectAttempts: -1, reconnectTimeWait: 200 });
const ingest = await startIngest({
  nc,
  store,
  onCommitted,
  logger: pino({ level: 'warn' }, pino.destination(2)),
  batchSize: Number(env('CHILD_BATCH', '500')),
  ackWaitMs: Number(env('CHILD_ACK_WAIT_MS', '30000')),
});
emit('ready', { pid: process.pid });
const timer = setInterval(() => emit('stats', { ...ingest.stats(), committed }), 50);
process.once('SIGTERM', () => {
  clearInterval(timer);
  void (async () => {
    await ingest.stop();
    await nc.close();
    emit('stopped', { ...ingest.stats(), committed });
    store.close();
    process.exit(0);
  })();
});
