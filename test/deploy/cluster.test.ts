import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { NatsConnection } from 'nats';
import { RESULTS_STREAM, TARGETS_BUCKET } from '../../proto/index.js';
import { AgentProcess } from '../helpers/agent-process.js';
import { CollectorProcess } from '../helpers/collector-api-process.js';
import { addTarget, collectorAnswering, connectInspector, enroll, hubConfig, NatsNode, usersFileWithInspector, writeRoutesFile, writeTestPki, type NodePorts } from '../helpers/nats-deploy.js';
import { freePort } from '../helpers/net.js';
import { RecordingServer } from '../helpers/recording-server.js';
import { waitFor } from '../helpers/stream.js';

const TOKEN = 'deploy-cluster-test-token-0123456789';
const INSPECTOR = 'inspector-password-for-tests-only';
const AGENT = 'crossprobe-agent eu-west/a';

describe('deploy - a 3-node hub cluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossprobe-deploy-cluster-'));
  const keys = join(dir, 'keys');
  const db = join(dir, 'collector.db');
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const nodes: NatsNode[] = [];
  let caFile = '';
  let urls = '';
  let api = '';
  let collector: CollectorProcess;
  let inspector: NatsConnection;
  let web: RecordingServer;

  const stored = (sql: string, ...args: unknown[]): unknown[] => {
    const check = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return check.prepare(sql).pluck().all(...args);
    } finally {
      check.close();
    }
  };

  before(async () => {
    mkdirSync(keys);
    ({ caFile } = await writeTestPki(dir));
    const users = usersFileWithInspector(dir, INSPECTOR);
    await enroll(['--collector', '--out', keys, '--users-file', users]);
    await enroll(['--region', 'eu-west', '--id', 'a', '--out', keys, '--users-file', users]);

    const ports: NodePorts[] = [];
    for (let i = 0; i < 3; i++) ports.push({ client: await freePort(), http: await freePort(), leaf: await freePort(), cluster: await freePort() });
    // the same shipped file on every node, each with its own server_name, and the same routes file
    await writeRoutesFile(dir, ports.map((p) => p.cluster!));
    const started = await Promise.all(ports.map((p, i) => NatsNode.start(dir, `hub-${i + 1}`, hubConfig('hub-cluster', dir, `hub-${i + 1}`, p), p)));
    nodes.push(...started);
    cleanups.push(() => Promise.all(nodes.map((n) => n.stop())));
    urls = nodes.map((n) => n.url).join(',');
    inspector = await connectInspector(nodes.map((n) => n.url), caFile, INSPECTOR);
    cleanups.push(() => inspector.close());
    await waitFor('a JetStream meta leader', async () => (await inspector.jetstreamManager().then(() => true, () => false)), 30_000);


    web = await RecordingServer.start('127.0.0.1');
    cleanups.push(() => web.close());
    const apiPort = await freePort();
    api = `http://127.0.0.1:${apiPort}`;
    // --stream-replicas 3: the collector creates the results stream and the targets bucket on all three nodes
    collector = CollectorProcess.start(['--nats', urls, '--nats-ca', caFile, '--nats-nkey', join(keys, 'collector.nkey'), '--stream-replicas', '3', '--db', db, '--listen', `127.0.0.1:${apiPort}`, '--api-token', TOKEN]);
    cleanups.push(() => collector.kill());
    await collectorAnswering(collector, api);
    await addTarget(api, TOKEN, { id: 'web', url: web.url('/cluster'), interval: '200ms', timeout: '200ms' });
  });

  after(async () => {
    for (const c of cleanups.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('cluster - an agent keeps delivering while the node it is connected to is killed and restarted; no result is lost', async () => {
    const jsm = await inspector.jetstreamManager();
    // just created by the collector: its leader may not be elected yet
    const info = await waitFor('the results stream with a leader and two replicas', async () => {
      const i = await jsm.streams.info(RESULTS_STREAM);
      return i.cluster?.leader && i.cluster.replicas?.length === 2 ? i : null;
    }, 30_000);
    assert.equal(info.config.num_replicas, 3);
    assert.equal((await jsm.streams.info(`KV_${TARGETS_BUCKET}`)).config.num_replicas, 3, 'the targets bucket too');

    const a = AgentProcess.start(['--nats', urls, '--nats-ca', caFile, '--nats-nkey', join(keys, 'eu-west-a.nkey'), '--region', 'eu-west', '--id', 'a', '--spool-dir', join(dir, 'spool-a'), '--heartbeat-interval', '500ms']);
    cleanups.push(() => a.kill());
    const count = () => stored('SELECT count(*) FROM results WHERE agent = ?', 'a')[0] as number;
    await waitFor('5 results stored', () => count() >= 5, 30_000);

    const victim = await waitFor('the node agent A is connected to', async () => {
      for (const n of nodes) if ((await n.connectionNames().catch((): string[] => [])).includes(AGENT)) return n;
      return null;
    });
    const killedAt = Date.now();
    await victim.stop('SIGKILL');
    await waitFor('agent A on another node', async () => {
      for (const n of nodes) if (n !== victim && (await n.connectionNames().catch((): string[] => [])).includes(AGENT)) return true;
      return false;
    }, 30_000);
    // delivering while that node is down: results probed after the kill arrive
    const during = await waitFor('10 results probed after the kill stored, with the node still down', () => {
      const n = stored('SELECT count(*) FROM results WHERE agent = ? AND started_at_ms > ?', 'a', killedAt)[0] as number;
      return n >= 10 ? n : null;
    }, 45_000);
    assert.equal(victim.pid, undefined, 'the node is still down');

    await victim.start();
    const restartedAt = Date.now();
    await waitFor('10 results probed after the restart stored', () => (stored('SELECT count(*) FROM results WHERE agent = ? AND started_at_ms > ?', 'a', restartedAt)[0] as number) >= 10, 45_000);
    assert.equal(await a.stop(), 0, a.stderr);

    // every probe the target saw is stored, exactly once
    const probed = web.requests.filter((r) => r.url === '/cluster' && r.probeId).map((r) => r.probeId);
    await waitFor('every probe stored', () => {
      const have = new Set(stored('SELECT result_id FROM results WHERE agent = ?', 'a') as string[]);
      return probed.every((id) => have.has(id));
    }, 45_000);
    assert.equal(count(), probed.length);
    assert.ok(a.logs.some((l) => l.msg === 'NATS reconnect'), 'it did move');
    assert.ok(during >= 10);
    for (const n of nodes) assert.doesNotMatch(n.log, /Violation/, `${n.name}: no permission refused`);
    process.stdout.write(`# cluster: ${probed.length} probes, ${count()} stored, ${during} of them probed while ${victim.name} was down\n`);
  });
});
