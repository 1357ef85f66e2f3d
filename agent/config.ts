import { isIP } from 'node:net';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { ConfigError, MAX_TIMER_MS, durationProblem, parseDuration } from '../proto/index.js';
import { loadConfig, configHelp, parseSize } from '../cli/config.js';
import { loadNatsAccess, NATS_ACCESS_PROPERTIES, type NatsAccess } from '../proto/nats-options.js';

const Duration = (description: string) =>
  Type.String({ pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h|d))+$', errorMessage: 'must be a duration such as 500ms, 30s, 15m or 1h', description });
const Id = (description: string) => Type.String({ pattern: '^[a-z0-9-]{1,63}$', errorMessage: 'must be 1–63 characters of a–z, 0–9 and "-"', description });

/** Everything `crossprobe agent` can be told, as flags, CROSSPROBE_* variables or config-file keys. */
export const AgentConfigSchema = Type.Object(
  {
    nats: Type.String({ minLength: 1, description: 'NATS server URL(s), comma-separated' }),
    region: Id('this agent\'s region id, e.g. eu-west (required)'),
    id: Id('this agent\'s id, unique in its region (required)'),
    ...NATS_ACCESS_PROPERTIES,
    dnsServer: Type.Optional(Type.String({ pattern: '^(\\[[0-9a-fA-F:.]+\\]|[^:\\s]+)(:\\d{1,5})?$', errorMessage: 'must be HOST or HOST:PORT, e.g. 127.0.0.1:53', description: 'DNS resolver HOST:PORT (default: the system\'s)' })),
    sourceAddress: Type.Optional(Type.String({ description: 'bind outgoing probe connections to this local IP' })),
    targets: Type.Optional(Type.String({ minLength: 1, description: 'targets file (YAML or JSON), in addition to the KV bucket' })),
    control: Type.Array(Type.String(), { description: 'control URL probed to check this agent\'s own network (repeatable)' }),
    controlInterval: Duration('how often control URLs are probed'),
    noKv: Type.Boolean({ description: 'do not watch the crossprobe_targets KV bucket (targets only from --targets)' }),
    spoolDir: Type.String({ minLength: 1, description: 'where unpublished results wait on disk' }),
    spoolMax: Type.String({ pattern: '^\\d+(\\.\\d+)?\\s*([kKmMgG]i?[bB]|[bB])?$', errorMessage: 'must be a size such as 256MiB or 1GB', description: 'spool bound; past it the oldest results are dropped and counted' }),
    heartbeatInterval: Duration('how often a heartbeat is published'),
    concurrency: Type.Integer({ minimum: 1, maximum: 10_000, errorMessage: 'must be a whole number from 1 to 10000', description: 'probes running at once at most' }),
    bodyCap: Type.String({ pattern: '^\\d+(\\.\\d+)?\\s*([kKmMgG]i?[bB]|[bB])?$', errorMessage: 'must be a size such as 1MiB', description: 'bytes of a response body read at most' }),
    caFile: Type.Array(Type.String(), { description: 'extra CA certificate (PEM) to trust for HTTPS targets (repeatable)' }),
    noIpv6: Type.Boolean({ description: 'probe A records only (for a VPS without IPv6)' }),
    allowPrivateTargets: Type.Boolean({
      description: 'probe loopback, link-local (cloud metadata), private and reserved addresses too (default: refused, checked on the resolved IP; see README)',
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
  readonly spoolDir: string;
  readonly spoolMaxBytes: number;
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

export function agentHelp(): string {
  return configHelp(AgentConfigSchema, AGENT_USAGE);
}

/** Parses the agent's flags, environment and config file; throws ConfigError naming the key. */
export function parseAgentConfig(argv: readonly string[], env: NodeJS.ProcessEnv): AgentConfig {
  const state = env.STATE_DIRECTORY?.split(':')[0] ?? '.crossprobe';
  const { config: c } = loadConfig(AgentConfigSchema, argv, env, {
    nats: 'nats://127.0.0.1:4222',
    control: [],
    controlInterval: '15s',
    noKv: false,
    spoolMax: '256MiB',
    heartbeatInterval: '5s',
    concurrency: 64,
    bodyCap: '1MiB',
    caFile: [],
    noIpv6: false,
    allowPrivateTargets: false,
    maxIpsPerRound: 16,
    shutdownTimeout: '10s',
    logLevel: 'info',
    spoolDir: join(state, 'spool'),
  });
  return finishAgentConfig(c);
}

/** A duration flag the agent runs a timer on, in ms: bounded, or a ConfigError naming the key. */
function timerMs(key: keyof AgentConfigInput, flag: string, env: string, text: string): number {
  const v = parseDuration(text);
  const problem = v === null ? durationProblem(text) : v > MAX_TIMER_MS ? 'must be at most 24h' : null;
  if (problem !== null) throw new ConfigError(`${key} (${flag}, ${env}): ${problem} (got ${JSON.stringify(text)})`, key);
  return v!;
}

function finishAgentConfig(c: AgentConfigInput): AgentConfig {
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
  const natsAccess = loadNatsAccess(c, nats);
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
    spoolDir: c.spoolDir,
    spoolMaxBytes: parseSize(c.spoolMax)!,
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
