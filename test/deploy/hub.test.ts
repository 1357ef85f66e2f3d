import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AckPolicy, connect, type NatsConnection } from 'nats';
import { encodeResult, pb, resultId, RESULTS_STREAM, type ProbeResult } from '../../proto/index.js';
import { agentInboxPrefix, loadNatsAccess, natsConnectOptions } from '../../proto/nats-options.js';
import { Spool } from '../../agent/sinks/spool.js';
import { AgentProcess } from '../helpers/agent-process.js';
import { CollectorProcess, runCli } from '../helpers/collector-api-process.js';
import { addTarget, collectorAnswering, connectInspector, enroll, hubConfig, NatsNode, usersFileWithInspector, writeTestPki } from '../helpers/nats-deploy.js';
import { freePort } from '../helpers/net.js';
import { RecordingServer } from '../helpers/recording-server.js';
import { memoryLogger } from '../helpers/logger.js';
import { readResults, waitFor } from '../helpers/stream.js';

const TOKEN = 'deploy-hub-test-token-0123456789';
const INSPECTOR = 'inspector-password-for-tests-only';

/** A result as agent `agent` of eu-west would publish it: its id and its bytes. */
function result(agent: string): { id: string; data: Uint8Array } {
  const id = resultId();
  const r = { resultId: id, target: 'web', region: 'eu-west', agent, url: 'http://127.0.0.1/', method: 'GET', startedAtMs: Date.now(), ok: true, status: 200 };
  return { id, data: encodeResult(pb.ProbeResult.create(r) as ProbeResult) };
}

describe('deploy - a TLS hub with one NATS user per agent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossprobe-deploy-hub-'));
  const keys = join(dir, 'keys');
  const db = join(dir, 'collector.db');
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  let hub: NatsNode;
  let caFile = '';
  let api = '';
  let collector: CollectorProcess;
  let inspector: NatsConnection;
  let web: RecordingServer;
  let agentAKey = '';

  const stored = (sql: string, ...args: unknown[]): unknown[] => {
    const check = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return check.prepare(sql).pluck().all(...args);
    } finally {
      check.close();
    }
  };
  const agent = (args: string[], env: NodeJS.ProcessEnv = {}): AgentProcess => {
    const a = AgentProcess.start(['--nats', hub.url, '--heartbeat-interval', '500ms', ...args], env);
    cleanups.push(() => a.kill());
    return a;
  };

  before(async () => {
    mkdirSync(keys);
    ({ caFile } = await writeTestPki(dir));
    const users = usersFileWithInspector(dir, INSPECTOR);
    // enrolling = crossprobe enroll adding the entry to the users file, as an operator does it
    await enroll(['--collector', '--out', keys, '--users-file', users]);
    await enroll(['--region', 'eu-west', '--id', 'a', '--out', keys, '--users-file', users]);
    await enroll(['--region', 'eu-west', '--id', 'b', '--out', keys, '--users-file', users]);
    agentAKey = join(keys, 'eu-west-a.nkey');
    const ports = { client: await freePort(), http: await freePort(), leaf: await freePort() };
    hub = await NatsNode.start(dir, 'hub-1', hubConfig('hub', dir, 'hub-1', ports), ports);
    cleanups.push(() => hub.stop());

    web = await RecordingServer.start('127.0.0.1');
    cleanups.push(() => web.close());
    const apiPort = await freePort();
    api = `http://127.0.0.1:${apiPort}`;
    // the collector's NATS settings from the environment, as its systemd unit gives them
    collector = CollectorProcess.start(['--db', db, '--listen', `127.0.0.1:${apiPort}`, '--api-token', TOKEN, '--heartbeat-interval', '500ms'], {
      CROSSPROBE_NATS: hub.url,
      CROSSPROBE_NATS_CA: caFile,
      CROSSPROBE_NATS_NKEY: join(keys, 'collector.nkey'),
    });
    cleanups.push(() => collector.kill());
    await collectorAnswering(collector, api);
    inspector = await connectInspector(hub.url, caFile, INSPECTOR);
    cleanups.push(() => inspector.close());
    // the target reaches the agents through the KV bucket, which the collector writes
    await addTarget(api, TOKEN, { id: 'web', url: web.url('/'), interval: '250ms', timeout: '250ms' });
  });

  after(async () => {
    for (const c of cleanups.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hub - agent A, over TLS with its own nkey, gets its targets from the KV bucket and its results stored', async () => {
    const a = agent(['--nats-ca', caFile, '--nats-nkey', agentAKey, '--region', 'eu-west', '--id', 'a', '--spool-dir', join(dir, 'spool-a')]);
    const n = await waitFor('5 results of agent A in SQLite', () => {
      const c = stored('SELECT count(*) FROM results WHERE agent = ?', 'a')[0] as number;
      return c >= 5 ? c : null;
    }, 30_000);
    const agents = (await (await fetch(`${api}/api/v1/agents`)).json()) as { agents: { region: string; agent: string; stale: boolean }[] };
    assert.ok(agents.agents.some((x) => x.region === 'eu-west' && x.agent === 'a' && !x.stale), 'its heartbeats arrive');
    assert.equal(await a.stop(), 0, a.stderr);
    const connected = a.logs.find((l) => l.event === 'nats-connected');
    assert.deepEqual({ tls: connected?.tls, user: connected?.user }, { tls: 'required', user: `nkey ${readPublicKey(agentAKey)}` });
    assert.ok(n >= 5);
    // every probe it made is stored, and nothing it did needed a permission it lacks
    const probed = probeIds(web, '/');
    await waitFor('every probe of agent A stored', () => {
      const have = new Set(stored('SELECT result_id FROM results WHERE agent = ?', 'a') as string[]);
      return probed.every((id) => have.has(id));
    });
    assert.doesNotMatch(hub.log, /Violation/, 'no permission refused to the collector or agent A');
  });

  it('hub - agent A publishing as agent B is refused by the server, and the collector never stores it', async () => {
    const access = loadNatsAccess({ natsCa: caFile, natsNkey: agentAKey }, [hub.url]);
    const asA = await connect({ ...natsConnectOptions([hub.url], access), inboxPrefix: agentInboxPrefix('eu-west', 'a') });
    cleanups.push(() => asA.close());
    const js = asA.jetstream();

    const forged = result('b');
    await assert.rejects(js.publish('crossprobe.results.eu-west.b', forged.data, { msgID: forged.id, timeout: 5_000 }), {
      code: 'PERMISSIONS_VIOLATION',
      // the server's own words, quotes included
      message: `'Permissions Violation for Publish to "crossprobe.results.eu-west.b"'`,
    });
    // nor can it listen to B's replies, or read the results of anyone
    const sub = asA.subscribe(`${agentInboxPrefix('eu-west', 'b')}.>`);
    const subErr = await (async () => {
      try {
        for await (const _ of sub) return null;
      } catch (err) {
        return err as Error;
      }
      return null;
    })();
    assert.equal(subErr?.message, `'Permissions Violation for Subscription to "_INBOX.crossprobe.eu-west.b.>"'`);
    const jsm = await asA.jetstreamManager().catch((err: Error) => err);
    assert.ok(!(jsm instanceof Error), 'the account check is allowed (the KV watch needs it)');
    await assert.rejects(jsm.consumers.add(RESULTS_STREAM, { ack_policy: AckPolicy.None }), { code: 'PERMISSIONS_VIOLATION' });

    // its own subject still works; once that later result is stored, the forged one would have been too
    const own = result('a');
    const ack = await js.publish('crossprobe.results.eu-west.a', own.data, { msgID: own.id, timeout: 5_000 });
    assert.equal(ack.stream, RESULTS_STREAM);
    await waitFor('agent A\'s own result stored', () => stored('SELECT count(*) FROM results WHERE result_id = ?', own.id)[0] === 1);
    assert.equal(stored('SELECT count(*) FROM results WHERE result_id = ? OR agent = ?', forged.id, 'b')[0], 0);
    assert.equal((await readResults(inspector)).filter((r) => r.agent === 'b').length, 0, 'not in the stream either');
    assert.match(hub.log, new RegExp(`Publish Violation - Nkey "${readPublicKey(agentAKey)}", Subject "crossprobe\\.results\\.eu-west\\.b"`));
  });

  it('hub - an agent run with A\'s key but B\'s id: refused, keeps every result in its spool, says why, never crashes', async () => {
    const spoolDir = join(dir, 'spool-impostor');
    const a = agent(['--nats-ca', caFile, '--nats-nkey', agentAKey, '--region', 'eu-west', '--id', 'b', '--spool-dir', spoolDir, '--no-kv', '--targets', targetsFile(dir, 'impostor', web)]);
    const refusal = await waitFor('the refusal in its log', () => a.logs.find((l) => String(l.msg).startsWith('NATS refused a subject')), 30_000);
    await waitFor('10 probes by the impostor', () => probeIds(web, '/impostor').length >= 10, 30_000);
    assert.ok(a.running, 'still running');
    assert.equal(await a.stop(), 0, a.stderr);
    assert.equal(refusal.level, 50);
    assert.equal(refusal.user, readPublicKey(agentAKey));
    assert.match(String(refusal.subject), /^(crossprobe\.results\.eu-west\.b|crossprobe\.heartbeat\.eu-west\.b|_INBOX\.crossprobe\.eu-west\.b\..*)$/);
    assert.ok(a.logs.some((l) => l.msg === 'publish not acked; spooling results until JetStream answers again' && l.code === 'PERMISSIONS_VIOLATION'), 'the sink says why it spools');

    // every probe it made waits in its spool: none lost, none stored
    const { logger } = memoryLogger();
    const spool = await Spool.open({ dir: spoolDir, maxBytes: 256 * 1024 * 1024, logger });
    const spooled = (await spool.read(100_000)).map((r) => pb.ProbeResult.decode(r.data).resultId);
    await spool.close();
    const probed = probeIds(web, '/impostor');
    assert.ok(probed.length >= 10);
    assert.deepEqual([...spooled].sort(), [...probed].sort(), 'the spool holds exactly the probes the target saw');
    assert.equal(stored('SELECT count(*) FROM results WHERE agent = ?', 'b')[0], 0);
  });

  it('hub - an agent not enrolled yet keeps probing into its spool, and delivers it all once enrolled and the hub reloaded', async () => {
    // its key exists, its entry is not in the hub's users file yet
    const lateKeys = join(dir, 'late');
    mkdirSync(lateKeys);
    const users = join(dir, 'crossprobe-users.conf');
    const pending = join(dir, 'late-users.conf');
    writeFileSync(pending, readFileSync(users, 'utf8'));
    await enroll(['--region', 'eu-west', '--id', 'late', '--out', lateKeys, '--users-file', pending]);
    const a = agent(['--nats-ca', caFile, '--nats-nkey', join(lateKeys, 'eu-west-late.nkey'), '--region', 'eu-west', '--id', 'late', '--spool-dir', join(dir, 'spool-late'), '--no-kv', '--targets', targetsFile(dir, 'late', web)]);
    await waitFor('the credentials refusal in its log', () => a.logs.some((l) => String(l.msg).startsWith('NATS refused this agent\'s credentials')), 30_000);
    await waitFor('5 probes by the late agent', () => probeIds(web, '/late').length >= 5, 30_000);
    assert.ok(a.running);
    assert.equal(stored('SELECT count(*) FROM results WHERE agent = ?', 'late')[0], 0);

    // enrolling it: the entry in the users file, and a reload
    writeFileSync(users, readFileSync(pending, 'utf8'));
    hub.reload();
    await waitFor('results of the late agent stored', () => (stored('SELECT count(*) FROM results WHERE agent = ?', 'late')[0] as number) >= 5, 30_000);
    assert.equal(await a.stop(), 0, a.stderr);
    const probed = probeIds(web, '/late');
    await waitFor('every probe of the late agent stored', () => {
      const have = new Set(stored('SELECT result_id FROM results WHERE agent = ?', 'late') as string[]);
      return probed.every((id) => have.has(id));
    }, 30_000);
    assert.equal(stored('SELECT count(*) FROM results WHERE agent = ?', 'late')[0], probed.length, 'each exactly once');
  });

  it('hub - an agent that does not trust the hub\'s certificate says so, keeps probing into its spool and stops cleanly', async () => {
    const other = join(dir, 'other-ca');
    mkdirSync(other);
    const { caFile: wrongCa } = await writeTestPki(other);
    const spoolDir = join(dir, 'spool-wrong-ca');
    const a = agent(['--nats-ca', wrongCa, '--nats-nkey', agentAKey, '--region', 'eu-west', '--id', 'a', '--spool-dir', spoolDir, '--no-kv', '--targets', targetsFile(dir, 'wrong-ca', web)]);
    const said = await waitFor('the TLS complaint in its log', () => a.logs.find((l) => String(l.msg).startsWith('the NATS server\'s TLS certificate does not verify')), 30_000);
    await waitFor('3 probes', () => probeIds(web, '/wrong-ca').length >= 3, 30_000);
    assert.ok(a.running);
    assert.equal(await a.stop(), 0, a.stderr);
    assert.deepEqual({ level: said.level, code: said.code, servers: said.servers }, { level: 50, code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', servers: [hub.url] });
    const { logger } = memoryLogger();
    const spool = await Spool.open({ dir: spoolDir, maxBytes: 256 * 1024 * 1024, logger });
    const spooled = (await spool.read(100_000)).map((r) => pb.ProbeResult.decode(r.data).resultId);
    await spool.close();
    assert.deepEqual([...spooled].sort(), [...probeIds(web, '/wrong-ca')].sort(), 'every probe waits in the spool');
  });

  it('config - a NATS file that is missing or is not what it should be stops agent and collector at start, exit 2, naming the flag', async () => {
    const notASeed = join(dir, 'not-a-seed');
    writeFileSync(notASeed, 'hello\n');
    const cases: [string[], NodeJS.ProcessEnv, string][] = [
      [['agent', '--region', 'eu-west', '--id', 'a', '--nats-nkey', join(dir, 'missing.nkey')], {}, `crossprobe agent: natsNkey (--nats-nkey, CROSSPROBE_NATS_NKEY): cannot read ${join(dir, 'missing.nkey')}: ENOENT\n`],
      [['agent', '--region', 'eu-west', '--id', 'a'], { CROSSPROBE_NATS_CA: notASeed }, `crossprobe agent: natsCa (--nats-ca, CROSSPROBE_NATS_CA): ${notASeed} holds no PEM certificate\n`],
      [['agent', '--region', 'eu-west', '--id', 'a', '--nats-cert', caFile], {}, 'crossprobe agent: natsCert (--nats-cert, CROSSPROBE_NATS_CERT): mutual TLS needs --nats-key too\n'],
      [['collector', '--nats-nkey', notASeed], {}, `crossprobe collector: natsNkey (--nats-nkey, CROSSPROBE_NATS_NKEY): ${notASeed} holds no NATS user nkey seed (a line of 58 characters starting with SU)\n`],
      [['collector', '--nats-creds', agentAKey], {}, `crossprobe collector: natsCreds (--nats-creds, CROSSPROBE_NATS_CREDS): ${agentAKey} is not a NATS credentials file (a user JWT block, then a user nkey seed block)\n`],
      [['collector', '--nats-nkey', agentAKey, '--nats-creds', agentAKey], {}, 'crossprobe collector: natsNkey (--nats-nkey, CROSSPROBE_NATS_NKEY): give either an nkey seed file or a credentials file (--nats-creds), not both\n'],
    ];
    for (const [argv, env, stderr] of cases) {
      const run = await runCli(argv, { ...env, CROSSPROBE_DB: join(dir, 'never.db') });
      assert.deepEqual({ code: run.code, stderr: run.stderr }, { code: 2, stderr }, argv.join(' '));
    }
  });
});

function readPublicKey(seedFile: string): string {
  const access = loadNatsAccess({ natsNkey: seedFile }, []);
  return access!.identity!.publicKey;
}

/** A targets file with one target probing `web` at /<name>. */
function targetsFile(dir: string, name: string, web: RecordingServer): string {
  const file = join(dir, `${name}-targets.json`);
  writeFileSync(file, JSON.stringify({ targets: [{ id: name, url: web.url(`/${name}`), interval: '250ms', timeout: '250ms' }] }));
  return file;
}

/** The probe ids (= result ids) of the requests `web` answered at `path`. */
function probeIds(web: RecordingServer, path: string): string[] {
  return web.requests.filter((r) => r.url === path && r.probeId).map((r) => r.probeId);
}
