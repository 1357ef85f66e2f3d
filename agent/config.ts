import { accessSync, constants } from 'node:fs';
import { isIP } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { Type, type Static } from '@sinclair/typebox';
import { ConfigError, DURATION_PATTERN, ID_PATTERN, ID_RULE, MAX_TIMER_MS, durationProblem, parseDuration, loadNatsAccess, NATS_ACCESS_PROPERTIES, type NatsAccess } from '../proto/index.js';
import { loadConfig, configHelp, parseSize, serviceStateDir, userStateDir } from '../common/index.js';

/** Stands for the spool directory's default in the schema's description; agentHelp() fills it in. */
const SPOOL_DIR_MARK = '$STATE_DIRECTORY/crossprobe/<region>/<id>/spool';

const mib = (bytes: number): string => `${Math.floor(bytes / 1024 / 1024)}MiB`;

const Duration = (description: string) =>
  Type.String({ pattern: DURATION_PATTERN, errorMessage: 'must be a duration such as 500ms, 30s, 15m or 1h', description });
const Id = (description: string) => Type.String({ pattern: ID_PATTERN, errorMessage: ID_RULE, description });

/** Everything `crossprobe agent` can be told, as flags, CROSSPROBE_* variables or config-file keys. */
export const AgentConfigSchema = Type.Object(
  {
    nats: Type.String({ minLength: 1, description: 'NATS server URL(s), comma-separated' }),
    region: Id('this agent\'s region id, e.g. eu-west (required)'),
    id: Id('this agent\'s id, unique in its region (required)'),
    ...NATS_ACCESS_PROPERTIES,
    dnsServer: Type.Optional(Type.String({ pattern: '^(\\[[0-9a-fA-F:.]+\\]|[^:\\s]+)(:\\d{1,5})?$', errorMessage: 'must be HOST or HOST:PORT, e.g. 127.0.0.1:53', description: 'DNS resolver HOST:PORT (without it: the system\'s)' })),
    sourceAddress: Type.Optional(Type.String({ description: 'bind outgoing probe connections to this local IP' })),
    targets: Type.Optional(Type.String({ minLength: 1, description: 'targets file (YAML or JSON), in addition to the KV bucket' })),
    control: Type.Array(Type.String(), { description: 'control URL probed to check this agent\'s own network (repeatable)' }),
    controlInterval: Duration('how often control URLs are probed'),
    noKv: Type.Boolean({ description: 'do not watch the crossprobe_targets KV bucket (targets only from --targets)' }),
    spoolDir: Type.Optional(Type.String({ minLength: 1, description: `where unpublished results wait on disk, locked by this agent (absolute path; default ${SPOOL_DIR_MARK})` })),
    spoolMax: Type.String({ pattern: '^\\d+(\\.\\d+)?\\s*([kKmMgG]i?[bB]|[bB])?$', errorMessage: 'must be a size such as 256MiB or 1GB', description: 'spool bound; past it the oldest results are dropped and counted' }),
    spoolMemoryMax: Type.String({ pattern: '^\\d+(\\.\\d+)?\\s*([kKmMgG]i?[bB]|[bB])?$', errorMessage: 'must be a size such as 32MiB', description: 'bound of the memory queue results wait in while the disk refuses the spool (full, read-only); past it the oldest are dropped and counted' }),
    heartbeatInterval: Duration('how often a heartbeat is published'),
    concurrency: Type.Integer({ minimum: 1, maximum: 10_000, errorMessage: 'must be a whole number from 1 to 10000', description: 'probes running at once at most' }),
    bodyCap: Type.String({ pattern: '^\\d+(\\.\\d+)?\\s*([kKmMgG]i?[bB]|[bB])?$', errorMessage: 'must be a size such as 1MiB', description: 'bytes of a response body read at most' }),
    caFile: Type.Array(Type.String(), { description: 'extra CA certificate (PEM) to trust for HTTPS targets (repeatable)' }),
    noIpv6: Type.Boolean({ description: 'probe A records only (for a VPS without IPv6)' }),
    allowPrivateTargets: Type.Boolean({
      description: 'probe loopback, link-local (cloud metadata), private and reserved addresses too (without it: refused, checked on the resolved IP; see README)',
    }),
    maxIpsPerRound: Type.Integer({ minimum: 1, maximum: 256, errorMessage: 'must be a whole number from 1 to 256', description: 'IPs of one target probed per round at most (resolveAll); the rest are skipped and counted' }),
    shutdownTimeout: Duration('how long in-flight probes may finish at SIGTERM before they are cut'),
    logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace'].map((l) => Type.Literal(l)), { errorMessage: 'must be one of fatal, error, warn, info, debug, trace', description: 'log level' }),
  },
  { additionalProperties: false },
);
export type AgentConfigInput = Static<typeof AgentConfigSchema>;

/** The agent's validated, defaulted, frozen configuration. */
export interface AgentConfig {
  readonly nats: string[];
  /** TLS and credentials towards NATS; absent: a plain connection without credentials. */
  readonly natsAccess?: NatsAccess;
  readonly region: string;
  readonly id: string;
  readonly dnsServer: string | null;
  readonly sourceAddress: string | null;
  readonly targetsFile: string | null;
  readonly controls: readonly string[];
  readonly controlIntervalMs: number;
  readonly kv: boolean;
  /** Absolute. */
  readonly spoolDir: string;
  readonly spoolMaxBytes: number;
  readonly spoolMemoryMaxBytes: number;
  readonly heartbeatIntervalMs: number;
  readonly concurrency: number;
  readonly bodyCapBytes: number;
  readonly caFiles: readonly string[];
  readonly ipFamilies: readonly (4 | 6)[];
  /** Probe loopback, link-local, private and reserved IPs too; false: refused (ADDRESS_BLOCKED). */
  readonly allowPrivateTargets: boolean;
  readonly maxIpsPerRound: number;
  readonly shutdownTimeoutMs: number;
  readonly logLevel: string;
}

export const AGENT_USAGE = 'Usage: crossprobe agent --nats URL --region R --id A [--nats-ca FILE --nats-nkey FILE] [--dns-server HOST:PORT] [--source-address IP] [--targets FILE] [--control URL]...';

/** The help text, showing the spool directory's default as it is in `env`. */
export function agentHelp(env: NodeJS.ProcessEnv = process.env): string {
  return configHelp(AgentConfigSchema, AGENT_USAGE, { defaults: AGENT_DEFAULTS }).replace(SPOOL_DIR_MARK, defaultSpoolDir(env, '<region>', '<id>'));
}

/**
 * The spool directory when --spool-dir is not given: the agent's own state directory, never the
 * working directory — $STATE_DIRECTORY (systemd; its first entry), else $XDG_STATE_HOME, else
 * ~/.local/state — then crossprobe/<region>/<id>/spool, so two agents (two instances of a template
 * unit, two agents started from one directory) never share one. Relative values are ignored, as the
 * XDG specification says.
 */
export function defaultSpoolDir(env: NodeJS.ProcessEnv, region: string, id: string): string {
  return join(serviceStateDir(env) ?? userStateDir(env), 'crossprobe', region, id, 'spool');
}

/** What the agent uses for a key nobody set: the parser applies these, and --help shows them. */
export const AGENT_DEFAULTS = Object.freeze({
  nats: 'nats://127.0.0.1:4222',
  control: [],
  controlInterval: '15s',
  noKv: false,
  spoolMax: '256MiB',
  spoolMemoryMax: '32MiB',
  heartbeatInterval: '5s',
  concurrency: 64,
  bodyCap: '1MiB',
  caFile: [],
  noIpv6: false,
  allowPrivateTargets: false,
  maxIpsPerRound: 16,
  shutdownTimeout: '10s',
  logLevel: 'info',
} satisfies Partial<AgentConfigInput>);

/** Parses the agent's flags, environment and config file; throws ConfigError naming the key. */
export function parseAgentConfig(argv: readonly string[], env: NodeJS.ProcessEnv): AgentConfig {
  const { config: c } = loadConfig(AgentConfigSchema, argv, env, { ...AGENT_DEFAULTS, control: [], caFile: [] });
  return finishAgentConfig(c, env);
}

/** A duration flag the agent runs a timer on, in ms: bounded, or a ConfigError naming the key. */
function timerMs(key: keyof AgentConfigInput, flag: string, env: string, text: string): number {
  const v = parseDuration(text);
  const problem = v === null ? durationProblem(text) : v > MAX_TIMER_MS ? 'must be at most 24h' : null;
  if (problem !== null) throw new ConfigError(`${key} (${flag}, ${env}): ${problem} (got ${JSON.stringify(text)})`, key);
  return v!;
}

function finishAgentConfig(c: AgentConfigInput, env: NodeJS.ProcessEnv): AgentConfig {
  const nats = c.nats.split(',').map((s) => s.trim()).filter(Boolean);
  for (const u of nats) {
    if (!/^(nats|tls|wss?):\/\/[^\s/]+/.test(u) && !/^[^\s:/]+:\d+$/.test(u)) {
      throw new ConfigError(`nats (--nats, CROSSPROBE_NATS): "${u}" is not a NATS URL; expected e.g. nats://127.0.0.1:4222`, 'nats');
    }
  }
  if (c.sourceAddress !== undefined && !isIP(c.sourceAddress)) {
    throw new ConfigError(`sourceAddress (--source-address, CROSSPROBE_SOURCE_ADDRESS): must be an IP address (got ${JSON.stringify(c.sourceAddress)})`, 'sourceAddress');
  }
  const controls = c.control.map((u, i) => {
    let url: URL | null = null;
    try {
      url = new URL(u);
    } catch {
      /* reported below */
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new ConfigError(`control[${i}] (--control, CROSSPROBE_CONTROL): must be an http:// or https:// URL (got ${JSON.stringify(u)})`, 'control');
    }
    return url.href;
  });
  if (c.targets !== undefined) {
    // checked here, not where it is read: a usage mistake, told with the flag that named the file
    try {
      accessSync(c.targets, constants.R_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? (err as Error).message);
      throw new ConfigError(`targets (--targets, CROSSPROBE_TARGETS): cannot read ${c.targets}: ${why}`, 'targets');
    }
  }
  const natsAccess = loadNatsAccess(c, nats);
  const spoolDefault = defaultSpoolDir(env, c.region, c.id);
  // Refused rather than resolved: against the working directory it made two agents started in one
  // directory share a spool; against the config file's directory it would mean something different
  // as a flag than as a key. One rule: absolute, or the default.
  if (c.spoolDir !== undefined && !isAbsolute(c.spoolDir)) {
    throw new ConfigError(
      `spoolDir (--spool-dir, CROSSPROBE_SPOOL_DIR): must be an absolute path (got ${JSON.stringify(c.spoolDir)}); a relative one would depend on the directory the agent starts in. Give an absolute path, or leave it out for ${spoolDefault}`,
      'spoolDir',
    );
  }
  const spoolMemoryMaxBytes = parseSize(c.spoolMemoryMax)!;
  // The memory queue must fit in the heap with the agent's own working set beside it.
  const heapLimit = getHeapStatistics().heap_size_limit;
  if (spoolMemoryMaxBytes <= 0 || spoolMemoryMaxBytes > heapLimit / 4) {
    throw new ConfigError(
      `spoolMemoryMax (--spool-memory-max, CROSSPROBE_SPOOL_MEMORY_MAX): must be above 0 and at most a quarter of this agent's heap limit, ${mib(heapLimit / 4)} (got ${JSON.stringify(c.spoolMemoryMax)}); lower it, or raise node's --max-old-space-size`,
      'spoolMemoryMax',
    );
  }
  return Object.freeze({
    nats,
    ...(natsAccess ? { natsAccess } : {}),
    region: c.region,
    id: c.id,
    dnsServer: c.dnsServer ?? null,
    sourceAddress: c.sourceAddress ?? null,
    targetsFile: c.targets ?? null,
    controls: Object.freeze(controls),
    controlIntervalMs: timerMs('controlInterval', '--control-interval', 'CROSSPROBE_CONTROL_INTERVAL', c.controlInterval),
    kv: !c.noKv,
    spoolDir: c.spoolDir ?? spoolDefault,
    spoolMaxBytes: parseSize(c.spoolMax)!,
    spoolMemoryMaxBytes,
    heartbeatIntervalMs: timerMs('heartbeatInterval', '--heartbeat-interval', 'CROSSPROBE_HEARTBEAT_INTERVAL', c.heartbeatInterval),
    concurrency: c.concurrency,
    bodyCapBytes: parseSize(c.bodyCap)!,
    caFiles: Object.freeze([...c.caFile]),
    ipFamilies: Object.freeze(c.noIpv6 ? ([4] as const) : ([4, 6] as const)),
    allowPrivateTargets: c.allowPrivateTargets,
    maxIpsPerRound: c.maxIpsPerRound,
    shutdownTimeoutMs: timerMs('shutdownTimeout', '--shutdown-timeout', 'CROSSPROBE_SHUTDOWN_TIMEOUT', c.shutdownTimeout),
    logLevel: c.logLevel,
  });
}
