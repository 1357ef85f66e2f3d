import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab, type Lab, type LabSpec } from '../../lab/index.js';
import { binPath } from '../../dev/paths.js';
import { findNatsServer, freePort, startChild, stopChild, until, type Child } from '../../dev/processes.js';

/** The fleet collector's API token (`send` presents it): the fleet runs as an operator runs one. */
export const E2E_API_TOKEN = 'e2e-fleet-api-token-0123456789abcdef';

/** One `crossprobe agent` of the fleet. */
export interface E2eAgentSpec {
  readonly region: string;
  readonly id: string;
  /** The local address it binds (127.0.1.x): how the lab tells it apart. */
  readonly source: string;
  /** Control URLs; default: the collector's /healthz. */
  readonly controls?: readonly string[];
  readonly extraArgs?: readonly string[];
}

/** What to start: the lab, the collector's flags beyond the wiring, the agents started at once. */
export interface E2eFleetOptions {
  readonly lab: LabSpec;
  /** Flags for `crossprobe collector` besides --nats, --db, --listen, --api-token. */
  readonly collectorArgs: readonly string[];
  readonly agents: readonly E2eAgentSpec[];
}

/** A running agent; `stop` stops it by pid (SIGTERM, then SIGKILL). */
export interface E2eAgent {
  readonly spec: E2eAgentSpec;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** nats-server, a collector, agents and the lab, on loopback; every process stopped by `stop`. */
export interface E2eFleet {
  readonly api: string;
  readonly lab: Lab;
  readonly dir: string;
  /** Starts one more agent (stopped by `stop` too) once the collector lists it as fresh. */
  startAgent(spec: E2eAgentSpec): Promise<E2eAgent>;
  get<T>(path: string): Promise<T>;
  /** POST/PUT/DELETE with a JSON body; throws unless the status is 2xx. */
  send<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** The last lines each process wrote to stderr, for failure messages. */
  tails(): string;
  stop(): Promise<void>;
}

/**
 * Starts the fleet. Anything that fails to start stops what was already started before the error
 * is thrown, so a failed start leaves nothing running.
 */
export async function startE2eFleet(opts: E2eFleetOptions): Promise<E2eFleet> {
  const dir = mkdtempSync(join(tmpdir(), 'crossprobe-e2e-fleet-'));
  const children: Child[] = [];
  let lab: Lab | null = null;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // agents first (they publish to NATS), then the collector, then nats-server
    await Promise.all([...children].reverse().filter((c) => c.name.startsWith('agent')).map((c) => stopChild(c, 5_000)));
    for (const c of [...children].reverse().filter((c) => !c.name.startsWith('agent'))) await stopChild(c, 5_000);
    await lab?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const tails = (): string => children.map((c) => `--- ${c.name} (pid ${c.proc.pid}):\n${c.tail()}`).join('\n');
  try {
    const nats = findNatsServer();
    if (!nats) throw new Error('nats-server is not installed (apt-get install nats-server)');
    const natsPort = await freePort();
    const natsUrl = `nats://127.0.0.1:${natsPort}`;
    children.push(startChild('nats-server', nats, ['-a', '127.0.0.1', '-p', String(natsPort), '-js', '-sd', join(dir, 'nats')]));

    const started = await startLab(opts.lab);
    lab = started;
    const caFile = join(dir, 'lab-ca.pem');
    if (started.caPem !== null) writeFileSync(caFile, started.caPem);

    const apiPort = await freePort();
    const api = `http://127.0.0.1:${apiPort}`;
    // its log (JSON lines on stdout): the last ones go into the failure of a request it answered 5xx
    const collectorLog: string[] = [];
    const collector = startChild('collector', binPath, [
      // the lab is on 127.0.0.x: private targets allowed (the collector's check is on URL literals)
      'collector', '--nats', natsUrl, '--db', join(dir, 'collector.db'), '--listen', `127.0.0.1:${apiPort}`, '--api-token', E2E_API_TOKEN, '--allow-private-targets', ...opts.collectorArgs,
    ], (line) => {
      collectorLog.push(line);
      if (collectorLog.length > 20) collectorLog.shift();
    });
    children.push(collector);
    await until('the collector API', async () => {
      if (collector.proc.exitCode !== null) throw new Error(`the collector exited: ${collector.tail()}`);
      return fetch(`${api}/healthz`).then((r) => r.ok, () => false);
    }, 30_000);

    // a 5xx says "see the collector log": put it in the failure
    const serverSide = (status: number): string => (status >= 500 ? `\n--- the collector's log, last lines:\n${collectorLog.slice(-5).join('\n')}\n${tails()}` : '');
    const get = async <T>(path: string): Promise<T> => {
      const r = await fetch(`${api}${path}`);
      const text = await r.text();
      if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${text}${serverSide(r.status)}`);
      return JSON.parse(text) as T;
    };
    const send = async <T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> => {
      const r = await fetch(`${api}${path}`, {
        method,
        headers: { authorization: `Bearer ${E2E_API_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await r.text();
      if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}${serverSide(r.status)}`);
      return (text ? JSON.parse(text) : null) as T;
    };

    const startAgent = async (spec: E2eAgentSpec): Promise<E2eAgent> => {
      const child = startChild(`agent ${spec.region}/${spec.id}`, binPath, [
        'agent', '--nats', natsUrl, '--region', spec.region, '--id', spec.id, '--source-address', spec.source,
        '--dns-server', started.dnsAddress, '--spool-dir', join(dir, `spool-${spec.id}`), '--no-ipv6', '--allow-private-targets',
        ...(started.caPem !== null ? ['--ca-file', caFile] : []),
        ...(spec.controls ?? [`${api}/healthz`]).flatMap((c) => ['--control', c]),
        ...(spec.extraArgs ?? []),
      ]);
      children.push(child);
      await until(`agent ${spec.region}/${spec.id} heartbeats to the collector`, async () => {
        if (child.proc.exitCode !== null) throw new Error(`agent ${spec.id} exited: ${child.tail()}`);
        const body = await get<{ agents: { agent: string; region: string; stale: boolean }[] }>('/api/v1/agents').catch(() => ({ agents: [] }));
        return body.agents.some((a) => a.agent === spec.id && a.region === spec.region && !a.stale);
      }, 30_000);
      return { spec, pid: child.proc.pid, stop: () => stopChild(child, 5_000) };
    };
    await Promise.all(opts.agents.map((a) => startAgent(a)));
    return { api, lab: started, dir, startAgent, get, send, tails, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
