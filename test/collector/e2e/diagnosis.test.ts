import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import Database from 'better-sqlite3';
import { startDnsServer, type DnsServer } from '../../../lab/dns.js';
import type { Diagnosis } from '../../../collector/diagnosis/index.js';
import { NatsServer } from '../../helpers/nats-server.js';
import { RecordingServer } from '../../helpers/recording-server.js';
import { AgentProcess } from '../../helpers/agent-process.js';
import { freePort } from '../../helpers/net.js';
import { CollectorProcess, runCli } from '../../helpers/collector-api-process.js';
import { waitFor } from '../../helpers/wait.js';

// The whole pipeline, as an operator runs it: nats-server, `crossprobe collector`, two `crossprobe
// agent`s as two regions (each on its own source address), a DNS server answering one name with 3
// IPs, and an HTTP server on each IP. Targets go in with `crossprobe targets add`; the verdict comes
// out of GET /api/v1/targets/:id/diagnosis and `crossprobe diagnose`.

const TOKEN = 'e2e-api-token-0123456789abcdef';
const IPS = ['127.0.0.31', '127.0.0.32', '127.0.0.33'] as const;
const BAD_NODE = '127.0.0.32';
const INTERVAL_MS = 500;
/** Rounds of probes a verdict may take at most before the test fails (the windows are 20 s and 60 s). */
const MAX_ROUNDS = 60;

/** /lb: only BAD_NODE answers 502 (a broken load-balancer node); /origin: every node does (the app is down). */
function respond(ip: string) {
  return (req: IncomingMessage): { status: number; body: string } => {
    if (req.url === '/origin' || (req.url === '/lb' && ip === BAD_NODE)) return { status: 502, body: '<html><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></html>' };
    return { status: 200, body: 'ok' };
  };
}

describe('end to end: agents in two regions → NATS → collector → diagnosis', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossprobe-e2e-'));
  const db = join(dir, 'collector.db');
  let nats: NatsServer | null = null;
  let dns: DnsServer | null = null;
  const webs: RecordingServer[] = [];
  const agents: AgentProcess[] = [];
  let collector: CollectorProcess | null = null;
  let api = '';
  let port = 0;
  // a webhook receiver: every alert the collector POSTs, parsed
  const alerts: { type: string; target: string; verdict: string; sentence: string }[] = [];
  let hook: Server | null = null;

  before(async () => {
    nats = await NatsServer.start();
    const first = await RecordingServer.start(IPS[0], respond(IPS[0]));
    webs.push(first);
    for (const ip of IPS.slice(1)) webs.push(await RecordingServer.start(ip, respond(ip), first.port));
    port = first.port;
    dns = await startDnsServer({ records: { 'shop.test': { A: [...IPS] } } });

    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const a = JSON.parse(body) as { type: string; incident: { target: string; verdict: string }; summary: string };
        alerts.push({ type: a.type, target: a.incident.target, verdict: a.incident.verdict, sentence: a.summary });
        res.end();
      });
    });
    const hookPort = await freePort();
    await new Promise<void>((resolve) => hook!.listen(hookPort, '127.0.0.1', resolve));
    const listen = await freePort();
    api = `http://127.0.0.1:${listen}`;
    collector = CollectorProcess.start([
      '--nats', nats.url, '--db', db, '--listen', `127.0.0.1:${listen}`,
      '--short-window', '20s', '--long-window', '60s', '--heartbeat-interval', '500ms',
      '--incident-interval', '1s', '--confirm-evaluations', '2', '--webhook', `http://127.0.0.1:${hookPort}/alerts`,
    ], { CROSSPROBE_API_TOKEN: TOKEN });
    await waitUntil('the collector answers /healthz', async () => (await fetchStatus(`${api}/healthz`)) === 200, 30_000, () => collector?.stderr ?? '');

    for (const [region, id, source] of [['eu-west', 'a1', '127.0.1.1'], ['us-east', 'a2', '127.0.1.2']] as const) {
      agents.push(
        AgentProcess.start([
          '--nats', nats.url, '--region', region, '--id', id, '--source-address', source, '--dns-server', dns.address,
          '--spool-dir', join(dir, `spool-${id}`), '--heartbeat-interval', '500ms', '--no-ipv6',
        ]),
      );
    }
    await waitUntil('both agents heartbeat to the collector', async () => {
      const body = await getJson<{ agents: { agent: string; stale: boolean }[] }>('/api/v1/agents');
      return body.agents.filter((a) => !a.stale).length === 2;
    }, 30_000, () => agents.map((a) => a.stderr).join('\n'));
  });

  after(async () => {
    await Promise.all(agents.map((a) => a.stop(5_000)));
    await collector?.kill();
    for (const w of webs) await w.close();
    await dns?.close();
    hook?.closeAllConnections();
    await new Promise<void>((resolve) => (hook ? hook.close(() => resolve()) : resolve()));
    await nats?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  async function getJson<T>(path: string): Promise<T> {
    const res = await fetch(`${api}${path}`);
    const text = await res.text();
    assert.equal(res.status, 200, `${path}: ${text}`);
    return JSON.parse(text) as T;
  }

  /** Distinct probe rounds of `target` the collector has stored. */
  async function roundsStored(target: string): Promise<number> {
    const page = await getJson<{ results: { roundAtMs: number }[] }>(`/api/v1/results?target=${target}&limit=10000`);
    return new Set(page.results.map((r) => r.roundAtMs)).size;
  }

  /**
   * Adds a target with `crossprobe targets add`, then polls its diagnosis once per round until the
   * verdict is `expected`; on the way only healthy (too little evidence yet) or inconclusive may show.
   */
  async function diagnoseUntil(t: TestContext, id: string, path: string, expected: Diagnosis['verdict']): Promise<{ diagnosis: Diagnosis; rounds: number }> {
    const add = await runCli(['targets', 'add', '--api', api, '--token', TOKEN, '--id', id, '--url', `http://shop.test:${port}${path}`, '--interval', `${INTERVAL_MS}ms`, '--timeout', '400ms']);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, new RegExp(`^added target ${id}: GET http://shop\\.test:${port}${path} every 500ms`));
    const verdicts: string[] = [];
    for (;;) {
      const diagnosis = await getJson<Diagnosis>(`/api/v1/targets/${id}/diagnosis`);
      const rounds = await roundsStored(id);
      if (verdicts.at(-1) !== diagnosis.verdict) verdicts.push(diagnosis.verdict);
      assert.ok(
        ['healthy', 'inconclusive', expected].includes(diagnosis.verdict),
        `${id}: wrong verdict ${diagnosis.verdict} after ${rounds} rounds: ${JSON.stringify(diagnosis.findings.map((f) => f.summary))}`,
      );
      if (diagnosis.verdict === expected) {
        t.diagnostic(`${id}: verdict ${expected} after ${rounds} round${rounds === 1 ? '' : 's'} of ${INTERVAL_MS} ms (verdicts seen: ${verdicts.join(' → ')})`);
        return { diagnosis, rounds };
      }
      assert.ok(rounds <= MAX_ROUNDS, `${id}: no verdict after ${rounds} rounds (verdicts seen: ${verdicts.join(' → ')}); last: ${JSON.stringify(diagnosis).slice(0, 600)}`);
      await sleep(INTERVAL_MS);
    }
  }

  it('e2e - one node of three answering 502 to both regions is diagnosed lb-node with that IP as suspect', async (t) => {
    const { diagnosis, rounds } = await diagnoseUntil(t, 'lb', '/lb', 'lb-node');
    const finding = diagnosis.findings[0]!;
    assert.deepEqual(finding.suspects, [{ dimension: 'ip', value: BAD_NODE }]);
    assert.ok(rounds <= MAX_ROUNDS, `lb-node took ${rounds} rounds`);
    assert.equal(finding.verdict, 'lb-node');
    const grid = finding.verdict === 'lb-node' ? finding.evidence.grid : null;
    assert.deepEqual(grid?.rows, ['eu-west', 'us-east'], 'both regions are rows of the grid');
    assert.deepEqual(grid?.columns, [...IPS]);
    // every region probed every IP from its own source address
    for (const w of webs) {
      const sources = new Set(w.requests.map((r) => r.remoteAddress));
      assert.ok(sources.has('127.0.1.1') && sources.has('127.0.1.2'), `${w.host} probed from both regions (${[...sources].join(', ')})`);
    }

    const human = await runCli(['diagnose', '--api', api, '--target', 'lb', '--window', '60s']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^lb: lb-node {3}\(window /);
    assert.match(human.stdout, /suspects: ip 127\.0\.0\.32/);
    assert.match(human.stdout, /confidence 0\.\d\d|confidence 1\.00/);
    assert.match(human.stdout, /grid by ip, failures\/probes .*\n\s+127\.0\.0\.31\s+127\.0\.0\.32\s+127\.0\.0\.33\n/);
    assert.match(human.stdout, /eu-west\s+0\/\d+\s+(\d+)\/\1\s+0\/\d+/, 'eu-west: only .32 fails, every probe of it');
    const json = await runCli(['diagnose', '--api', api, '--target', 'lb', '--json']);
    assert.equal(json.code, 0, json.stderr);
    assert.equal((JSON.parse(json.stdout) as Diagnosis).verdict, 'lb-node');

    // the confirmed verdict opened an incident, and the webhook heard of it
    await waitUntil('an open lb-node incident for lb', async () => {
      const { incidents } = await getJson<{ incidents: { target: string; verdict: string; state: string }[] }>('/api/v1/incidents?target=lb&state=open');
      return incidents.some((i) => i.verdict === 'lb-node');
    }, 45_000, () => JSON.stringify(alerts));
    await waitUntil('the webhook got the opened alert', async () => alerts.some((a) => a.type === 'opened' && a.target === 'lb' && a.verdict === 'lb-node'), 45_000, () => JSON.stringify(alerts));
    assert.match(alerts.find((a) => a.target === 'lb')!.sentence, /^\[OPENED\] lb: /);
  });

  it('e2e - every node answering 502 to both regions is diagnosed origin', async (t) => {
    const { diagnosis, rounds } = await diagnoseUntil(t, 'origin', '/origin', 'origin');
    assert.equal(diagnosis.findings[0]?.verdict, 'origin');
    assert.ok(rounds <= MAX_ROUNDS, `origin took ${rounds} rounds`);
    // the lb target is still running next to it, and still what it was
    const lb = await getJson<Diagnosis>('/api/v1/targets/lb/diagnosis');
    assert.equal(lb.verdict, 'lb-node');
  });

  it('e2e - SIGTERM stops the collector cleanly: exit 0, every stored result kept, the database closed', async () => {
    const codes = await Promise.all(agents.map((a) => a.stop()));
    assert.deepEqual(codes, [0, 0], agents.map((a) => a.stderr).join('\n'));
    const stored = (await getJson<{ results: unknown[] }>('/api/v1/results?limit=10000')).results.length;
    assert.ok(collector);
    assert.equal(await collector.stop(), 0, collector.stderr);
    assert.ok(collector.hasLog('collector stopped'), 'it logged its clean stop');
    // the last connection's close checkpoints the WAL into the database file and removes it
    assert.ok(!existsSync(`${db}-wal`) || statSync(`${db}-wal`).size === 0, 'no WAL left behind');
    const check = new Database(db, { readonly: true, fileMustExist: true });
    try {
      assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
      assert.ok((check.prepare('SELECT COUNT(*) FROM results').pluck().get() as number) >= stored);
    } finally {
      check.close();
    }
  });
});

async function fetchStatus(url: string): Promise<number> {
  try {
    return (await fetch(url)).status;
  } catch {
    return 0;
  }
}

/** Polls `fn` until true; an error (the collector still starting) means not yet. */
async function waitUntil(what: string, fn: () => Promise<boolean>, timeoutMs: number, detail: () => string): Promise<void> {
  await waitFor(what, fn, { timeoutMs, intervalMs: 200, detail, retryErrors: true });
}
