import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { issueCert, makeCa } from '../../lab/certs.js';
import { findNatsServer } from '../../dev/processes.js';
import { addToUsersFile } from '../../cli/enroll.js';
import { loadNatsAccess, natsConnectOptions } from '../../proto/nats-options.js';
import { runCli, type CliRun, type CollectorProcess } from './collector-api-process.js';
import { waitFor } from './stream.js';
import { stopChild, untilReady } from './nats-server.js';
import { repoRoot } from './paths.js';

/** The deploy/ folder operators copy from. */
export const deployDir = join(repoRoot, 'deploy');

/** The nats-server binary; throws with the apt line when it is missing. */
export function natsServerBin(): string {
  const bin = findNatsServer();
  if (!bin) throw new Error('nats-server is not installed (apt-get install nats-server)');
  return bin;
}

/**
 * Replaces every occurrence of each `from` in `text`, and throws when one does not occur: a shipped
 * file that changed shape fails the test that adapts it, instead of being tested half-adapted.
 */
export function adapt(text: string, edits: readonly (readonly [string, string])[], what: string): string {
  let out = text;
  for (const [from, to] of edits) {
    if (!out.includes(from)) throw new Error(`${what}: expected to find ${JSON.stringify(from)}`);
    out = out.split(from).join(to);
  }
  return out;
}

/**
 * A test PKI under `dir/tls`: ca.pem, and server.pem/server-key.pem for 127.0.0.1 only (server and
 * client auth), as an operator without DNS names would make it.
 */
export async function writeTestPki(dir: string): Promise<{ caFile: string; caPem: string }> {
  const tls = join(dir, 'tls');
  mkdirSync(tls, { recursive: true });
  const ca = await makeCa({ commonName: 'crossprobe deploy test CA' });
  const cert = await issueCert(ca, { hosts: ['127.0.0.1'], clientAuth: true });
  writeFileSync(join(tls, 'ca.pem'), ca.cert);
  writeFileSync(join(tls, 'server.pem'), cert.cert);
  writeFileSync(join(tls, 'server-key.pem'), cert.key, { mode: 0o600 });
  return { caFile: join(tls, 'ca.pem'), caPem: ca.cert };
}

/** `crossprobe enroll ...args`, run as an operator runs it. */
export async function enroll(args: string[]): Promise<CliRun> {
  const run = await runCli(['enroll', ...args]);
  if (run.code !== 0) throw new Error(`crossprobe enroll ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return run;
}

/** Copies deploy/nats/crossprobe-users.conf into `dir` and adds a test-only user without permission limits, for inspection. */
export function usersFileWithInspector(dir: string, password: string): string {
  const file = join(dir, 'crossprobe-users.conf');
  copyFileSync(join(deployDir, 'nats', 'crossprobe-users.conf'), file);
  addToUsersFile(file, { tag: 'test inspector', entry: `    # test inspector (tests only: no permission limits)\n    { user: inspector, password: ${JSON.stringify(password)} }\n` });
  return file;
}

/** A connection as the inspector user (see usersFileWithInspector). */
export function connectInspector(urls: string | string[], caFile: string, password: string): Promise<NatsConnection> {
  const servers = typeof urls === 'string' ? [urls] : urls;
  const access = loadNatsAccess({ natsCa: caFile }, servers);
  return connect({ ...natsConnectOptions(servers, access), user: 'inspector', pass: password, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
}

/** Ports of one server on loopback. */
export interface NodePorts {
  readonly client: number;
  readonly http: number;
  readonly leaf?: number;
  readonly cluster?: number;
}

/**
 * deploy/nats/hub.conf or hub-cluster.conf as shipped, moved to loopback ports and to `dir` (TLS
 * files, users file, JetStream store, and for a cluster the hub-routes.conf of writeRoutesFile):
 * nothing else of it changes. `leafAdvertise`: the address leaf nodes are told to reach it at
 * (default its leafnodes port).
 */
export function hubConfig(kind: 'hub' | 'hub-cluster', dir: string, name: string, ports: NodePorts, leafAdvertise = `127.0.0.1:${ports.leaf}`): string {
  const text = readFileSync(join(deployDir, 'nats', `${kind}.conf`), 'utf8');
  const edits: [string, string][] = [
    ['server_name: hub-1', `server_name: ${name}`],
    ['/etc/nats/', `${dir}/`],
    ['"/var/lib/nats"', JSON.stringify(join(dir, `store-${name}`))],
    ['listen: 0.0.0.0:4222', `listen: 127.0.0.1:${ports.client}`],
    ['http: 127.0.0.1:8222', `http: 127.0.0.1:${ports.http}`],
    ['listen: 0.0.0.0:7422', `listen: 127.0.0.1:${ports.leaf}`],
    ['advertise: "hub-1.example.net:7422"', `advertise: "${leafAdvertise}"`],
  ];
  if (kind === 'hub-cluster') edits.push(['listen: 0.0.0.0:6222', `listen: 127.0.0.1:${ports.cluster}`]);
  return adapt(text, edits, `deploy/nats/${kind}.conf`);
}

/**
 * `dir/hub-routes.conf`, the route secret and route URLs hub-cluster.conf includes, as
 * `crossprobe enroll --cluster` writes it for nodes on loopback `clusterPorts`.
 */
export async function writeRoutesFile(dir: string, clusterPorts: readonly number[]): Promise<string> {
  const out = mkdtempSync(join(dir, 'routes-'));
  await enroll(['--cluster', '--hub', clusterPorts.map((p) => `127.0.0.1:${p}`).join(','), '--out', out]);
  const file = join(dir, 'hub-routes.conf');
  copyFileSync(join(out, 'hub-routes.conf'), file);
  return file;
}

/** deploy/nats/leaf.conf as shipped, moved to loopback and to `dir` (which holds its users file and leaf-uplink.conf). */
export function leafConfig(dir: string, ports: NodePorts): string {
  const text = readFileSync(join(deployDir, 'nats', 'leaf.conf'), 'utf8');
  return adapt(
    text,
    [
      ['/etc/nats/', `${dir}/`],
      ['listen: 0.0.0.0:4222', `listen: 127.0.0.1:${ports.client}`],
      ['http: 127.0.0.1:8222', `http: 127.0.0.1:${ports.http}`],
    ],
    'deploy/nats/leaf.conf',
  );
}

/** A nats-server run from a config file; `stop`/`kill` by pid, `start` again keeps its store (a restart). */
export class NatsNode {
  private proc: ChildProcess | null = null;
  private logText = '';
  private constructor(readonly name: string, readonly configFile: string, readonly ports: NodePorts) {}

  /** Writes `config` to `dir/<name>.conf` and starts nats-server on it. */
  static async start(dir: string, name: string, config: string, ports: NodePorts): Promise<NatsNode> {
    const file = join(dir, `${name}.conf`);
    writeFileSync(file, config);
    const node = new NatsNode(name, file, ports);
    await node.start();
    return node;
  }

  get url(): string {
    return `tls://127.0.0.1:${this.ports.client}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** The server's log so far (the last 64 KiB). */
  get log(): string {
    return this.logText;
  }

  async start(): Promise<void> {
    if (this.proc) return;
    const proc = spawn(natsServerBin(), ['-c', this.configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = proc;
    const seen = this.logText.length;
    proc.stderr!.on('data', (d: Buffer) => (this.logText = (this.logText + d.toString()).slice(-65_536)));
    await untilReady(proc, () => this.logText.slice(seen), this.name, 15_000);
  }

  /** Stops it (SIGTERM, or `signal`; SIGKILL after 5 s) and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const proc = this.proc;
    this.proc = null;
    if (proc) await stopChild(proc, signal);
  }

  /** Re-reads the config file (`nats-server --signal reload`). */
  reload(): void {
    this.proc?.kill('SIGHUP');
  }

  /** Names of the client connections it holds now (its /connz monitoring endpoint). */
  async connectionNames(): Promise<string[]> {
    const r = await fetch(`http://127.0.0.1:${this.ports.http}/connz`);
    const body = (await r.json()) as { connections?: { name?: string }[] };
    return (body.connections ?? []).map((c) => c.name ?? '');
  }
}

/** Waits until a collector process answers /healthz at `api`; fails at once, with its stderr, when it exits. */
export async function collectorAnswering(collector: CollectorProcess, api: string): Promise<void> {
  await waitFor('the collector API', async () => {
    if (!collector.running) throw new Error(`the collector exited:\n${collector.stderr}`);
    return fetch(`${api}/healthz`).then((r) => r.ok, () => false);
  }, 30_000);
}

/** Adds a target through the collector's API: the KV bucket carries it to the agents. */
export async function addTarget(api: string, token: string, target: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${api}/api/v1/targets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(target),
  });
  if (res.status !== 201) throw new Error(`adding target ${String(target.id)}: ${res.status} ${await res.text()}`);
}
