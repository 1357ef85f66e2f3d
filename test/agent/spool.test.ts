import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection, Subscription } from 'nats';
import { decodeHeartbeat, encodeResult, ensureResultsStream, resultId } from '../../proto/index.js';
import { LOCK_FILE, Spool } from '../../agent/sinks/index.js';
import { memoryLogger } from '../helpers/logger.js';
import { NatsServer } from '../helpers/nats-server.js';
import { RecordingServer } from '../helpers/recording-server.js';
import { AgentProcess } from '../helpers/agent-process.js';
import { readResults, duplicates, waitFor } from '../helpers/stream.js';
import { fillUp, Tmpfs, tmpfsUnavailable } from '../helpers/tmpfs.js';

const dir = mkdtempSync(join(tmpdir(), 'crossprobe-agent-spool-'));
let nats: NatsServer;
let nc: NatsConnection;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
const skipFs = tmpfsUnavailable();

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

type Heartbeat = ReturnType<typeof decodeHeartbeat>;

/** Starts an agent and registers its cleanup (SIGKILL if the test did not stop it). */
function agent(args: string[], env: NodeJS.ProcessEnv = {}, opts: { cwd?: string; uid?: number; gid?: number } = {}): AgentProcess {
  const a = AgentProcess.start(['--nats', nats.url, '--heartbeat-interval', '300ms', '--no-kv', ...args], env, opts);
  cleanups.push(() => a.kill());
  return a;
}

async function server(host: string): Promise<RecordingServer> {
  const s = await RecordingServer.start(host);
  cleanups.push(() => s.close());
  return s;
}

function targetsFile(name: string, url: (path: string) => string, count: number): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify({ targets: Array.from({ length: count }, (_, i) => ({ id: `${name}-${i}`, url: url(`/${i}`), interval: '200ms' })) }));
  return p;
}

/** Keeps the latest heartbeat of region/id (the test's connection is replaced when NATS restarts). */
class Heartbeats {
  latest: Heartbeat | null = null;
  private sub: Subscription | null = null;
  constructor(private readonly subject: string) {}
  listen(conn: NatsConnection): void {
    this.sub?.unsubscribe();
    const sub = conn.subscribe(this.subject);
    this.sub = sub;
    void (async () => {
      for await (const m of sub) this.latest = decodeHeartbeat(m.data);
    })();
  }
  until(what: string, cond: (h: Heartbeat) => boolean): Promise<Heartbeat> {
    return waitFor(what, () => (this.latest && cond(this.latest) ? this.latest : null), 40_000);
  }
}

async function restartNats(hb?: Heartbeats): Promise<void> {
  await nats.start();
  await nc.close();
  nc = await nats.connect();
  hb?.listen(nc);
}

async function idsOf(prefix: string): Promise<string[]> {
  return (await readResults(nc)).filter((r) => r.target.startsWith(prefix)).map((r) => r.resultId);
}

function spoolOpened(a: AgentProcess): Record<string, unknown> | undefined {
  return a.logs.find((l) => l.event === 'spool-opened');
}

test('agent spool - a second agent on the same --spool-dir refuses to start, naming the holder\'s pid and --spool-dir; the first runs on', async () => {
  const spool = join(dir, 'shared-spool');
  const first = agent(['--region', 'eu-west', '--id', 'lock-1', '--spool-dir', spool]);
  await waitFor('the first agent to open its spool', () => spoolOpened(first));
  const second = agent(['--region', 'eu-west', '--id', 'lock-2', '--spool-dir', spool]);
  await waitFor('the second agent to exit', () => !second.running);
  assert.equal(await second.stop(), 2);
  assert.equal(
    second.stderr.trim(),
    `crossprobe agent: spoolDir (--spool-dir, CROSSPROBE_SPOOL_DIR): spool directory ${spool} is in use by agent pid ${first.pid}; give each agent its own --spool-dir`,
  );
  assert.ok(first.running, 'the first agent is unaffected');
  assert.equal(await first.stop(), 0, first.stderr);
  assert.equal(existsSync(join(spool, LOCK_FILE)), false, 'the lock is released on exit');
});

test('agent spool - a lock left by a killed agent is taken over by the next one, which replays the spool', async () => {
  const web = await server('127.0.0.45');
  const spool = join(dir, 'crashed-spool');
  const file = targetsFile('crash', (p) => web.url(p), 1);
  await nats.stop();
  const crashed = agent(['--region', 'eu-west', '--id', 'crash-1', '--targets', file, '--spool-dir', spool]);
  await waitFor('probes spooled while NATS is down', () => web.probeIds.length >= 4 && readdirSync(spool).some((f) => f.endsWith('.seg')));
  await crashed.kill(); // SIGKILL: no release, the lock stays behind
  assert.equal(existsSync(join(spool, LOCK_FILE)), true);
  await restartNats();
  const next = agent(['--region', 'eu-west', '--id', 'crash-1', '--spool-dir', spool]);
  await waitFor('the spool to be taken over', () => spoolOpened(next));
  // what the killed agent had fsynced reaches the stream
  await waitFor('the crashed agent\'s spooled results', async () => (await idsOf('crash')).length >= 3);
  assert.equal(await next.stop(), 0, next.stderr);
  assert.deepEqual(duplicates(await idsOf('crash')), []);
});

test('agent spool - two agents started in one directory without --spool-dir keep their spools apart, in the state directory, never the working directory', async () => {
  const cwd = join(dir, 'cwd');
  const state = join(dir, 'xdg-state');
  mkdirSync(cwd);
  const env = { XDG_STATE_HOME: state, STATE_DIRECTORY: '' };
  const a = agent(['--region', 'us-east', '--id', 'twin-1'], env, { cwd });
  const b = agent(['--region', 'us-east', '--id', 'twin-2'], env, { cwd });
  await waitFor('both spools open', () => spoolOpened(a) && spoolOpened(b));
  assert.equal(spoolOpened(a)!.dir, join(state, 'crossprobe', 'us-east', 'twin-1', 'spool'));
  assert.equal(spoolOpened(b)!.dir, join(state, 'crossprobe', 'us-east', 'twin-2', 'spool'));
  assert.equal(await a.stop(), 0, a.stderr);
  assert.equal(await b.stop(), 0, b.stderr);
  assert.deepEqual(readdirSync(cwd), [], 'nothing in the working directory');
});

test('agent spool - a spool directory it may not create (EACCES, unprivileged user): the agent runs degraded and keeps publishing', { skip: skipFs ?? false }, async () => {
  const web = await server('127.0.0.46');
  const file = targetsFile('eacces', (p) => web.url(p), 1);
  chmodSync(file, 0o644);
  const locked = join(dir, 'root-only');
  mkdirSync(locked, { mode: 0o755 });
  chmodSync(dir, 0o755); // mkdtemp makes it 0700: the unprivileged agent must reach the targets file
  const hb = new Heartbeats('crossprobe.heartbeat.eu-west.eacces-1');
  hb.listen(nc);
  const a = agent(['--region', 'eu-west', '--id', 'eacces-1', '--targets', file, '--spool-dir', join(locked, 'spool')], {}, { uid: 65534, gid: 65534 });
  const h = await hb.until('a degraded heartbeat', (x) => x.spoolDegraded && x.resultsPublished >= 2);
  assert.equal(h.spoolError, 'EACCES');
  assert.equal(await a.stop(), 0, a.stderr);
  assert.ok((await idsOf('eacces')).length >= 2);
});

test('agent spool - a disk that fills up while NATS is down: the agent keeps running, results wait in memory, drops are counted in heartbeats, freed space resumes the spool', { skip: skipFs ?? false }, async (t) => {
  const fs = Tmpfs.mount(t, '256k');
  const spool = join(fs.dir, 'spool');
  const web = await server('127.0.0.47');
  const file = targetsFile('full', (p) => web.url(p), 4);
  const hb = new Heartbeats('crossprobe.heartbeat.ap-south.full-1');
  hb.listen(nc);
  // ~35 results fit the 16 KiB memory queue; NATS stays down for well over that many
  const a = agent(['--region', 'ap-south', '--id', 'full-1', '--targets', file, '--spool-dir', spool, '--spool-memory-max', '16KiB']);
  await hb.until('results published directly', (h) => h.resultsPublished >= 4);
  const filler = join(fs.dir, 'filler');
  fillUp(filler);
  await nats.stop();
  const before = web.probeIds.length;
  await waitFor('probes while NATS is down', () => web.probeIds.length >= before + 150, 30_000);
  assert.ok(a.running, 'the agent survives the full disk');
  await restartNats(hb);
  const degraded = await hb.until('a heartbeat reporting the full disk and the drops', (h) => h.spoolDegraded && h.memoryQueueDropped > 0);
  assert.equal(degraded.spoolError, 'ENOSPC');
  assert.ok(a.logs.some((l) => l.code === 'ENOSPC' && /results wait in memory/.test(String(l.msg))), 'the agent said why');
  unlinkSync(filler);
  await hb.until('the spool back on disk', (h) => !h.spoolDegraded);
  assert.equal(await a.stop(), 0, a.stderr);
  assert.doesNotMatch(a.stderr, /Unhandled|ERR_UNHANDLED_REJECTION/);
  const stopped = a.logs.find((l) => l.event === 'agent-stopped')!;
  const dropped = stopped.memoryQueueDropped as number;
  assert.ok(dropped >= degraded.memoryQueueDropped);
  const ids = await idsOf('full');
  assert.deepEqual(duplicates(ids), []);
  const inStream = new Set(ids);
  const missing = web.probeIds.filter((id) => !inStream.has(id));
  assert.equal(missing.length, dropped, 'every result is in the stream but the ones counted as dropped');
  assert.equal(existsSync(join(spool, LOCK_FILE)), false);
});

test('agent spool - a spool directory that turns read-only (EROFS): results wait in memory, publishing goes on when NATS is up, the spool resumes once writable; nothing lost', { skip: skipFs ?? false }, async (t) => {
  const fs = Tmpfs.mount(t, '4m');
  const spool = join(fs.dir, 'spool');
  const web = await server('127.0.0.48');
  const file = targetsFile('ro', (p) => web.url(p), 2);
  const hb = new Heartbeats('crossprobe.heartbeat.ap-south.ro-1');
  hb.listen(nc);
  const a = agent(['--region', 'ap-south', '--id', 'ro-1', '--targets', file, '--spool-dir', spool]);
  await hb.until('results published directly', (h) => h.resultsPublished >= 2);
  fs.readOnly();
  await nats.stop();
  let before = web.probeIds.length;
  await waitFor('probes while NATS is down', () => web.probeIds.length >= before + 40, 30_000);
  await restartNats(hb);
  const h = await hb.until('a heartbeat reporting the read-only disk', (x) => x.spoolDegraded && x.spoolError === 'EROFS');
  assert.equal(h.memoryQueueDropped, 0);
  await hb.until('the memory queue published', (x) => x.memoryQueueDepth === 0 && x.spoolDepth === 0);
  fs.readWrite();
  await hb.until('the spool writable again', (x) => !x.spoolDegraded);
  // the spool is in use again: the next outage goes to disk
  await nats.stop();
  before = web.probeIds.length;
  await waitFor('results on disk', () => web.probeIds.length >= before + 20 && readdirSync(spool).some((f) => f.endsWith('.seg')), 30_000);
  await restartNats(hb);
  const produced = [...web.probeIds];
  await waitFor('every result produced in the stream', async () => {
    const got = new Set(await idsOf('ro'));
    return produced.every((id) => got.has(id));
  }, 40_000);
  assert.equal(await a.stop(), 0, a.stderr);
  const ids = await idsOf('ro');
  assert.deepEqual(duplicates(ids), []);
  assert.deepEqual(new Set(ids), new Set(web.probeIds));
});

test('agent spool - started on a full disk while NATS is down, the agent switches to NATS when it answers and delivers every result it kept', { skip: skipFs ?? false }, async (t) => {
  const fs = Tmpfs.mount(t, '256k');
  mkdirSync(join(fs.dir, 'spool'));
  fillUp(join(fs.dir, 'filler'));
  const web = await server('127.0.0.49');
  const file = targetsFile('boot', (p) => web.url(p), 1);
  await nats.stop();
  const a = agent(['--region', 'eu-west', '--id', 'boot-1', '--targets', file, '--spool-dir', join(fs.dir, 'spool')]);
  await waitFor('probes while NATS is down', () => web.probeIds.length >= 5, 30_000);
  await restartNats();
  const produced = [...web.probeIds];
  await waitFor('every result kept while NATS was down in the stream', async () => {
    const got = new Set(await idsOf('boot'));
    return produced.every((id) => got.has(id));
  }, 30_000);
  assert.ok(a.running, `the agent survives the switch: ${a.stderr}`);
  assert.equal(await a.stop(), 0, a.stderr);
  assert.deepEqual(duplicates(await idsOf('boot')), []);
});

test('agent spool - the spool of an earlier version ($STATE_DIRECTORY/spool) moves to the keyed default and is delivered', async () => {
  const state = join(dir, 'legacy-state');
  const legacy = await Spool.open({ dir: join(state, 'spool'), maxBytes: 1 << 20, logger: memoryLogger().logger });
  const ids = Array.from({ length: 3 }, () => resultId());
  await legacy.append(ids.map((id, i) => encodeResult({ resultId: id, agent: 'old-1', region: 'eu-west', target: 'legacy', url: 'http://127.0.0.1/', startedAtMs: Date.now(), roundAtMs: i, ok: true, status: 200 })));
  await legacy.close();
  const a = agent(['--region', 'eu-west', '--id', 'old-1'], { STATE_DIRECTORY: state });
  await waitFor('the earlier version\'s results in the stream', async () => (await idsOf('legacy')).length >= 3);
  assert.equal(await a.stop(), 0, a.stderr);
  assert.deepEqual((await idsOf('legacy')).sort(), [...ids].sort());
  assert.equal(existsSync(join(state, 'spool')), false, 'moved, not copied');
  assert.ok(existsSync(join(state, 'crossprobe', 'eu-west', 'old-1', 'spool')));
});
