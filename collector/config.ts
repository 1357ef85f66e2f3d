import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { ConfigError, DURATION_PATTERN, MAX_DURATION_MS, MAX_TIMER_MS, durationProblem, formatDuration, parseDuration, loadNatsAccess, NATS_ACCESS_PROPERTIES, type NatsAccess } from '../proto/index.js';
import { loadConfig, configHelp, serviceStateDir, userStateDir } from '../common/index.js';

const Duration = (description: string) =>
  Type.String({ pattern: DURATION_PATTERN, errorMessage: 'must be a duration such as 500ms, 30s, 15m or 1h', description });
const Token = (description: string) =>
  Type.String({ minLength: 16, pattern: '^\\S+$', errorMessage: 'must be at least 16 characters without spaces (e.g. from: openssl rand -hex 32)', description });

/** Everything `crossprobe collector` can be told, as flags, CROSSPROBE_* variables or config-file keys. */
export const CollectorConfigSchema = Type.Object(
  {
    nats: Type.String({ minLength: 1, description: 'NATS server URL(s), comma-separated' }),
    ...NATS_ACCESS_PROPERTIES,
    db: Type.String({ minLength: 1, description: 'SQLite database file (created, with its directory, when missing)' }),
    listen: Type.String({
      pattern: '^(\\[[0-9a-fA-F:.]+\\]|[^:\\s\\[\\]]+):\\d{1,5}$',
      errorMessage: 'must be HOST:PORT, e.g. 127.0.0.1:8080 or [::]:8080',
      description: 'where the HTTP API listens, HOST:PORT',
    }),
    apiToken: Type.Optional(Token('bearer token required for writes; without one, writes are refused unless --insecure-open-api (prefer the environment: flags show in ps)')),
    insecureOpenApi: Type.Boolean({ description: 'without --api-token, let anyone who reaches the API write (add, change and delete targets): for a local demo only' }),
    readToken: Type.Optional(Token('bearer token required for reads (the API token reads too); default: reads are open; needs --api-token')),
    retentionRaw: Duration('how long raw probe results are kept'),
    retentionRollups: Duration('how long per-minute rollups are kept'),
    retentionRejects: Duration('how long rejected messages are kept'),
    retentionInterval: Duration('how often expired rows are deleted'),
    shortWindow: Duration('diagnosis window for hard failures'),
    longWindow: Duration('diagnosis window for rare intermittent failures; the default ?window= of the API'),
    maxWindow: Duration('longest ?window= the API accepts'),
    heartbeatInterval: Duration('the agents\' heartbeat interval; an agent is stale after 3 of them without a heartbeat'),
    webhook: Type.Array(Type.String(), { description: 'URL that gets a JSON POST when an incident opens, changes or resolves, and when an agent goes silent or loses its network (repeatable)' }),
    slackWebhook: Type.Array(Type.String(), { description: 'Slack-compatible incoming-webhook URL for the same alerts, as one sentence (repeatable)' }),
    publicUrl: Type.Optional(Type.String({ minLength: 1, description: 'the API\'s URL as operators reach it, for links in alerts (without it: http://LISTEN)' })),
    incidentInterval: Duration('how often every target is diagnosed for incidents'),
    resolveAfter: Duration('an incident resolves after its target stays healthy this long (an agent alert: after the agent is fine this long)'),
    confirmEvaluations: Type.Integer({ minimum: 1, maximum: 100, errorMessage: 'must be a whole number from 1 to 100', description: 'consecutive failing diagnoses that open an incident' }),
    allowPrivateTargets: Type.Boolean({
      description:
        'accept targets whose URL names a loopback, link-local, private or reserved address (without it: refused with 400; agents enforce their own --allow-private-targets on the resolved IP)',
    }),
    streamReplicas: Type.Integer({
      minimum: 1,
      maximum: 5,
      errorMessage: 'must be a whole number from 1 to 5',
      description: 'replicas of the results stream and the targets bucket when the collector creates them (3 on a 3-node hub cluster; existing ones keep theirs)',
    }),
    maxResultTargets: Type.Integer({
      minimum: 0,
      maximum: 1_000_000,
      errorMessage: 'must be a whole number from 0 to 1000000',
      description: "targets known only from agents' results (their own --targets files) taken at once; results of a new target id past it are rejected and counted (0: only targets added through the API)",
    }),
    maxServingNodes: Type.Integer({
      minimum: 1,
      maximum: 1_000_000,
      errorMessage: 'must be a whole number from 1 to 1000000',
      description: 'distinct serving IPs, and distinct values of each identity, one target may show per hour; results past it are rejected and counted',
    }),
    maxRejects: Type.Integer({
      minimum: 1,
      maximum: 10_000_000,
      errorMessage: 'must be a whole number from 1 to 10000000',
      description: 'rejected messages kept for inspection at most (each up to 64 KiB); past it the oldest are deleted',
    }),
    maxClockSkew: Duration("how far ahead of the collector's clock a result may start (agents' clock skew); results further ahead are rejected"),
    logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace'].map((l) => Type.Literal(l)), {
      errorMessage: 'must be one of fatal, error, warn, info, debug, trace',
      description: 'log level',
    }),
  },
  { additionalProperties: false },
);
export type CollectorConfigInput = Static<typeof CollectorConfigSchema>;

/** The collector's validated, defaulted, frozen configuration. */
export interface CollectorConfig {
  readonly nats: readonly string[];
  /** TLS and credentials towards NATS; absent: a plain connection without credentials. */
  readonly natsAccess?: NatsAccess;
  readonly db: string;
  readonly listen: { readonly host: string; readonly port: number };
  readonly apiToken: string | null;
  readonly readToken: string | null;
  /** No API token and writes open to anyone (--insecure-open-api); without either, writes are refused. */
  readonly insecureOpenApi: boolean;
  readonly retention: { readonly rawMs: number; readonly rollupMs: number; readonly rejectsMs: number; readonly intervalMs: number };
  readonly windows: { readonly shortMs: number; readonly longMs: number; readonly maxMs: number };
  readonly heartbeatIntervalMs: number;
  readonly incidents: { readonly intervalMs: number; readonly resolveAfterMs: number; readonly confirmEvaluations: number };
  /** Accept targets whose URL host is a loopback, link-local, private or reserved IP literal (or localhost). */
  readonly allowPrivateTargets: boolean;
  /** Replicas of the results stream and targets bucket the collector creates. */
  readonly streamReplicas: number;
  /** What ingest takes: results older than raw retention are rejected too. */
  readonly ingest: { readonly maxResultTargets: number; readonly maxServingNodes: number; readonly maxRejects: number; readonly maxClockSkewMs: number };
  readonly webhooks: readonly { readonly url: string; readonly format: 'json' | 'slack' }[];
  /** Base of links in alerts; null: the address the API listens on. */
  readonly publicUrl: string | null;
  readonly logLevel: string;
}

export const COLLECTOR_USAGE = 'Usage: crossprobe collector --nats URL [--nats-ca FILE --nats-nkey FILE] --db FILE --listen HOST:PORT [--api-token T | --insecure-open-api] [--read-token T] [--short-window 5m --long-window 1h]';

/** The help text, showing the defaults as they are in `env` (the database's depends on it). */
export function collectorHelp(env: NodeJS.ProcessEnv = process.env): string {
  return configHelp(CollectorConfigSchema, COLLECTOR_USAGE, { defaults: collectorDefaults(env) });
}

/**
 * The database when --db is not given: never in the working directory. Under systemd
 * $STATE_DIRECTORY/collector.db (the unit's own directory, /var/lib/crossprobe); otherwise the user's
 * state directory, as the agent's spool: $XDG_STATE_HOME, else ~/.local/state, then crossprobe/collector.db.
 */
export function defaultDbPath(env: NodeJS.ProcessEnv): string {
  const service = serviceStateDir(env);
  return service !== null ? join(service, 'collector.db') : join(userStateDir(env), 'crossprobe', 'collector.db');
}

/** What the collector uses for a key nobody set: the parser applies these, and --help shows them. */
export function collectorDefaults(env: NodeJS.ProcessEnv) {
  return {
    nats: 'nats://127.0.0.1:4222',
    db: defaultDbPath(env),
    listen: '127.0.0.1:8080',
    retentionRaw: '14d',
    retentionRollups: '400d',
    retentionRejects: '14d',
    retentionInterval: '1h',
    shortWindow: '5m',
    longWindow: '1h',
    maxWindow: '7d',
    heartbeatInterval: '5s',
    webhook: [],
    slackWebhook: [],
    insecureOpenApi: false,
    incidentInterval: '30s',
    resolveAfter: '5m',
    confirmEvaluations: 2,
    allowPrivateTargets: false,
    streamReplicas: 1,
    maxResultTargets: 20_000,
    maxServingNodes: 1_000,
    maxRejects: 100_000,
    maxClockSkew: '5m',
    logLevel: 'info',
  } satisfies Partial<CollectorConfigInput>;
}

/** Parses the collector's flags, environment and config file; throws ConfigError naming the key. */
export function parseCollectorConfig(argv: readonly string[], env: NodeJS.ProcessEnv): CollectorConfig {
  const { config, positionals } = loadConfig(CollectorConfigSchema, argv, env, collectorDefaults(env));
  if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}" (see --help)`);
  return finishCollectorConfig(config);
}

/** A duration flag in ms, more than 0 and at most `max`, or a ConfigError naming the key. */
const ms = (key: keyof CollectorConfigInput, flag: string, env: string, text: string, max = MAX_DURATION_MS, maxText = formatDuration(max)): number => {
  const v = parseDuration(text);
  if (v === null) throw new ConfigError(`${key} (${flag}, ${env}): ${durationProblem(text)} (got ${JSON.stringify(text)})`, key);
  if (v <= 0) throw new ConfigError(`${key} (${flag}, ${env}): must be more than 0 (got ${JSON.stringify(text)})`, key);
  if (v > max) throw new ConfigError(`${key} (${flag}, ${env}): must be at most ${maxText} (got ${JSON.stringify(text)})`, key);
  return v;
};
/** A duration the collector runs a timer on: bounded by MAX_TIMER_MS, or the timer would fire every millisecond. */
const timerMs = (key: keyof CollectorConfigInput, flag: string, env: string, text: string): number => ms(key, flag, env, text, MAX_TIMER_MS, '24h');

function httpUrl(field: string, text: string): string {
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    /* reported below */
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ConfigError(`${field}: must be an http:// or https:// URL (got ${JSON.stringify(text)})`, field.split(/[[ ]/)[0]);
  }
  return url.href;
}

function finishCollectorConfig(c: CollectorConfigInput): CollectorConfig {
  const nats = c.nats.split(',').map((s) => s.trim()).filter(Boolean);
  for (const u of nats) {
    if (!/^(nats|tls|wss?):\/\/[^\s/]+/.test(u) && !/^[^\s:/]+:\d+$/.test(u)) {
      throw new ConfigError(`nats (--nats, CROSSPROBE_NATS): "${u}" is not a NATS URL; expected e.g. nats://127.0.0.1:4222`, 'nats');
    }
  }
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(c.listen)!;
  const port = Number(m[2]);
  if (port > 65_535) throw new ConfigError(`listen (--listen, CROSSPROBE_LISTEN): port must be at most 65535 (got ${port})`, 'listen');
  if (c.readToken !== undefined && c.apiToken === undefined) {
    throw new ConfigError('readToken (--read-token, CROSSPROBE_READ_TOKEN): needs an API token too (--api-token), or writes would be open while reads are not', 'readToken');
  }
  if (c.insecureOpenApi && c.apiToken !== undefined) {
    throw new ConfigError('insecureOpenApi (--insecure-open-api, CROSSPROBE_INSECURE_OPEN_API): an API token is set, so writes need it; drop one of the two', 'insecureOpenApi');
  }
  if (c.readToken !== undefined && c.readToken === c.apiToken) {
    throw new ConfigError('readToken (--read-token, CROSSPROBE_READ_TOKEN): must differ from the API token', 'readToken');
  }
  const shortMs = ms('shortWindow', '--short-window', 'CROSSPROBE_SHORT_WINDOW', c.shortWindow);
  const longMs = ms('longWindow', '--long-window', 'CROSSPROBE_LONG_WINDOW', c.longWindow);
  const maxMs = ms('maxWindow', '--max-window', 'CROSSPROBE_MAX_WINDOW', c.maxWindow);
  if (shortMs > longMs) {
    throw new ConfigError(`shortWindow (--short-window, CROSSPROBE_SHORT_WINDOW): must not exceed longWindow (${formatDuration(longMs)}); got ${c.shortWindow}`, 'shortWindow');
  }
  if (longMs > maxMs) {
    throw new ConfigError(`longWindow (--long-window, CROSSPROBE_LONG_WINDOW): must not exceed maxWindow (${formatDuration(maxMs)}); got ${c.longWindow}`, 'longWindow');
  }
  const rawMs = ms('retentionRaw', '--retention-raw', 'CROSSPROBE_RETENTION_RAW', c.retentionRaw);
  if (rawMs < maxMs) {
    throw new ConfigError(
      `retentionRaw (--retention-raw, CROSSPROBE_RETENTION_RAW): must be at least maxWindow (${formatDuration(maxMs)}), or diagnoses would read deleted results; got ${c.retentionRaw}`,
      'retentionRaw',
    );
  }
  const natsAccess = loadNatsAccess(c, nats);
  return Object.freeze({
    nats: Object.freeze(nats),
    ...(natsAccess ? { natsAccess } : {}),
    db: c.db,
    listen: Object.freeze({ host: m[1]!, port }),
    apiToken: c.apiToken ?? null,
    readToken: c.readToken ?? null,
    insecureOpenApi: c.insecureOpenApi,
    retention: Object.freeze({
      rawMs,
      rollupMs: ms('retentionRollups', '--retention-rollups', 'CROSSPROBE_RETENTION_ROLLUPS', c.retentionRollups),
      rejectsMs: ms('retentionRejects', '--retention-rejects', 'CROSSPROBE_RETENTION_REJECTS', c.retentionRejects),
      intervalMs: timerMs('retentionInterval', '--retention-interval', 'CROSSPROBE_RETENTION_INTERVAL', c.retentionInterval),
    }),
    windows: Object.freeze({ shortMs, longMs, maxMs }),
    heartbeatIntervalMs: timerMs('heartbeatInterval', '--heartbeat-interval', 'CROSSPROBE_HEARTBEAT_INTERVAL', c.heartbeatInterval),
    incidents: Object.freeze({
      intervalMs: timerMs('incidentInterval', '--incident-interval', 'CROSSPROBE_INCIDENT_INTERVAL', c.incidentInterval),
      resolveAfterMs: ms('resolveAfter', '--resolve-after', 'CROSSPROBE_RESOLVE_AFTER', c.resolveAfter),
      confirmEvaluations: c.confirmEvaluations,
    }),
    allowPrivateTargets: c.allowPrivateTargets,
    streamReplicas: c.streamReplicas,
    ingest: Object.freeze({
      maxResultTargets: c.maxResultTargets,
      maxServingNodes: c.maxServingNodes,
      maxRejects: c.maxRejects,
      maxClockSkewMs: ms('maxClockSkew', '--max-clock-skew', 'CROSSPROBE_MAX_CLOCK_SKEW', c.maxClockSkew),
    }),
    webhooks: Object.freeze([
      ...c.webhook.map((url, i) => ({ url: httpUrl(`webhook[${i}] (--webhook, CROSSPROBE_WEBHOOK)`, url), format: 'json' as const })),
      ...c.slackWebhook.map((url, i) => ({ url: httpUrl(`slackWebhook[${i}] (--slack-webhook, CROSSPROBE_SLACK_WEBHOOK)`, url), format: 'slack' as const })),
    ]),
    publicUrl: c.publicUrl === undefined ? null : httpUrl('publicUrl (--public-url, CROSSPROBE_PUBLIC_URL)', c.publicUrl).replace(/\/+$/, ''),
    logLevel: c.logLevel,
  });
}
