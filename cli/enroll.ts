import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { nkeys } from 'nats';
import { ConfigError, HEARTBEAT_SUBJECTS, ID_PATTERN, ID_RULE, RESULTS_STREAM, RESULTS_SUBJECTS, TARGETS_BUCKET, heartbeatSubject, resultsSubject, agentInboxPrefix, COLLECTOR_INBOX_PREFIX, DEFAULT_DURABLE } from '../proto/index.js';
import { configHelp, flagOf, loadConfig } from '../common/index.js';

/**
 * `crossprobe enroll`: one NATS user per agent (an nkey), for the collector, or for a regional leaf
 * node's uplink — and the authorization entry the hub's users file needs for it, with the least
 * permissions that user works with, each one commented with its reason.
 */

const Id = (description: string) =>
  Type.Optional(Type.String({ pattern: ID_PATTERN, errorMessage: ID_RULE, description }));

export const EnrollCliSchema = Type.Object(
  {
    region: Id('the agent\'s (or the leaf node\'s) region id'),
    id: Id('the agent\'s id'),
    collector: Type.Boolean({ description: 'enroll the collector\'s NATS user instead of an agent' }),
    leaf: Type.Boolean({ description: 'enroll the uplink of the leaf node of --region (a user/password for the hub\'s leafnodes port)' }),
    cluster: Type.Boolean({ description: 'write the route secret and route URLs of a hub cluster (hub-routes.conf, the same on every node), for --hub\'s cluster ports' }),
    hub: Type.Optional(Type.String({
      pattern: '^[^\\s:/,]+:\\d{1,5}(,[^\\s:/,]+:\\d{1,5})*$',
      errorMessage: 'must be HOST:PORT, or several comma-separated (one per hub node), e.g. hub-1.example.net:7422',
      description: 'with --leaf: the hub\'s leafnodes HOST:PORT (comma-separated: every node of a hub cluster); with --cluster: every node\'s cluster HOST:PORT (6222)',
    })),
    out: Type.String({ minLength: 1, description: 'directory the secret file is written to (mode 0600)' }),
    usersFile: Type.Optional(Type.String({ minLength: 1, description: 'the NATS users file to add the entry to (deploy/nats/crossprobe-users.conf); default: print it' })),
    jsDomain: Type.String({ pattern: '^[A-Za-z0-9_-]+$', errorMessage: 'must be a JetStream domain name such as hub', description: 'JetStream domain of the hub (jetstream.domain in hub.conf); agents behind a leaf node reach it as $JS.<domain>.API' }),
  },
  { additionalProperties: false },
);
type EnrollCli = Static<typeof EnrollCliSchema>;

export const ENROLL_USAGE = [
  'Usage: crossprobe enroll --region R --id A [--out DIR] [--users-file FILE]     an agent',
  '       crossprobe enroll --collector [--out DIR] [--users-file FILE]          the collector',
  '       crossprobe enroll --leaf --region R --hub HOST:7422 [--out DIR] [--users-file FILE]   a leaf node\'s uplink',
  '       crossprobe enroll --cluster --hub HUB1:6222,HUB2:6222,HUB3:6222 [--out DIR]     a hub cluster\'s routes',
].join('\n');

/** One subject a user is granted, and why it needs it. */
export interface Grant {
  readonly subject: string;
  readonly why: string;
}

/** A NATS user's permissions: allow-lists only (anything not listed is refused). */
export interface NatsPermissions {
  readonly publish: readonly Grant[];
  readonly subscribe: readonly Grant[];
}

const KV_STREAM = `KV_${TARGETS_BUCKET}`;

/** The targets KV watch (agent/targets/kv.ts, nats.js ordered consumer), under one JetStream API prefix. */
function kvWatchGrants(api: string, how: string): Grant[] {
  return [
    { subject: `${api}.INFO`, why: `targets KV watch${how}: nats.js checks JetStream is enabled for the account` },
    { subject: `${api}.CONSUMER.CREATE.${KV_STREAM}.*.$KV.${TARGETS_BUCKET}.>`, why: `targets KV watch${how}: creates its ordered consumer on the bucket` },
    { subject: `${api}.CONSUMER.CREATE.${KV_STREAM}`, why: `targets KV watch${how}: re-creates that consumer after a reconnect or a gap` },
  ];
}

const FLOW_CONTROL: Grant = { subject: `$JS.FC.${KV_STREAM}.>`, why: 'targets KV watch: flow-control replies when many targets arrive at once' };

/**
 * An agent: its own results and heartbeat subjects, the KV watch (directly on the hub as $JS.API, and
 * through a leaf node, whose account maps $JS.API to $JS.<domain>.API), and its own reply subjects.
 */
export function agentPermissions(region: string, agent: string, jsDomain = 'hub'): NatsPermissions {
  return {
    publish: [
      { subject: resultsSubject(region, agent), why: 'its probe results (JetStream; the ack comes back to its inbox)' },
      { subject: heartbeatSubject(region, agent), why: 'its heartbeats' },
      ...kvWatchGrants('$JS.API', ''),
      ...kvWatchGrants(`$JS.${jsDomain}.API`, ' through a leaf node'),
      FLOW_CONTROL,
    ],
    subscribe: [{ subject: `${agentInboxPrefix(region, agent)}.>`, why: 'its own replies only: JetStream acks, API responses, KV deliveries' }],
  };
}

/** The collector: its stream, bucket and durable consumer, KV writes, every heartbeat. */
export function collectorPermissions(): NatsPermissions {
  const api = '$JS.API';
  return {
    publish: [
      { subject: `${api}.INFO`, why: 'nats.js checks JetStream is enabled for the account' },
      { subject: `${api}.STREAM.INFO.${RESULTS_STREAM}`, why: 'finds the results stream' },
      { subject: `${api}.STREAM.CREATE.${RESULTS_STREAM}`, why: 'creates the results stream when missing' },
      { subject: `${api}.STREAM.INFO.${KV_STREAM}`, why: 'finds the targets bucket' },
      { subject: `${api}.STREAM.CREATE.${KV_STREAM}`, why: 'creates the targets bucket when missing' },
      { subject: `${api}.CONSUMER.INFO.${RESULTS_STREAM}.${DEFAULT_DURABLE}`, why: 'finds its durable consumer' },
      { subject: `${api}.CONSUMER.CREATE.${RESULTS_STREAM}.${DEFAULT_DURABLE}.${RESULTS_SUBJECTS}`, why: 'creates or updates its durable consumer' },
      { subject: `${api}.CONSUMER.DELETE.${RESULTS_STREAM}.${DEFAULT_DURABLE}`, why: 'recreates its durable consumer from the ack floor when an earlier session left messages unacked' },
      { subject: `${api}.CONSUMER.MSG.NEXT.${RESULTS_STREAM}.${DEFAULT_DURABLE}`, why: 'pulls results' },
      { subject: `$JS.ACK.${RESULTS_STREAM}.${DEFAULT_DURABLE}.>`, why: 'acks results once they are committed to SQLite' },
      { subject: `$KV.${TARGETS_BUCKET}.>`, why: 'writes and deletes targets (the API)' },
      { subject: `${api}.DIRECT.GET.${KV_STREAM}.>`, why: 'reads a target back from the bucket' },
    ],
    subscribe: [
      { subject: HEARTBEAT_SUBJECTS, why: 'every agent\'s heartbeats' },
      { subject: `${COLLECTOR_INBOX_PREFIX}.>`, why: 'its own replies: API responses and pulled results' },
    ],
  };
}

/**
 * A leaf node's uplink into the hub, seen from the leaf: what its region's agents need, for any agent
 * of that region (the leaf itself holds one user per agent and enforces who is who).
 */
export function leafUplinkPermissions(region: string, jsDomain = 'hub'): NatsPermissions {
  const agents = `${region}.*`;
  return {
    publish: [
      { subject: `crossprobe.results.${agents}`, why: 'the results of its region\'s agents' },
      { subject: `crossprobe.heartbeat.${agents}`, why: 'the heartbeats of its region\'s agents' },
      ...kvWatchGrants(`$JS.${jsDomain}.API`, ' of its agents'),
      FLOW_CONTROL,
    ],
    subscribe: [{ subject: `_INBOX.crossprobe.${region}.>`, why: 'replies to its region\'s agents' }],
  };
}

/** One `users` entry of a NATS server config: `head` comment, the credential lines, the permissions. */
export function renderUserEntry(head: string, credential: readonly string[], perms: NatsPermissions, extra: readonly string[] = []): string {
  const list = (grants: readonly Grant[]): string[] => {
    const width = Math.max(...grants.map((g) => JSON.stringify(g.subject).length)) + 1;
    return grants.map((g, i) => `          ${`${JSON.stringify(g.subject)}${i < grants.length - 1 ? ',' : ''}`.padEnd(width)}  # ${g.why}`);
  };
  return [
    `    # ${head}`,
    '    {',
    ...credential.map((l) => `      ${l}`),
    ...extra.map((l) => `      ${l}`),
    '      permissions: {',
    '        publish: {',
    '          allow: [',
    ...list(perms.publish).map((l) => `  ${l}`),
    '          ]',
    '        }',
    '        subscribe: {',
    '          allow: [',
    ...list(perms.subscribe).map((l) => `  ${l}`),
    '          ]',
    '        }',
    '      }',
    '    }',
    '',
  ].join('\n');
}

/** The line of a users file above which enroll inserts entries. */
export const USERS_MARKER = '# crossprobe enroll inserts entries above this line';

interface KeyPair {
  getSeed(): Uint8Array;
  getPublicKey(): string;
}

/** What one enrollment produces. */
export interface Enrollment {
  /** The marker for this user in a users file (the entry's first comment line, without the date). */
  readonly tag: string;
  /** The users-file entry; null when there is none (a hub cluster's routes). */
  readonly entry: string | null;
  /** The secret file, written mode 0600. */
  readonly secretFile: string;
  readonly secret: string;
  readonly summary: string;
}

function enrollAgent(region: string, id: string, out: string, jsDomain: string, date: string): Enrollment {
  const kp = (nkeys.createUser as () => KeyPair)();
  const user = kp.getPublicKey();
  const tag = `agent ${region}/${id}`;
  const secretFile = join(out, `${region}-${id}.nkey`);
  return {
    tag,
    entry: renderUserEntry(`${tag} (crossprobe enroll, ${date})`, [`nkey: ${user}`], agentPermissions(region, id, jsDomain)),
    secretFile,
    secret: `${new TextDecoder().decode(kp.getSeed())}\n`,
    summary: `agent ${region}/${id} is NATS user ${user}; its seed is in ${secretFile}: install it on the agent as /etc/crossprobe/nats.nkey (mode 0600)`,
  };
}

function enrollCollector(out: string, date: string): Enrollment {
  const kp = (nkeys.createUser as () => KeyPair)();
  const user = kp.getPublicKey();
  const secretFile = join(out, 'collector.nkey');
  return {
    tag: 'collector',
    entry: renderUserEntry(`collector (crossprobe enroll, ${date})`, [`nkey: ${user}`], collectorPermissions()),
    secretFile,
    secret: `${new TextDecoder().decode(kp.getSeed())}\n`,
    summary: `the collector is NATS user ${user}; its seed is in ${secretFile}: install it on the collector host as /etc/crossprobe/nats.nkey (mode 0600)`,
  };
}

function enrollLeaf(region: string, hubs: readonly string[], out: string, jsDomain: string, date: string): Enrollment {
  // 256 random bits: a password nobody guesses, kept in plain text on both ends (nats-server warns
  // "Plaintext passwords detected"; the users file is readable by root and nats only)
  const password = randomBytes(32).toString('base64url');
  const user = `leaf-${region}`;
  const tag = `leaf node ${region}`;
  const secretFile = join(out, `leaf-${region}-uplink.conf`);
  return {
    tag,
    entry: renderUserEntry(
      `${tag} (crossprobe enroll --leaf, ${date})`,
      [`user: ${JSON.stringify(user)}`, `password: ${JSON.stringify(password)}`],
      leafUplinkPermissions(region, jsDomain),
      ['allowed_connection_types: ["LEAFNODE"]   # a leaf node uplink, never a client'],
    ),
    secretFile,
    secret: [
      `# The uplink of leaf node ${region} to the hub (crossprobe enroll --leaf, ${date}).`,
      '# Included by leaf.conf; keep it mode 0640 root:nats.',
      `CROSSPROBE_HUB_UPLINKS: [ ${hubs.map((h) => JSON.stringify(`nats-leaf://${user}:${password}@${h}`)).join(', ')} ]`,
      '',
    ].join('\n'),
    summary: `leaf node ${region} connects to the hub as user ${user}; ${secretFile} holds its uplink URL: install it on the leaf as /etc/nats/leaf-uplink.conf (mode 0640, group nats)`,
  };
}

/** The user hub nodes connect to each other's cluster port as (cluster.authorization in hub-cluster.conf). */
export const ROUTE_USER = 'crossprobe-route';

/**
 * A hub cluster's routes: one secret every node's cluster port asks for, and every node's route URL
 * carrying it. A certificate of the CA alone does not make a route: leaf nodes (and agents with mutual
 * TLS) hold certificates of the same CA, and a route is trusted beyond every user permission.
 */
function enrollCluster(hubs: readonly string[], out: string, date: string): Enrollment & { readonly entry: null } {
  // 256 random bits, in URL-safe characters: it travels inside the route URLs
  const password = randomBytes(32).toString('base64url');
  const secretFile = join(out, 'hub-routes.conf');
  return {
    tag: 'hub cluster routes',
    entry: null,
    secretFile,
    secret: [
      `# The routes of the crossprobe hub cluster (crossprobe enroll --cluster, ${date}): the same file on`,
      '# every node, included by hub-cluster.conf; keep it mode 0640 root:nats. A new secret: enroll again,',
      '# install the new file on every node, restart them one by one.',
      `CROSSPROBE_ROUTE_USER: ${JSON.stringify(ROUTE_USER)}`,
      `CROSSPROBE_ROUTE_PASSWORD: ${JSON.stringify(password)}`,
      `CROSSPROBE_ROUTES: [ ${hubs.map((h) => JSON.stringify(`nats-route://${ROUTE_USER}:${password}@${h}`)).join(', ')} ]`,
      '',
    ].join('\n'),
    summary: `${secretFile} holds the route secret and the route URLs of ${hubs.length} hub node${hubs.length === 1 ? '' : 's'}: install it on every node as /etc/nats/hub-routes.conf (mode 0640, group nats)`,
  };
}

/** Adds `e.entry` to a users file above its marker line; refuses a second entry for the same user. */
export function addToUsersFile(file: string, e: { readonly tag: string; readonly entry: string }): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`usersFile (--users-file): cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'usersFile');
  }
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.trim() === USERS_MARKER);
  if (at < 0) {
    throw new ConfigError(`usersFile (--users-file): ${file} has no line "${USERS_MARKER}" (start from deploy/nats/crossprobe-users.conf), or paste the entry by hand`, 'usersFile');
  }
  if (lines.some((l) => l.trim().startsWith(`# ${e.tag} (`))) {
    throw new ConfigError(`usersFile (--users-file): ${file} already has an entry for ${e.tag}; remove it first to enroll it again`, 'usersFile');
  }
  lines.splice(at, 0, ...e.entry.replace(/\n$/, '').split('\n'));
  // a new file renamed over the old one: the server never reads half an entry; mode and owner kept
  const st = statSync(file);
  const tmp = `${file}.enroll-${process.pid}`;
  writeFileSync(tmp, lines.join('\n'), { mode: st.mode & 0o777 });
  try {
    chownSync(tmp, st.uid, st.gid);
  } catch {
    // not root: the file stays ours, as the original was (or the rename below fails loudly)
  }
  renameSync(tmp, file);
}

/** Usage and flags (flags only: enroll reads no CROSSPROBE_* variable). */
export function enrollHelp(): string {
  return configHelp(EnrollCliSchema, ENROLL_USAGE, { defaults: ENROLL_DEFAULTS, env: false });
}

/** What `crossprobe enroll` uses for a key nobody set (the parser applies these, --help shows them). */
export const ENROLL_DEFAULTS = Object.freeze({ collector: false, leaf: false, cluster: false, out: '.', jsDomain: 'hub' });

/** Parses `crossprobe enroll`'s flags (and --config file; no environment: CROSSPROBE_REGION/ID are an agent's own). */
export function parseEnrollArgs(argv: readonly string[]): EnrollCli {
  const { config, positionals } = loadConfig(EnrollCliSchema, argv, {}, ENROLL_DEFAULTS);
  if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}"\n\n${ENROLL_USAGE}`);
  return config;
}

/** `crossprobe enroll`: exit 0 with the entry printed (or added to --users-file), 2 for bad usage. */
export async function enrollCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${enrollHelp()}\n`);
    return 0;
  }
  const config = parseEnrollArgs(argv);
  const e = enrollment(config, new Date().toISOString().slice(0, 10));
  if (!existsSync(config.out)) throw new ConfigError(`out (--out): ${config.out} does not exist`, 'out');
  if (existsSync(e.secretFile)) throw new ConfigError(`out (--out): ${e.secretFile} exists already; move it away to enroll ${e.tag} again`, 'out');
  // the entry goes in before the secret is written: a users file that refuses it leaves nothing behind
  if (config.usersFile !== undefined && e.entry !== null) addToUsersFile(config.usersFile, { tag: e.tag, entry: e.entry });
  writeFileSync(e.secretFile, e.secret, { mode: 0o600, flag: 'wx' });
  if (e.entry === null) {
    process.stderr.write(`${e.summary}; then on each: nats-server -t -c /etc/nats/hub.conf && systemctl restart nats-server\n`);
  } else if (config.usersFile === undefined) {
    process.stdout.write(e.entry);
    process.stderr.write(`${e.summary}\nAdd the entry above to the hub's users file (or use --users-file), then: systemctl reload nats-server\n`);
  } else {
    process.stderr.write(`${e.summary}\nAdded ${e.tag} to ${config.usersFile}; check and apply it: nats-server -t -c /etc/nats/hub.conf && systemctl reload nats-server\n`);
  }
  return 0;
}

function enrollment(c: EnrollCli, date: string): Enrollment {
  const modes = [c.collector && '--collector', c.leaf && '--leaf', c.cluster && '--cluster'].filter(Boolean);
  if (modes.length > 1) throw new ConfigError(`give one of --collector, --leaf and --cluster, not ${modes.join(' and ')}\n\n${ENROLL_USAGE}`);
  if (c.cluster) {
    if (c.region !== undefined || c.id !== undefined) throw new ConfigError('--cluster takes neither --region nor --id');
    if (c.usersFile !== undefined) throw new ConfigError('usersFile (--users-file): --cluster adds no user; its file goes to every hub node as /etc/nats/hub-routes.conf', 'usersFile');
    if (c.hub === undefined) throw new ConfigError('hub (--hub): is required with --cluster: every hub node\'s cluster HOST:PORT, e.g. hub-1.example.net:6222,hub-2.example.net:6222,hub-3.example.net:6222', 'hub');
    return enrollCluster(c.hub.split(','), c.out, date);
  }
  if (c.collector) {
    if (c.region !== undefined || c.id !== undefined) throw new ConfigError('--collector takes neither --region nor --id');
    return enrollCollector(c.out, date);
  }
  if (c.region === undefined) throw new ConfigError(`region (--region): is required\n\n${ENROLL_USAGE}`, 'region');
  if (c.leaf) {
    if (c.id !== undefined) throw new ConfigError('--leaf enrolls a region\'s leaf node: it takes no --id');
    if (c.hub === undefined) throw new ConfigError('hub (--hub): is required with --leaf: the hub\'s leafnodes HOST:PORT, e.g. hub.example.net:7422', 'hub');
    return enrollLeaf(c.region, c.hub.split(','), c.out, c.jsDomain, date);
  }
  if (c.hub !== undefined) throw new ConfigError('--hub is an option of --leaf and --cluster');
  if (c.id === undefined) throw new ConfigError(`id (--id): is required\n\n${ENROLL_USAGE}`, 'id');
  return enrollAgent(c.region, c.id, c.out, c.jsDomain, date);
}
