/**
 * The load generator of `bench/fleet.ts`: what N agents' worth of targets publish, as one child process
 * (forked by the bench, so its CPU does not distort the bench's own timers).
 *
 * The fleet: N targets `t00000`… × 10 regions (`r0`…`r9`, one agent `a0`… each) × 3 IPs, one round per
 * (target, region) a minute at a fixed offset in the minute (as an agent's scheduler spreads them), each
 * round one result per IP sharing `startedAtMs` and `ipsInRound: 3`, as the agent's HTTP probe makes them.
 * Every 100th target (`t00000`, `t00100`, …) has its second IP failing 20% of rounds with an nginx 502;
 * every other result fails at `noise` with a random code.
 * Unlike agents, it sets no Nats-Msg-Id: 18 M ids in the stream's 15 min dedupe window would cost
 * nats-server gigabytes of memory on this one machine, and the store ignores a result id it has anyway.
 *
 * Protocol (IPC): started with the options as JSON in argv[2], it
 *   1. publishes the backfill: rounds started in the hour before it began (B − 1 h … B), as fast as
 *      the stream takes them;
 *   2. goes on from B in real time, publishing at once the rounds that fell due while 1 ran (catch-up),
 *      plus the 10 agents' heartbeats every 5 s;
 *   3. once caught up, sends `{ type: 'backfill-done', … }` with the stream's last sequence; then a
 *      `status` every 2 s; on `{ cmd: 'stop' }` sends `stopped` and exits.
 */
import { fileURLToPath } from 'node:url';
import { connect, type JetStreamClient, type NatsConnection } from 'nats';
import { seededRandom } from '../lab/index.js';
import {
  encodeHeartbeat,
  encodeResult,
  failureToWire,
  heartbeatSubject,
  pb,
  resultId,
  resultsSubject,
  RESULTS_STREAM,
  VERSION,
  type FailureCode,
  type ProbeResult,
} from '../proto/index.js';

export const REGIONS = 10;
export const IPS = 3;
export const ROUND_MS = 60_000;
/** Every FAILING_EVERY-th target has one failing node. */
export const FAILING_EVERY = 100;
/** The failing node's share of failed rounds. */
export const FAILING_RATE = 0.2;
const BACKFILL_MS = 3_600_000;
const HEARTBEAT_MS = 5_000;
const ACK_EVERY = 500;
const MAX_ACKS = 8;

export interface LoadOptions {
  readonly natsUrl: string;
  readonly targets: number;
  /** Healthy results' failure rate. */
  readonly noise: number;
  readonly seed: number;
}

/** Messages from the generator to the bench. */
export type LoadMessage =
  | { readonly type: 'backfill-done'; readonly published: number; readonly backfillMs: number; readonly catchupMs: number; readonly streamSeq: number; readonly failed: number }
  | { readonly type: 'status'; readonly published: number; readonly failed: number; readonly lagMs: number; readonly maxLagMs: number }
  | { readonly type: 'stopped'; readonly published: number; readonly failed: number; readonly maxLagMs: number }
  | { readonly type: 'error'; readonly message: string };

export const targetId = (i: number) => `t${String(i).padStart(5, '0')}`;
export const targetUrl = (i: number) => `https://${targetId(i)}.bench.invalid/health`;
export const isFailing = (i: number) => i % FAILING_EVERY === 0;
/** The IPs target i resolves to: only data, nothing is contacted. */
export const targetIp = (i: number, k: number) => `10.${Math.floor(i / 256) % 256}.${i % 256}.${k + 1}`;
/** Where in its minute the round of (target, region) starts, stable across minutes. */
export const roundOffsetMs = (i: number, r: number) => (i * 7_919 + r * 104_729) % ROUND_MS;


const NOISE: readonly FailureCode[] = ['CONNECT_TIMEOUT', 'CONNECT_RESET', 'HEADERS_TIMEOUT', 'HTTP_STATUS', 'TLS_HANDSHAKE'];

/** One round of target i from region r started at `startedAtMs`: one result per IP, as the agent's HTTP probe makes them. */
export function roundResults(i: number, r: number, startedAtMs: number, noise: number, rand: () => number): ProbeResult[] {
  const out: ProbeResult[] = [];
  for (let k = 0; k < IPS; k++) {
    let failure: FailureCode | null = null;
    if (isFailing(i) && k === 1) failure = rand() < FAILING_RATE ? 'HTTP_STATUS' : null;
    else if (rand() < noise) failure = NOISE[Math.floor(rand() * NOISE.length)]!;
    out.push(result(i, r, k, startedAtMs, failure, rand));
  }
  return out;
}

function result(i: number, r: number, k: number, startedAtMs: number, failure: FailureCode | null, rand: () => number): ProbeResult {
  const dns = 1 + rand() * 4;
  const connect = 5 + r * 3 + rand() * 5;
  const tls = connect * 2;
  const phases: ProbeResult['phases'] = { dns, connect, tls };
  // the failing node is an nginx whose upstream is gone: a fast 502; a noise 503 comes from the app
  const lb502 = failure === 'HTTP_STATUS' && isFailing(i) && k === 1;
  const status = failure === null ? 200 : failure === 'HTTP_STATUS' ? (lb502 ? 502 : 503) : null;
  let total: number;
  if (status !== null) {
    phases.firstByte = lb502 ? 1 + rand() * 3 : 20 + rand() * 60;
    phases.download = 0.2 + rand();
    total = dns + connect + tls + phases.firstByte + phases.download;
  } else {
    total = failure === 'CONNECT_TIMEOUT' || failure === 'HEADERS_TIMEOUT' ? 10_000 : dns + connect + rand() * 20;
  }
  phases.total = total;
  const res: ProbeResult = {
    resultId: resultId(startedAtMs),
    agent: `a${r}`,
    region: `r${r}`,
    target: targetId(i),
    url: targetUrl(i),
    method: 'GET',
    startedAtMs,
    roundAtMs: startedAtMs - (startedAtMs % 1_000),
    phases,
    ok: failure === null,
    failure: failureToWire(failure),
    failureDetail: failure === null ? '' : status !== null ? `HTTP ${status}` : `simulated ${failure}`,
    ip: targetIp(i, k),
    ipFamily: 4,
    sourceAddress: `192.0.2.${r + 1}`,
    headers: status === null ? {} : { server: lb502 ? 'nginx' : 'nginx/1.24.0', 'content-type': 'text/html' },
    identity: {},
    bodyMatch: pb.BodyMatch.BODY_MATCH_UNSPECIFIED,
    bodyBytes: status === null ? 0 : lb502 ? 157 : 2,
    bodyTruncated: false,
    provenance: lb502 ? pb.Provenance.PROVENANCE_NGINX : status === 503 ? pb.Provenance.PROVENANCE_APP : pb.Provenance.PROVENANCE_UNSPECIFIED,
    ipsInRound: IPS,
  };
  if (status !== null) res.status = status;
  if (status !== null || failure === 'HEADERS_TIMEOUT') res.tlsCertNotAfterMs = startedAtMs + 60 * 86_400_000;
  return res;
}

/**
 * Publishes on the results subjects as core NATS messages, which the stream stores all the same, and
 * one in every ACK_EVERY through JetStream: its ack says the stream has taken everything before it on
 * this connection, so at most MAX_ACKS × ACK_EVERY messages are ever unconfirmed (js.publish of each
 * one tops out near 8,500 msg/s here, below the 10,000-target fleet's backfill needs).
 */
class Pipeline {
  private sent = 0;
  private readonly acks: Promise<void>[] = [];
  /** Messages confirmed by an ack. */
  acked = 0;
  failed = 0;
  lastError: string | null = null;

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
  ) {}

  async publish(subject: string, data: Uint8Array): Promise<void> {
    if (++this.sent % ACK_EVERY !== 0) {
      this.nc.publish(subject, data);
      return;
    }
    const upTo = this.sent;
    this.acks.push(
      this.js.publish(subject, data).then(
        () => void (this.acked = upTo),
        (err: unknown) => {
          this.failed++;
          this.lastError = (err as Error).message;
        },
      ),
    );
    if (this.acks.length >= MAX_ACKS) await this.acks.shift();
  }

  /** Waits for everything sent so far to be confirmed. */
  async drain(): Promise<void> {
    const upTo = this.sent;
    await Promise.all(this.acks.splice(0));
    // the server has read the last few after the last ack; the caller compares the stream's count
    await this.nc.flush();
    this.acked = upTo;
  }

  get published(): number {
    return this.sent;
  }
}

/** (target, region) pairs in the order their rounds start within a minute. */
function roundOrder(targets: number): Int32Array {
  const pairs = Array.from({ length: targets * REGIONS }, (_, p) => p);
  pairs.sort((a, b) => roundOffsetMs(Math.floor(a / REGIONS), a % REGIONS) - roundOffsetMs(Math.floor(b / REGIONS), b % REGIONS));
  return Int32Array.from(pairs);
}

async function publishRound(p: Pipeline, i: number, r: number, startedAtMs: number, o: LoadOptions, rand: () => number): Promise<void> {
  for (const res of roundResults(i, r, startedAtMs, o.noise, rand)) {
    await p.publish(resultsSubject(res.region!, res.agent!), encodeResult(res));
  }
}

function startHeartbeats(nc: NatsConnection, targets: number, published: () => number): () => void {
  const startedAtMs = Date.now();
  const beat = () => {
    for (let r = 0; r < REGIONS; r++) {
      const h = { agent: `a${r}`, region: `r${r}`, version: VERSION, sentAtMs: Date.now(), startedAtMs, targets, resultsPublished: Math.floor(published() / REGIONS), rssBytes: 80e6 };
      nc.publish(heartbeatSubject(`r${r}`, `a${r}`), encodeHeartbeat(h));
    }
  };
  beat();
  const timer = setInterval(beat, HEARTBEAT_MS);
  return () => clearInterval(timer);
}

async function run(o: LoadOptions, send: (m: LoadMessage) => void): Promise<void> {
  const nc = await connect({ servers: o.natsUrl, maxReconnectAttempts: -1 });
  const js = nc.jetstream({ timeout: 30_000 });
  const rand = seededRandom(o.seed);
  const order = roundOrder(o.targets);
  const base = Date.now();
  const from = base - BACKFILL_MS;
  const t0 = Date.now();

  // 1. backfill: minute by minute, so the stream is roughly in time order as agents' would be
  const backfill = new Pipeline(nc, js);
  for (let minute = from; minute < base; minute += ROUND_MS) {
    for (const pair of order) {
      const i = Math.floor(pair / REGIONS);
      const r = pair % REGIONS;
      await publishRound(backfill, i, r, minute + roundOffsetMs(i, r), o, rand);
    }
  }
  await backfill.drain();
  const backfillMs = Date.now() - t0;

  // 2. live from `base`: what fell due meanwhile goes out at once, then each round when due
  const live = new Pipeline(nc, js);
  const stopBeats = startHeartbeats(nc, o.targets, () => live.published);
  let minute = base;
  let pos = 0;
  let caughtUp = false;
  let maxLagMs = 0;
  let lagMs = 0;
  let stopping = false;
  const catchupStart = Date.now();
  process.on('message', (m: { cmd?: string }) => {
    if (m.cmd === 'stop') stopping = true;
  });
  const statusTimer = setInterval(() => {
    if (caughtUp) send({ type: 'status', published: live.published, failed: live.failed, lagMs, maxLagMs });
  }, 2_000);
  while (!stopping) {
    const now = Date.now();
    let due = minute + roundOffsetMs(Math.floor(order[pos]! / REGIONS), order[pos]! % REGIONS);
    while (due <= now && !stopping) {
      const pair = order[pos]!;
      lagMs = Date.now() - due;
      if (caughtUp && lagMs > maxLagMs) maxLagMs = lagMs;
      await publishRound(live, Math.floor(pair / REGIONS), pair % REGIONS, due, o, rand);
      if (++pos === order.length) {
        pos = 0;
        minute += ROUND_MS;
      }
      due = minute + roundOffsetMs(Math.floor(order[pos]! / REGIONS), order[pos]! % REGIONS);
    }
    if (!caughtUp) {
      // the backlog is out: what the stream holds now is the collector's backfill
      await live.drain();
      caughtUp = true;
      await new Promise((resolve) => setTimeout(resolve, 500));
      const info = await (await nc.jetstreamManager()).streams.info(RESULTS_STREAM);
      const published = backfill.published + live.published;
      // a message the stream dropped shows as a count below what was sent
      send({ type: 'backfill-done', published, backfillMs, catchupMs: Date.now() - catchupStart, streamSeq: info.state.last_seq, failed: published - info.state.messages });
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  clearInterval(statusTimer);
  stopBeats();
  await live.drain();
  send({ type: 'stopped', published: live.published, failed: live.failed, maxLagMs });
  await nc.drain();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const send = (m: LoadMessage) => process.send?.(m);
  // the last message must reach the bench before the process exits
  const last = (m: LoadMessage, code: number) => (process.send ? process.send(m, () => process.exit(code)) : process.exit(code));
  const options = JSON.parse(process.argv[2] ?? '{}') as LoadOptions;
  run(options, send).then(
    () => process.disconnect?.(),
    (err: unknown) => last({ type: 'error', message: (err as Error).stack ?? String(err) }, 1),
  );
}
