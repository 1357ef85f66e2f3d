import type { KV, NatsConnection } from 'nats';
import { ensureTargetsBucket } from '../../proto/index.js';
import type { Store } from '../../collector/store/index.js';
import { startIngest, type Ingest } from '../../collector/ingest/index.js';
import { buildApi, type ApiContext, type ApiServer, type ApiTokens } from '../../collector/api/index.js';
import { NatsServer } from './nats-server.js';
import { connectForever } from './collector-nats.js';
import { TempDir, tempStore } from './collector-store.js';
import { memoryLogger } from './logger.js';

export const API_TOKEN = 'api-token-0123456789abcdef';
export const READ_TOKEN = 'read-token-0123456789abcdef';

export interface ApiHarnessOptions {
  /**
   * Default: no tokens, and writes open to anyone (`openWrites`, the collector's --insecure-open-api,
   * as `crossprobe dev` runs it) unless an API token is given; `openWrites: false` without a token is
   * a collector started with neither (writes refused).
   */
  readonly tokens?: Partial<ApiTokens>;
  /** Run ingest against the same store (for /metrics and /rejects). Default false. */
  readonly ingest?: boolean;
  readonly windows?: ApiContext['windows'];
  readonly heartbeatIntervalMs?: number;
  readonly secureCookies?: boolean;
  /** The collector's --allow-private-targets. Default true: test targets are on 127.0.0.x. */
  readonly allowPrivateTargets?: boolean;
}

/**
 * The API over a real SQLite file and a real nats-server (its targets KV bucket), without listening:
 * tests call `app.inject`. `dispose()` stops everything it started, the nats-server by pid.
 */
export class ApiHarness {
  private constructor(
    readonly app: ApiServer,
    readonly store: Store,
    readonly nats: NatsServer,
    readonly nc: NatsConnection,
    readonly kv: KV,
    readonly dir: TempDir,
    readonly ingest: Ingest | null,
    readonly logs: Record<string, unknown>[],
  ) {}

  static async start(opts: ApiHarnessOptions = {}): Promise<ApiHarness> {
    const dir = new TempDir();
    const nats = await NatsServer.start();
    let nc: NatsConnection | null = null;
    let store: Store | null = null;
    let ingest: Ingest | null = null;
    try {
      nc = await connectForever(nats);
      const { logger, lines } = memoryLogger('info');
      store = tempStore(dir, undefined, {
        onBadTarget: (target, err) => logger.error({ event: 'stored-target-invalid', target, err }, 'stored target does not validate; skipped'),
      });
      ingest = opts.ingest ? await startIngest({ nc, store, logger, maxWaitMs: 20 }) : null;
      const kv = await ensureTargetsBucket(nc);
      const running = ingest;
      const app = buildApi({
        store,
        kv,
        nc,
        logger,
        tokens: { api: opts.tokens?.api ?? null, read: opts.tokens?.read ?? null, openWrites: opts.tokens?.openWrites ?? opts.tokens?.api === undefined },
        windows: opts.windows ?? { shortMs: 5 * 60_000, longMs: 60 * 60_000, maxMs: 7 * 86_400_000 },
        heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 5_000,
        ingestStats: () => running?.stats() ?? null,
        now: () => Date.now(),
        ...(opts.secureCookies === undefined ? {} : { secureCookies: opts.secureCookies }),
        allowPrivateTargets: opts.allowPrivateTargets ?? true,
        // every reply checked against what its handler returned (fields its schema does not name, types)
        strictResponses: true,
      });
      await app.ready();
      return new ApiHarness(app, store, nats, nc, kv, dir, ingest, lines);
    } catch (err) {
      await ingest?.stop();
      await nc?.close();
      store?.close();
      await nats.dispose();
      dir.dispose();
      throw err;
    }
  }

  async dispose(): Promise<void> {
    await this.app.close();
    await this.ingest?.stop();
    if (!this.nc.isClosed()) await this.nc.close();
    this.store.close();
    await this.nats.dispose();
    this.dir.dispose();
  }
}

/** `Authorization` header for a token. */
export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** The `{ error: { code, message } }` body of an error response. */
export function errorOf(body: string): { code: string; message: string } {
  const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
  if (typeof parsed.error?.code !== 'string' || typeof parsed.error.message !== 'string') throw new Error(`not an API error body: ${body}`);
  return { code: parsed.error.code, message: parsed.error.message };
}
