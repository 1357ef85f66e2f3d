import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureResultsStream } from '../../proto/index.js';
import { NatsServer } from '../helpers/nats-server.js';
import { RecordingServer } from '../helpers/recording-server.js';
import { repoRoot } from '../helpers/paths.js';
import { readResults, waitFor } from '../helpers/stream.js';

/** The V8 flags every deployed agent runs with (bin/crossprobe, the systemd unit). */
const AGENT_NODE_FLAGS = readFileSync(join(repoRoot, 'bin', 'agent-node-flags'), 'utf8').trim().split(/\s+/);

const cleanups: (() => Promise<unknown> | unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

test('agent bundle - one .mjs with no native module probes and publishes from an empty directory', async () => {
  execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build-agent.mjs')], { stdio: 'pipe' });
  const built = join(repoRoot, 'dist', 'crossprobe-agent.mjs');
  const text = readFileSync(built, 'utf8');
  assert.doesNotMatch(text, /better-sqlite3|\.node['"]/, 'no native module in the bundle');

  // an empty directory with nothing but the bundle and a targets file: no node_modules, no package.json
  const dir = mkdtempSync(join(tmpdir(), 'crossprobe-bundle-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(built, join(dir, 'crossprobe-agent.mjs'));
  const web = await RecordingServer.start('127.0.0.26');
  cleanups.push(() => web.close());
  // an identity pattern: the bundle carries the RE2 engine (re2js) that runs it
  writeFileSync(
    join(dir, 'targets.json'),
    JSON.stringify({ targets: [{ id: 'bundled', url: web.url('/'), interval: '300ms', identity: [{ header: 'x-served-by', pattern: '^node-(.+)$', name: 'node' }] }] }),
  );
  assert.deepEqual(readdirSync(dir).sort(), ['crossprobe-agent.mjs', 'targets.json']);

  const nats = await NatsServer.start();
  cleanups.push(() => nats.dispose());
  const nc = await nats.connect();
  cleanups.push(() => nc.close());
  await ensureResultsStream(await nc.jetstreamManager());

  const agent = spawn(process.execPath, [...AGENT_NODE_FLAGS, 'crossprobe-agent.mjs', 'agent', '--nats', nats.url, '--region', 'eu-west', '--id', 'bundle-1', '--targets', 'targets.json', '--no-kv', '--spool-dir', join(dir, 'spool'), '--allow-private-targets'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  agent.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => agent.once('exit', resolve));
  cleanups.push(() => agent.kill('SIGKILL'));

  const results = await waitFor('3 results from the bundled agent', async () => {
    const rs = (await readResults(nc)).filter((r) => r.target === 'bundled');
    return rs.length >= 3 ? rs : null;
  });
  agent.kill('SIGTERM');
  assert.equal(await exited, 0, stderr);
  assert.equal(results[0]!.agent, 'bundle-1');
  assert.equal(results[0]!.ok, true);
  assert.deepEqual(results[0]!.identity, { node: '127.0.0.26' });
  assert.ok(results.every((r) => web.probeIds.includes(r.resultId)));
});
