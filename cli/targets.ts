import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { ConfigError, formatDuration, parseTarget, TARGET_DEFAULTS, type TargetSpec } from '../proto/index.js';
// the client alone: the API's index would load fastify and SQLite for a one-shot command
import { apiClient, ApiClientError, type ApiClient } from './api-client.js';
import { configHelp, envOf, loadConfig, parseDocument } from '../common/index.js';

// what the server applies to a target that leaves these out (proto's own defaults)
const SERVER = {
  method: TARGET_DEFAULTS.method,
  interval: formatDuration(TARGET_DEFAULTS.intervalMs),
  timeout: formatDuration(TARGET_DEFAULTS.timeoutMs),
  status: TARGET_DEFAULTS.expectStatus.join('-'),
};

/**
 * What `crossprobe targets` takes. Target fields are flags only (CROSSPROBE_ID is the agent's id) and
 * are validated by the server, whose message the command prints.
 */
export const TargetsCliSchema = Type.Object(
  {
    api: Type.Optional(Type.String({ minLength: 1, description: 'the collector API, e.g. http://127.0.0.1:8080 (required)' })),
    token: Type.Optional(Type.String({ minLength: 1, description: 'bearer token (the collector\'s API token for add/rm)' })),
    id: Type.Optional(Type.String({ minLength: 1, description: 'add: target id, [a-z0-9-]{1,63}' })),
    url: Type.Optional(Type.String({ minLength: 1, description: 'add: http:// or https:// URL to probe' })),
    method: Type.Optional(Type.String({ minLength: 1, description: `add: HTTP method (server default ${SERVER.method})` })),
    interval: Type.Optional(Type.String({ minLength: 1, description: `add: probe interval (server default ${SERVER.interval})` })),
    timeout: Type.Optional(Type.String({ minLength: 1, description: `add: probe timeout (server default ${SERVER.timeout}, at most the interval)` })),
    bodyContains: Type.Optional(Type.String({ minLength: 1, description: 'add: the body must contain this text' })),
    status: Type.Optional(Type.String({ minLength: 1, description: `add: accepted statuses MIN-MAX (server default ${SERVER.status})` })),
    regions: Type.Optional(Type.String({ minLength: 1, description: 'add: comma-separated regions that probe it (without it: every region)' })),
    resolveAll: Type.Boolean({ description: 'add: probe every resolved IP (the default)' }),
    noResolveAll: Type.Boolean({ description: 'add: probe one resolved IP only' }),
    identity: Type.Array(Type.String(), { description: 'add: serving-node identity header (repeatable)' }),
    file: Type.Optional(Type.String({ minLength: 1, description: 'add: a targets file (YAML or JSON, { targets: [...] }) instead of the flags' })),
    replace: Type.Boolean({ description: 'add: replace targets that exist (PUT) instead of failing' }),
    json: Type.Boolean({ description: 'list: print the API\'s JSON' }),
  },
  { additionalProperties: false },
);
type TargetsCli = Static<typeof TargetsCliSchema>;

export const TARGETS_USAGE = [
  'Usage: crossprobe targets add  --api URL [--token T] --id ID --url URL [--interval 60s] [--timeout 10s] [--body-contains TEXT]',
  '                               [--regions a,b] [--resolve-all | --no-resolve-all] [--identity HEADER]... [--replace]',
  '       crossprobe targets add  --api URL [--token T] --file FILE [--replace]',
  '       crossprobe targets list --api URL [--token T] [--json]',
  '       crossprobe targets rm   --api URL [--token T] ID...',
].join('\n');

/** What `crossprobe targets` uses for a key nobody set (the parser applies these, --help shows them). */
export const TARGETS_DEFAULTS = Object.freeze({ resolveAll: false, noResolveAll: false, identity: [], replace: false, json: false });

/** The only variables `crossprobe targets` reads: CROSSPROBE_ID, CROSSPROBE_URL... would belong to an agent on the same machine. */
const TARGETS_ENV = ['api', 'token'] as const;

/** Parses `crossprobe targets`' flags, its few environment variables and config file; throws ConfigError. */
export function parseTargetsArgs(argv: readonly string[], env: NodeJS.ProcessEnv) {
  const own: NodeJS.ProcessEnv = { CROSSPROBE_CONFIG: env.CROSSPROBE_CONFIG };
  for (const k of TARGETS_ENV) own[envOf(k)] = env[envOf(k)];
  return loadConfig(TargetsCliSchema, argv, own, { ...TARGETS_DEFAULTS, identity: [] });
}

const ADD_ONLY = ['id', 'url', 'method', 'interval', 'timeout', 'bodyContains', 'status', 'regions', 'file'] as const;

interface StoredTargetView {
  readonly target: TargetSpec;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** `crossprobe targets add|list|rm`: manages the collector's targets through its API. */
export async function targetsCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${targetsHelp()}\n`);
    return 0;
  }
  const { config, positionals } = parseTargetsArgs(argv, process.env);
  const [sub, ...rest] = positionals;
  if (sub !== 'add' && sub !== 'list' && sub !== 'rm') {
    throw new ConfigError(`${sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`}: expected add, list or rm\n\n${TARGETS_USAGE}`);
  }
  if (sub !== 'add') {
    const used = ADD_ONLY.filter((k) => config[k] !== undefined);
    if (used.length > 0) throw new ConfigError(`--${flag(used[0]!)} is an option of "targets add", not of "targets ${sub}"`);
  }
  // every required option left out, at once
  const missing = [
    ...(config.api === undefined ? ['api (--api, CROSSPROBE_API)'] : []),
    ...(sub === 'add' && config.file === undefined ? (['id', 'url'] as const).filter((k) => config[k] === undefined).map((k) => `${k} (--${k})`) : []),
  ];
  if (missing.length > 1) throw new ConfigError(`${missing.join(', ')}: are required${sub === 'add' ? ' for "targets add" (or --file instead of --id and --url)' : ''}`, 'api');
  if (config.api === undefined) throw new ConfigError('api (--api, CROSSPROBE_API): is required', 'api');
  const client = apiClient(config.api, config.token ?? null);
  try {
    if (sub === 'add') return await add(client, config, rest);
    if (sub === 'list') return await list(client, config, rest);
    return await remove(client, rest);
  } catch (err) {
    if (err instanceof ApiClientError) {
      process.stderr.write(`crossprobe targets ${sub}: ${err.message}${err.status ? ` (HTTP ${err.status} ${err.code})` : ''}\n`);
      return 1;
    }
    throw err;
  }
}

const flag = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The options; unlike other commands', only --api, --token and --config are read from the environment. */
export function targetsHelp(): string {
  const env = [...TARGETS_ENV.map(envOf), 'CROSSPROBE_CONFIG'].join(', ');
  return `${configHelp(TargetsCliSchema, TARGETS_USAGE, { defaults: TARGETS_DEFAULTS, env: false })}\n\nEnvironment: ${env}.`;
}

/** The target spec the `add` flags describe (the server validates it). */
export function specFromFlags(c: TargetsCli): Record<string, unknown> {
  if (c.id === undefined) throw new ConfigError('id (--id): is required for "targets add" (or give --file)', 'id');
  if (c.url === undefined) throw new ConfigError('url (--url): is required for "targets add" (or give --file)', 'url');
  if (c.resolveAll && c.noResolveAll) throw new ConfigError('--resolve-all and --no-resolve-all contradict each other; give one', 'resolveAll');
  const spec: Record<string, unknown> = { id: c.id, url: c.url };
  if (c.method !== undefined) spec.method = c.method.toUpperCase();
  if (c.interval !== undefined) spec.interval = c.interval;
  if (c.timeout !== undefined) spec.timeout = c.timeout;
  const expect: Record<string, unknown> = {};
  if (c.status !== undefined) {
    const m = /^(\d{3})-(\d{3})$/.exec(c.status);
    if (!m) throw new ConfigError(`--status: must be MIN-MAX, e.g. 200-399 (got ${JSON.stringify(c.status)})`, 'status');
    expect.status = [Number(m[1]), Number(m[2])];
  }
  if (c.bodyContains !== undefined) expect.bodyContains = c.bodyContains;
  if (Object.keys(expect).length > 0) spec.expect = expect;
  if (c.resolveAll) spec.resolveAll = true;
  if (c.noResolveAll) spec.resolveAll = false;
  if (c.regions !== undefined) spec.regions = c.regions.split(',').map((s) => s.trim()).filter(Boolean);
  if (c.identity.length > 0) spec.identity = c.identity.map((header) => ({ header }));
  return spec;
}

function specsFromFile(file: string): Record<string, unknown>[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`file (--file): cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? (err as Error).message)}`, 'file');
  }
  let doc: unknown;
  try {
    doc = parseDocument(text);
  } catch (err) {
    throw new ConfigError(`${file}: ${(err as Error).message}`);
  }
  const targets = (doc as { targets?: unknown } | null)?.targets;
  if (!Array.isArray(targets)) throw new ConfigError(`${file}: must hold { "targets": [ ... ] }`);
  return targets.map((t, i) => {
    // every target checked before the first is sent: a bad file changes nothing
    parseTarget(t, `${file}: targets[${i}]`);
    return t as Record<string, unknown>;
  });
}

async function add(client: ApiClient, c: TargetsCli, rest: string[]): Promise<number> {
  if (rest.length > 0) throw new ConfigError(`unexpected argument "${rest[0]}" for "targets add"`);
  let specs: Record<string, unknown>[];
  if (c.file !== undefined) {
    const flags = ADD_ONLY.filter((k) => k !== 'file' && c[k] !== undefined);
    if (flags.length > 0) throw new ConfigError(`--file and --${flag(flags[0]!)} do not go together: the file describes the targets`);
    specs = specsFromFile(c.file);
  } else {
    specs = [specFromFlags(c)];
  }
  for (const spec of specs) {
    const id = String(spec.id);
    const { status, body } = c.replace
      ? await client.request<StoredTargetView>('PUT', `/api/v1/targets/${encodeURIComponent(id)}`, spec)
      : await client.request<StoredTargetView>('POST', '/api/v1/targets', spec);
    const t = body.target;
    const what = status === 201 ? 'added' : 'replaced';
    process.stdout.write(`${what} target ${t.id}: ${t.method ?? 'GET'} ${t.url} every ${t.interval ?? '?'} (timeout ${t.timeout ?? '?'}), regions ${t.regions?.length ? t.regions.join(',') : 'all'}\n`);
  }
  return 0;
}

async function list(client: ApiClient, c: TargetsCli, rest: string[]): Promise<number> {
  if (rest.length > 0) throw new ConfigError(`unexpected argument "${rest[0]}" for "targets list"`);
  const { body } = await client.request<{ targets: StoredTargetView[] }>('GET', '/api/v1/targets');
  if (c.json) {
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    return 0;
  }
  if (body.targets.length === 0) {
    process.stdout.write('no targets\n');
    return 0;
  }
  const rows = [['ID', 'METHOD', 'URL', 'INTERVAL', 'TIMEOUT', 'REGIONS', 'RESOLVE-ALL']];
  for (const { target: t } of body.targets) {
    rows.push([t.id, t.method ?? 'GET', t.url, t.interval ?? '', t.timeout ?? '', t.regions?.length ? t.regions.join(',') : 'all', String(t.resolveAll ?? true)]);
  }
  process.stdout.write(`${table(rows)}\n`);
  return 0;
}

async function remove(client: ApiClient, ids: string[]): Promise<number> {
  if (ids.length === 0) throw new ConfigError('targets rm: give the id(s) of the target(s) to remove');
  for (const id of ids) {
    await client.request('DELETE', `/api/v1/targets/${encodeURIComponent(id)}`);
    process.stdout.write(`removed target ${id}\n`);
  }
  return 0;
}

/** Left-aligned columns, two spaces apart. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}
