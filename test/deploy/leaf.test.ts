import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { connect } from 'nats';
import { encodeResult, pb, resultId, type ProbeResult } from '../../proto/index.js';
import { agentInboxPrefix, loadNatsAccess, natsConnectOptions } from '../../proto/nats-options.js';
import { AgentProcess } from '../helpers/agent-process.js';
import { CollectorProcess } from '../helpers/collector-api-process.js';
import { addTarget, collectorAnswering, deployDir, enroll, hubConfig, leafConfig, NatsNode, usersFileWithInspector, writeTestPki } from '../helpers/nats-deploy.js';
import { freePort } from '../helpers/net.js';
import { RecordingServer } from '../helpers/recording-server.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { waitFor } from '../helpers/stream.js';

const TOKEN = 'deploy-leaf-test-token-0123456789';
const INSPECTOR = 'inspector-password-for-tests-only';

describe('deploy - a regional leaf node in front of the hub', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossprobe-deploy-leaf-'));
  const hubDir = join(dir, 'hub');
  const leafDir = join(dir, 'leaf');
  const keys = join(dir, 'keys');
  const db = join(dir, 'collector.db');
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  let hub: NatsNode;
  let leaf: NatsNode;
  let uplink: TcpProxy;
  let caFile = '';
  let api = '';
  let web: RecordingServer;

  const stored = (sql: string, ...args: unknown[]): unknown[] => {
    const check = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return check.prepare(sql).pluck().all(...args);
    } finally {
      check.close();
    }
  };
  const leafConnected = async (): Promise<boolean> => {
    const r = await fetch(`http://127.0.0.1:${hub.ports.http}/leafz`).then((x) => x.json() as Promise<{ leafnodes?: number }>, () => ({ leafnodes: 0 }));
    return (r.leafnodes ?? 0) > 0;
  };

  before(async () => {
    for (const d of [hubDir, leafDir, keys]) mkdirSync(d);
    ({ caFile } = await writeTestPki(hubDir));
    cpSync(join(hubDir, 'tls'), join(leafDir, 'tls'), { recursive: true });
    const hubPorts = { client: await freePort(), http: await freePort(), leaf: await freePort() };
    // the leaf reaches the hub's leafnodes port through a path the test can cut
    uplink = await TcpProxy.start({ host: '127.0.0.1', port: hubPorts.leaf });
    cleanups.push(() => uplink.close());

    // the hub knows the collector and the leaf's uplink; the leaf knows its region's agents
    const hubUsers = usersFileWithInspector(hubDir, INSPECTOR);
    await enroll(['--collector', '--out', keys, '--users-file', hubUsers]);
    await enroll(['--leaf', '--region', 'eu-west', '--hub', `127.0.0.1:${uplink.port}`, '--out', keys, '--users-file', hubUsers]);
    copyFileSync(join(keys, 'leaf-eu-west-uplink.conf'), join(leafDir, 'leaf-uplink.conf'));
    const leafUsers = join(leafDir, 'crossprobe-users.conf');
    copyFileSync(join(deployDir, 'nats', 'crossprobe-users.conf'), leafUsers);
    await enroll(['--region', 'eu-west', '--id', 'a', '--out', keys, '--users-file', leafUsers]);

    // the hub tells the leaf to reach it at the proxy, as a real hub advertises its public name
    hub = await NatsNode.start(hubDir, 'hub-1', hubConfig('hub', hubDir, 'hub-1', hubPorts, `127.0.0.1:${uplink.port}`), hubPorts);
    cleanups.push(() => hub.stop());
    const leafPorts = { client: await freePort(), http: await freePort() };
    leaf = await NatsNode.start(leafDir, 'leaf-eu-west', leafConfig(leafDir, leafPorts), leafPorts);
    cleanups.push(() => leaf.stop());
    await waitFor('the leaf node connected to the hub', leafConnected, 30_000);

    web = await RecordingServer.start('127.0.0.1');
    cleanups.push(() => web.close());
    const apiPort = await freePort();
    api = `http://127.0.0.1:${apiPort}`;
    const collector = CollectorProcess.start(['--nats', hub.url, '--nats-ca', caFile, '--nats-nkey', join(keys, 'collector.nkey'), '--db', db, '--listen', `127.0.0.1:${apiPort}`, '--api-token', TOKEN]);
    cleanups.push(() => collector.kill());
    await collectorAnswering(collector, api);
    // the agent learns its target from the hub's KV bucket, through the leaf (JetStream domain "hub")
    await addTarget(api, TOKEN, { id: 'web', url: web.url('/leaf'), interval: '200ms', timeout: '200ms' });
  });

  after(async () => {
    for (const c of cleanups.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaf - an agent on the leaf delivers to the collector on the hub; the uplink is cut and restored; nothing is lost', async () => {
    const a = AgentProcess.start(['--nats', leaf.url, '--nats-ca', caFile, '--nats-nkey', join(keys, 'eu-west-a.nkey'), '--region', 'eu-west', '--id', 'a', '--spool-dir', join(dir, 'spool-a'), '--heartbeat-interval', '500ms']);
    cleanups.push(() => a.kill());
    const count = () => stored('SELECT count(*) FROM results WHERE agent = ?', 'a')[0] as number;
    await waitFor('5 results stored through the leaf', () => count() >= 5, 30_000);
    const agents = (await (await fetch(`${api}/api/v1/agents`)).json()) as { agents: { agent: string; stale: boolean }[] };
    assert.ok(agents.agents.some((x) => x.agent === 'a' && !x.stale), 'its heartbeats cross the leaf');

    await uplink.cut();
    const cutAt = Date.now();
    await waitFor('the hub to lose the leaf', async () => !(await leafConnected()), 30_000);
    const probesAtCut = web.requests.length;
    await waitFor('12 probes during the cut', () => web.requests.length >= probesAtCut + 12, 30_000);
    assert.equal(stored('SELECT count(*) FROM results WHERE agent = ? AND started_at_ms > ?', 'a', cutAt + 100)[0], 0, 'nothing crosses a cut uplink');
    assert.ok(a.running);

    await uplink.restore();
    const restoredAt = Date.now();
    await waitFor('the leaf back on the hub', leafConnected, 30_000);
    await waitFor('results probed after the restore stored', () => (stored('SELECT count(*) FROM results WHERE agent = ? AND started_at_ms > ?', 'a', restoredAt)[0] as number) >= 5, 45_000);
    assert.equal(await a.stop(), 0, a.stderr);

    const probed = web.requests.filter((r) => r.url === '/leaf' && r.probeId).map((r) => r.probeId);
    await waitFor('every probe stored', () => {
      const have = new Set(stored('SELECT result_id FROM results WHERE agent = ?', 'a') as string[]);
      return probed.every((id) => have.has(id));
    }, 45_000);
    assert.equal(count(), probed.length, 'each exactly once');
    const duringCut = stored('SELECT count(*) FROM results WHERE agent = ? AND started_at_ms BETWEEN ? AND ?', 'a', cutAt + 100, restoredAt)[0] as number;
    assert.ok(duringCut >= 8, `${duringCut} results probed during the cut arrived after it`);
    assert.ok(a.logs.some((l) => l.msg === 'publish not acked; spooling results until JetStream answers again'), 'it spooled during the cut');
    for (const n of [hub, leaf]) assert.doesNotMatch(n.log, /Violation/, `${n.name}: no permission refused`);
    process.stdout.write(`# leaf: ${probed.length} probes, ${count()} stored, ${duringCut} probed while the uplink was cut\n`);
  });

  it('leaf - the leaf enforces who is who: agent A publishing as agent B of its region is refused there', async () => {
    const access = loadNatsAccess({ natsCa: caFile, natsNkey: join(keys, 'eu-west-a.nkey') }, [leaf.url]);
    const asA = await connect({ ...natsConnectOptions([leaf.url], access), inboxPrefix: agentInboxPrefix('eu-west', 'a') });
    try {
      const id = resultId();
      const forged = pb.ProbeResult.create({ resultId: id, target: 'web', region: 'eu-west', agent: 'b', url: 'http://x/', method: 'GET', startedAtMs: Date.now(), ok: true }) as ProbeResult;
      await assert.rejects(asA.jetstream().publish('crossprobe.results.eu-west.b', encodeResult(forged), { msgID: id, timeout: 5_000 }), {
        code: 'PERMISSIONS_VIOLATION',
        message: `'Permissions Violation for Publish to "crossprobe.results.eu-west.b"'`,
      });
      assert.equal(stored('SELECT count(*) FROM results WHERE agent = ?', 'b')[0], 0);
    } finally {
      await asA.close();
    }
  });
});
