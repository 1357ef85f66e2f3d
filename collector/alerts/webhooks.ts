import { request } from 'undici';
import type { Logger } from 'pino';
import { backoffCeiling, jittered } from '../../common/index.js';
import { alertBody, WEBHOOK_FORMATS, type AlertEvent, type WebhookFormat } from './messages.js';

/** One webhook to notify. */
export interface WebhookConfig {
  readonly url: string;
  readonly format: WebhookFormat;
}

/** How alerts are delivered; every field but `webhooks` and `publicUrl` has a default. */
export interface AlertsOptions {
  readonly webhooks: readonly WebhookConfig[];
  /** Base URL of the collector's API as operators reach it (report links are built on it). */
  readonly publicUrl: string;
  readonly logger: Logger;
  /** Attempts per alert, the first included. Default 5. */
  readonly maxAttempts?: number;
  /** Wait before the 2nd attempt; doubled before each next one. Default 1 s. */
  readonly baseDelayMs?: number;
  /** Cap of the wait between attempts. Default 60 s. */
  readonly maxDelayMs?: number;
  /** Per attempt: an answer (headers and body) must arrive within it. Default 10 s. */
  readonly timeoutMs?: number;
  /** Alerts waiting per webhook; past it the oldest waiting one is dropped (and counted). Default 1000. */
  readonly maxQueued?: number;
}

/** Delivery counters, summed over every webhook. */
export interface AlertStats {
  /** Alerts a webhook accepted (2xx). */
  readonly sent: number;
  /** Alerts given up on: attempts exhausted, or a client error a retry would not fix. */
  readonly failed: number;
  /** Alerts dropped unsent: the queue was full, or the collector stopped. */
  readonly dropped: number;
  /** Alerts waiting or being delivered now. */
  readonly queued: number;
  /** Attempts after the first. */
  readonly retries: number;
}

/** Where incident and agent alert events go. `notify` never blocks and never throws for a webhook's failure. */
export interface Alerts {
  notify(events: readonly AlertEvent[]): void;
  stats(): AlertStats;
  /** Resolves once nothing is queued or in flight (tests; a graceful shutdown). */
  idle(): Promise<void>;
  /** Aborts attempts in flight and drops what is queued (counted). */
  close(): Promise<void>;
}

/** Bad alert configuration (thrown at start-up). */
export class AlertsConfigError extends Error {
  override readonly name = 'AlertsConfigError';
  readonly code = 'ERR_ALERTS_CONFIG';
}

const DEFAULTS = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 60_000, timeoutMs: 10_000, maxQueued: 1_000 } as const;

/** The wait before attempt `attempt + 1` (attempt counted from 1) before jitter: base × 2^(attempt−1), capped. */
export function backoffMs(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  return backoffCeiling(attempt - 1, baseDelayMs, maxDelayMs);
}

/** A webhook URL as logs may show it: its origin only (Slack webhook paths are secrets). */
export function redactUrl(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid url)';
  }
}

interface Counters {
  sent: number;
  failed: number;
  dropped: number;
  retries: number;
}

type Outcome = { ok: true } | { ok: false; retry: boolean; reason: string };

class AttemptTimeout extends Error {
  override readonly name = 'AttemptTimeout';
}

/** One webhook's FIFO queue and its single worker: alerts to one webhook arrive in order. */
class WebhookQueue {
  private readonly waiting: string[] = [];
  private inFlight = 0;
  private running: Promise<void> | null = null;
  private closed = false;
  private current: AbortController | null = null;
  private sleeping: { timer: NodeJS.Timeout; wake: () => void } | null = null;
  private readonly where: string;

  constructor(
    readonly hook: WebhookConfig,
    private readonly opts: Required<Omit<AlertsOptions, 'webhooks' | 'publicUrl' | 'logger'>>,
    private readonly counters: Counters,
    private readonly logger: Logger,
  ) {
    this.where = redactUrl(hook.url);
  }

  get queued(): number {
    return this.waiting.length + this.inFlight;
  }

  push(body: string): void {
    if (this.closed) {
      this.counters.dropped++;
      return;
    }
    if (this.waiting.length >= this.opts.maxQueued) {
      this.waiting.shift();
      this.counters.dropped++;
      this.logger.warn({ webhook: this.where, maxQueued: this.opts.maxQueued }, 'alert queue full: oldest alert dropped');
    }
    this.waiting.push(body);
    this.kick();
  }

  private kick(): void {
    if (this.running !== null || this.closed) return;
    this.running = this.run().finally(() => {
      this.running = null;
      // an alert pushed between the worker's last look and this callback must not sit unsent
      if (this.waiting.length > 0) this.kick();
    });
  }

  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.counters.dropped += this.waiting.length;
    this.waiting.length = 0;
    this.current?.abort();
    if (this.sleeping) {
      clearTimeout(this.sleeping.timer);
      this.sleeping.wake();
    }
    await this.idle();
  }

  private async run(): Promise<void> {
    for (let body = this.waiting.shift(); body !== undefined && !this.closed; body = this.waiting.shift()) {
      this.inFlight = 1;
      try {
        await this.deliver(body);
      } finally {
        this.inFlight = 0;
      }
    }
  }

  private async deliver(body: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) this.counters.retries++;
      const outcome = await this.attempt(body);
      if (outcome.ok) {
        this.counters.sent++;
        this.logger.debug({ webhook: this.where, attempt }, 'alert delivered');
        return;
      }
      if (this.closed) {
        this.counters.dropped++;
        return;
      }
      const last = !outcome.retry || attempt >= this.opts.maxAttempts;
      this.logger.warn({ event: 'alert-delivery-failed', webhook: this.where, attempt, maxAttempts: this.opts.maxAttempts, reason: outcome.reason, giveUp: last }, 'alert delivery failed');
      if (last) {
        this.counters.failed++;
        return;
      }
      await this.sleep(jittered(backoffMs(attempt, this.opts.baseDelayMs, this.opts.maxDelayMs)));
      if (this.closed) {
        this.counters.dropped++;
        return;
      }
    }
  }

  private async attempt(body: string): Promise<Outcome> {
    const ac = new AbortController();
    this.current = ac;
    // one deadline for the whole attempt: connect, headers and body (a server may trickle forever)
    const timer = setTimeout(() => ac.abort(new AttemptTimeout(`no answer within ${this.opts.timeoutMs} ms`)), this.opts.timeoutMs);
    try {
      const res = await request(this.hook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'crossprobe-collector' },
        body,
        signal: ac.signal,
      });
      await res.body.dump();
      if (res.statusCode >= 200 && res.statusCode < 300) return { ok: true };
      // a client error other than timeout / rate limit will not go away by retrying the same body
      const retry = res.statusCode >= 500 || res.statusCode === 408 || res.statusCode === 429;
      return { ok: false, retry, reason: `HTTP ${res.statusCode}` };
    } catch (err) {
      const reason = ac.signal.aborted && ac.signal.reason instanceof AttemptTimeout ? ac.signal.reason.message : errorText(err);
      return { ok: false, retry: true, reason };
    } finally {
      clearTimeout(timer);
      this.current = null;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.sleeping = null;
        resolve();
      };
      this.sleeping = { timer: setTimeout(wake, ms), wake };
    });
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

function positiveInt(name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min) throw new AlertsConfigError(`${name}: must be an integer of at least ${min} (got ${String(v)})`);
  return v;
}

/** Checks the configuration (throws AlertsConfigError) and starts one delivery queue per webhook. */
export function createAlerts(options: AlertsOptions): Alerts {
  const opts = {
    maxAttempts: positiveInt('maxAttempts', options.maxAttempts ?? DEFAULTS.maxAttempts, 1),
    baseDelayMs: positiveInt('baseDelayMs', options.baseDelayMs ?? DEFAULTS.baseDelayMs, 0),
    maxDelayMs: positiveInt('maxDelayMs', options.maxDelayMs ?? DEFAULTS.maxDelayMs, 0),
    timeoutMs: positiveInt('timeoutMs', options.timeoutMs ?? DEFAULTS.timeoutMs, 1),
    maxQueued: positiveInt('maxQueued', options.maxQueued ?? DEFAULTS.maxQueued, 1),
  };
  if (options.webhooks.length > 0) checkHttpUrl('publicUrl', options.publicUrl);
  options.webhooks.forEach((w, i) => {
    checkHttpUrl(`webhooks[${i}].url`, w.url);
    if (!(WEBHOOK_FORMATS as readonly string[]).includes(w.format)) {
      throw new AlertsConfigError(`webhooks[${i}].format: must be one of ${WEBHOOK_FORMATS.join(', ')} (got ${JSON.stringify(w.format)})`);
    }
  });
  const logger = options.logger.child({ component: 'alerts' });
  const counters: Counters = { sent: 0, failed: 0, dropped: 0, retries: 0 };
  const queues = options.webhooks.map((w) => new WebhookQueue(w, opts, counters, logger));
  const publicUrl = options.publicUrl;
  return {
    notify(events) {
      for (const e of events) for (const q of queues) q.push(JSON.stringify(alertBody(q.hook.format, e, publicUrl)));
    },
    stats: () => ({ ...counters, queued: queues.reduce((n, q) => n + q.queued, 0) }),
    async idle() {
      // a worker may pick up alerts pushed while we waited: loop until every queue is empty
      while (queues.some((q) => q.queued > 0)) await Promise.all(queues.map((q) => q.idle()));
    },
    async close() {
      await Promise.all(queues.map((q) => q.close()));
    },
  };
}

function checkHttpUrl(name: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AlertsConfigError(`${name}: must be an http(s) URL (got ${JSON.stringify(value)})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AlertsConfigError(`${name}: must be an http(s) URL (got ${JSON.stringify(value)})`);
}
