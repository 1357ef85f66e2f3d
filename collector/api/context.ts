import type { KV, NatsConnection } from 'nats';
import type { Logger } from 'pino';
import type { Store } from '../store/index.js';
import type { IngestStats } from '../ingest/index.js';
import type { ApiTokens } from './auth.js';
import type { RuntimeMetrics } from './metrics.js';

/** The part of the targets KV bucket the API writes (the agents watch it). */
export type TargetsKv = Pick<KV, 'create' | 'put' | 'delete'>;

/** Everything the API's routes read from and write to. */
export interface ApiContext {
  readonly store: Store;
  /** The targets KV bucket (crossprobe_targets): key = target id, value = targetToWire(target). */
  readonly kv: TargetsKv;
  /** Checked by /healthz. */
  readonly nc: NatsConnection;
  readonly logger: Logger;
  readonly tokens: ApiTokens;
  /** Diagnosis windows: the defaults, and the longest `?window=` accepted. */
  readonly windows: { readonly shortMs: number; readonly longMs: number; readonly maxMs: number };
  /** The agents' heartbeat interval: an agent is stale after 3 of them without a heartbeat. */
  readonly heartbeatIntervalMs: number;
  /** Ingest counters for /metrics; null when ingest does not run in this process. */
  readonly ingestStats: () => IngestStats | null;
  /** The incident loop's and the event loop's figures for /metrics; absent or null when the loop does not run here. */
  readonly runtimeStats?: () => RuntimeMetrics | null;
  readonly now: () => number;
  /**
   * Session cookies get `Secure` even on plain HTTP requests: the collector is reached through a TLS
   * proxy (an https `--public-url`). Default false (then only on a direct HTTPS request).
   */
  readonly secureCookies?: boolean;
  /**
   * Accept targets whose URL host is a loopback, link-local, private or reserved IP literal, or
   * localhost (--allow-private-targets). Default false: refused with 400 naming `url` and the flag. The
   * agents check the resolved IP themselves; this is the early, clear error.
   */
  readonly allowPrivateTargets?: boolean;
  /**
   * Check every JSON reply against what its handler returned (see registerRoutes): a handler whose
   * value does not fit its response schema answers 500 instead of losing fields silently. For tests;
   * default false.
   */
  readonly strictResponses?: boolean;
}

/** An agent is stale after this many heartbeat intervals without a heartbeat. */
export const STALE_HEARTBEATS = 3;
