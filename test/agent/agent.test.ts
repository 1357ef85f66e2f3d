import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsConnection } from 'nats';
import { ensureResultsStream, ensureTargetsBucket, parseTarget, targetToWire, decodeHeartbeat, pb, RESULTS_STREAM } from '../../proto/index.js';
import { NatsServer } from '../helpers/nats-server.js';
import { RecordingServer } from '../helpers/recording-server.js';
import { AgentProcess } from '../helpers/agent-process.js';
import { readResults, duplicates, waitFor } from '../helpers/stream.js';

const dir = mkdtempSync(join(tmpdir(), 'crossprobe-agent-'));
let nats: NatsServer;
let nc: NatsConnection;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

before(async () => {
  nats = await NatsServer.start();
  nc = await nats.connect();
  await ensureResultsStream(await nc.jetstreamManager());
});

after(async () => {
  for (const c of cleanups.reverse()) await c();
  await nc?.close();
  await nats?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts an agent and registers its cleanup (SIGKILL if the test did not stop it). */
function agent(args: string[]): AgentProcess {
  const a = AgentProcess.start(['--nats', nats.url, '--heartbeat-interval', '500ms', '--log-level', 'debug', ...args]);
  cleanups.push(() => a.kill());
  return a;
}

async function server(host: string, respond?: Parameters<typeof RecordingServer.start>[1]): Promise<RecordingServer> {
  const s = await RecordingServer.start(host, respond);
  cleanups.push(() => s.close());
  return s;
}

function targetsFile(name: string, targets: object[]): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify({ targets }));
  return p;
}

async function resultsOf(target: string) {
  return (await readResults(nc)).filter((r) => r.target === target);
}

test('agent - probes file targets and publishes results with every field', async () => {
  const web = await server('127.0.0.21');
  const file = targetsFile('basic.json', [{ id: 'basic', url: web.url('/health'), interval: '500ms', expect: { bodyContains: 'ok' }, identity: [{ header: 'x-served-by' }] }]);
  const a = agent(['--region', 'eu-west', '--id', 'fra-1', '--targets', file, '--no-kv', '--spool-dir', join(dir, 'spool-basic')]);
  const results = await waitFor('3 results of "basic"', async () => ((await resultsOf('basic')).length >= 3 ? resultsOf('basic') : null));
  assert.equal(await a.stop(), 0, a.stderr);
  const r = results[0]!;
  assert.equal(r.region, 'eu-west');
  assert.equal(r.agent, 'fra-1');
  assert.equal(r.url, web.url('/health'));
  assert.equal(r.ip, '127.0.0.21');
  assert.equal(r.ipFamily, 4);
  assert.equal(r.ok, true);
  assert.equal(r.status, 200);
  assert.equal(r.bodyMatch, pb.BodyMatch.BODY_MATCH_MATCHED);
  assert.equal(r.identity['x-served-by'], 'node-127.0.0.21');
  assert.ok(r.phases!.total! > 0 && r.phases!.connect! >= 0 && r.phases!.firstByte! >= 0);
  assert.ok(r.roundAtMs > 0 && r.roundAtMs <= r.startedAtMs);
  // the round instants are aligned to the target's offset, 500 ms apart
  const rounds = [...new Set(results.map((x) => x.roundAtMs))].sort();
  for (let i = 1; i < rounds.length; i++) assert.equal((rounds[i]! - rounds[0]!) % 500, 0);
  // the id the server saw in crossprobe-probe-id is the result id
  for (const x of results) assert.ok(web.probeIds.includes(x.resultId), `probe id ${x.resultId} reached the server`);
  assert.ok(a.hasLog('agent stopped'));
});

test('agent - KV targets: add, change and delete take effect without restart; malformed values are skipped', async () => {
  const web = await server('127.0.0.22');
  const kv = await ensureTargetsBucket(nc);
  const a = agent(['--region', 'eu-west', '--id', 'fra-kv', '--spool-dir', join(dir, 'spool-kv')]);
  await kv.put('kv-a', targetToWire(parseTarget({ id: 'kv-a', url: web.url('/one'), interval: '300ms' })));
  await waitFor('a result for kv-a /one', async () => (await resultsOf('kv-a')).some((r) => r.url.endsWith('/one')));

  await kv.put('broken', new TextEncoder().encode('{"this is": "not protobuf"}'));
  await kv.put('kv-a', targetToWire(parseTarget({ id: 'kv-a', url: web.url('/two'), interval: '300ms' })));
  await waitFor('a result for kv-a /two', async () => (await resultsOf('kv-a')).some((r) => r.url.endsWith('/two')));
  const bad = a.logs.find((l) => l.event === 'target-malformed');
  assert.ok(bad, 'the malformed value was logged');
  assert.equal(bad.key, 'broken');
  assert.equal(bad.level, 50);

  await kv.put('other-region', targetToWire(parseTarget({ id: 'other-region', url: web.url('/elsewhere'), interval: '300ms', regions: ['us-east'] })));
  await kv.delete('kv-a');
  await waitFor('targets to become empty', () => a.logs.some((l) => l.event === 'targets-changed' && Array.isArray(l.targets) && l.targets.length === 0));
  await sleep(400); // a round already running when the delete arrived may still finish
  const before = web.requests.filter((r) => r.url === '/two').length;
  await sleep(1_200); // four intervals: a live target would have been probed again
  assert.equal(web.requests.filter((r) => r.url === '/two').length, before, 'a deleted target is probed no more');
  assert.equal(web.requests.filter((r) => r.url === '/elsewhere').length, 0, 'a target for another region is not probed');
  assert.equal(await a.stop(), 0, a.stderr);
  await kv.delete('broken');
  await kv.delete('other-region');
});

test('agent - heartbeats carry version, targets, spool depth and control health', async () => {
  const web = await server('127.0.0.23');
  const file = targetsFile('hb.json', [{ id: 'hb', url: web.url('/'), interval: '1s' }]);
  const sub = nc.subscribe('crossprobe.heartbeat.>');
  cleanups.push(() => sub.unsubscribe());
  const a = agent(['--region', 'ap-south', '--id', 'bom-1', '--targets', file, '--no-kv', '--spool-dir', join(dir, 'spool-hb'),
    '--control', web.url('/control'), '--control', 'http://127.0.0.23:1/', '--control-interval', '300ms']);
  let hb: ReturnType<typeof decodeHeartbeat> | null = null;
  for await (const m of sub) {
    assert.equal(m.subject, 'crossprobe.heartbeat.ap-south.bom-1');
    const h = decodeHeartbeat(m.data);
    if (h.controls.length === 2 && (h.controls[1]!.consecutiveFailures ?? 0) >= 2) {
      hb = h;
      break;
    }
  }
  assert.equal(await a.stop(), 0, a.stderr);
  assert.ok(hb);
  assert.equal(hb.agent, 'bom-1');
  assert.equal(hb.region, 'ap-south');
  assert.match(hb.version, /^\d+\.\d+\.\d+/);
  assert.equal(hb.targets, 1);
  assert.equal(hb.spoolDepth, 0);
  assert.ok(hb.rssBytes > 10_000_000 && hb.rssBytes < 1_000_000_000, `rss ${hb.rssBytes}`);
  assert.equal(hb.controls[0]!.url, web.url('/control'));
  assert.equal(hb.controls[0]!.ok, true);
  assert.equal(hb.controls[1]!.ok, false);
  assert.equal(hb.controls[1]!.failure, pb.FailureCode.CONNECT_REFUSED);
  assert.equal((await resultsOf('control-0')).length, 0, 'control probes are not published as results');
});

test('agent - NATS stopped and restarted while probing: every result arrives exactly once', async () => {
  const web = await server('127.0.0.24');
  const file = targetsFile('outage.json', [
    { id: 'outage-a', url: web.url('/a'), interval: '250ms' },
    { id: 'outage-b', url: web.url('/b'), interval: '250ms' },
  ]);
  const a = agent(['--region', 'us-east', '--id', 'iad-1', '--targets', file, '--no-kv', '--spool-dir', join(dir, 'spool-outage')]);
  await waitFor('results before the outage', async () => (await resultsOf('outage-a')).length >= 2);
  await nats.stop();
  const probesBefore = web.probeIds.length;
  await waitFor('probes during the outage', () => web.probeIds.length >= probesBefore + 12);
  await nats.start();
  const producedByRestart = [...web.probeIds];
  await nc.close();
  nc = await nats.connect(); // the test's own connection went down with the server
  const outageIds = async () => [...(await resultsOf('outage-a')), ...(await resultsOf('outage-b'))].map((r) => r.resultId);
  // publishes lost with the connection time out (5 s), go to the spool and are replayed from there
  await waitFor('every result produced before the restart in the stream', async () => {
    const inStream = new Set(await outageIds());
    return producedByRestart.every((id) => inStream.has(id));
  }, 40_000);
  assert.equal(await a.stop(), 0, a.stderr);
  const ids = await outageIds();
  assert.deepEqual(duplicates(ids), []);
  assert.deepEqual(new Set(ids), new Set(web.probeIds));
  assert.ok(a.hasLog(/spool/i), 'the agent said it spooled');
});

test('agent - restart with a non-empty spool: nothing is lost, nothing doubled', async () => {
  const web = await server('127.0.0.25');
  const spool = join(dir, 'spool-restart');
  const file = targetsFile('restart.json', [{ id: 'restart', url: web.url('/'), interval: '250ms' }]);
  await nats.stop();
  const first = agent(['--region', 'us-east', '--id', 'iad-2', '--targets', file, '--no-kv', '--spool-dir', spool]);
  await waitFor('probes with NATS down', () => web.probeIds.length >= 8, 30_000);
  assert.equal(await first.stop(), 0, first.stderr);
  assert.ok(readdirSync(spool).length > 0, 'the spool holds the results on disk');
  const produced = [...web.probeIds];
  await nats.start();
  nc = await nats.connect();
  const second = agent(['--region', 'us-east', '--id', 'iad-2', '--no-kv', '--spool-dir', spool]);
  const ids = await waitFor('the spooled results in the stream', async () => {
    const got = (await resultsOf('restart')).map((r) => r.resultId);
    return got.length >= produced.length ? got : null;
  });
  assert.equal(await second.stop(), 0, second.stderr);
  assert.deepEqual(duplicates(ids), []);
  assert.deepEqual(new Set(ids), new Set(produced));
  const info = await (await nc.jetstreamManager()).streams.info(RESULTS_STREAM);
  assert.ok(info.state.messages > 0);
});
