import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab, type Lab } from '../lab/index.js';
import { AlertReceiver } from './alerts.js';
import { binPath } from './paths.js';
import { findNatsServer, freePort, startChild, stopChild, until, type Child } from './processes.js';

export interface FleetOptions {
  /** Region names; agent i of region r binds 127.0.1.(i+1). */
  readonly regions: readonly string[];
  /** Probe interval of the demo target. */
  readonly intervalMs: number;
  /** The collector's diagnosis windows. */
  readonly shortWindowMs: number;
  readonly longWindowMs: number;
  /** How often the collector diagnoses for incidents, and how long a target stays healthy before its incident resolves. */
  readonly incidentIntervalMs: number;
  readonly resolveAfterMs: number;
  readonly say: (line: string) => void;
}

/** Everything `crossprobe dev` runs: nats-server, a collector, one agent per region, and the lab. */
export interface Fleet {
  readonly api: string;
  readonly lab: Lab;
  readonly target: string;
  readonly regions: readonly { name: string; source: string }[];
  readonly dir: string;
  /** Where the collector's alerts (its `--webhook`) arrive. */
  readonly alerts: AlertReceiver;
  /** GET an API path, parsed JSON. */
  get<T>(path: string): Promise<T>;
  /** Stops every process it started (by pid) and the lab; removes its temp dir. */
  stop(): Promise<void>;
}

/**
 * Starts the demo fleet. Anything that fails to start stops what was already started before the
 * error is thrown, so a failed start leaves nothing running.
 */
export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  const dir = mkdtempSync(join(tmpdir(), 'crossprobe-dev-'));
  const children: Child[] = [];
  let lab: Lab | null = null;
  let alerts: AlertReceiver | null = null;
  const stop = async () => {
    await Promise.all(children.reverse().map((c) => stopChild(c)));
    await lab?.close();
    await alerts?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const nats = findNatsServer();
    if (!nats) throw new Error('nats-server is not installed: run `sudo apt-get install nats-server` (npm run dev does it when run as root)');
    const natsPort = await freePort();
    const natsUrl = `nats://127.0.0.1:${natsPort}`;
    const natsChild = startChild('nats-server', nats, ['-a', '127.0.0.1', '-p', String(natsPort), '-js', '-sd', join(dir, 'nats')]);
    children.push(natsChild);
    opts.say(`nats-server      ${natsUrl} (pid ${natsChild.proc.pid})`);

    const regions = opts.regions.map((name, i) => ({ name, source: `127.0.1.${i + 1}` }));
    lab = await startLab({ name: 'shop.lab', nodes: 3, regions: Object.fromEntries(regions.map((r) => [r.name, r.source])), seed: 42 });
    opts.say(`lab              ${lab.url}: DNS ${lab.dnsAddress} answers ${lab.nodes.map((n) => `${n.name}=${n.ip}`).join(', ')}`);

    alerts = await AlertReceiver.start();
    const apiPort = await freePort();
    const api = `http://127.0.0.1:${apiPort}`;
    const collector = startChild('collector', binPath, [
      // the lab lives on 127.0.0.x, which collectors and agents refuse to probe by default (README)
      'collector', '--nats', natsUrl, '--db', join(dir, 'collector.db'), '--listen', `127.0.0.1:${apiPort}`, '--allow-private-targets',
      '--short-window', `${opts.shortWindowMs}ms`, '--long-window', `${opts.longWindowMs}ms`, '--log-level', 'warn',
      '--incident-interval', `${opts.incidentIntervalMs}ms`, '--resolve-after', `${opts.resolveAfterMs}ms`, '--webhook', alerts.url,
      // a local demo on loopback: anyone on this machine may add targets (a real collector has --api-token)
      '--insecure-open-api',
    ]);
    children.push(collector);
    await until('the collector API', async () => {
      if (collector.proc.exitCode !== null) throw new Error(`the collector exited: ${collector.tail()}`);
      return fetch(`${api}/healthz`).then((r) => r.ok, () => false);
    }, 30_000);
    opts.say(`collector        ${api} (pid ${collector.proc.pid}), database ${join(dir, 'collector.db')}`);
    opts.say(`alerts           ${alerts.url} (the collector's --webhook: incidents opening, changing, resolving; agents gone silent)`);

    const target = 'shop';
    const res = await fetch(`${api}/api/v1/targets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: target, url: lab.url, interval: `${opts.intervalMs}ms`, timeout: `${Math.min(opts.intervalMs, 2_000)}ms`, expect: { bodyContains: 'ok' }, identity: [{ header: 'x-served-by' }] }),
    });
    if (!res.ok) throw new Error(`could not add the demo target: ${res.status} ${await res.text()}`);

    for (const r of regions) {
      const agent = startChild(`agent ${r.name}`, binPath, [
        'agent', '--nats', natsUrl, '--region', r.name, '--id', `${r.name}-1`, '--source-address', r.source,
        '--dns-server', lab.dnsAddress, '--spool-dir', join(dir, `spool-${r.name}`), '--control', `${api}/healthz`,
        '--heartbeat-interval', '2s', '--log-level', 'warn', '--allow-private-targets',
      ]);
      children.push(agent);
      opts.say(`agent            region ${r.name.padEnd(10)} from ${r.source} (pid ${agent.proc.pid})`);
    }
    const fleet: Fleet = {
      api,
      lab,
      target,
      regions,
      dir,
      alerts,
      get: async <T>(path: string) => {
        const r = await fetch(`${api}${path}`);
        if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
        return (await r.json()) as T;
      },
      stop,
    };
    return fleet;
  } catch (err) {
    await stop();
    throw err;
  }
}
