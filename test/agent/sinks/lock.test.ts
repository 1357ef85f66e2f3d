import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockSpoolDir, LOCK_FILE, SpoolLockedError } from '../../../agent/sinks/index.js';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'crossprobe-lock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A process that has exited: its pid is (almost surely) free. */
function deadPid(): number {
  const r = spawnSync('true');
  assert.ok(r.pid);
  return r.pid;
}

/** A live process other than this one, killed in `after`. */
function livePid(t: { after: (fn: () => void) => void }): number {
  const p = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.after(() => p.kill('SIGKILL'));
  assert.ok(p.pid);
  return p.pid;
}

const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

test('spool lock - taken exclusively with this pid, refused to a second holder naming the pid and --spool-dir, released', async (t) => {
  const dir = tempDir(t);
  const lock = await lockSpoolDir(dir);
  const held = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number; boot: string; start: string };
  assert.equal(held.pid, process.pid);
  assert.equal(held.boot, bootId);
  assert.match(held.start, /^\d+$/);
  await assert.rejects(lockSpoolDir(dir), {
    name: 'SpoolLockedError',
    message: `spool directory ${dir} is in use by agent pid ${process.pid}; give each agent its own --spool-dir`,
  });
  await lock.release();
  assert.equal(existsSync(join(dir, LOCK_FILE)), false);
  const again = await lockSpoolDir(dir);
  await again.release();
});

test('spool lock - a live holder (another process) is refused', async (t) => {
  const dir = tempDir(t);
  const pid = livePid(t);
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid })); // an older format: the pid only
  const err = await lockSpoolDir(dir).catch((e: unknown) => e);
  assert.ok(err instanceof SpoolLockedError);
  assert.equal(err.pid, pid);
  assert.equal(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid, pid, 'the holder\'s lock is left alone');
});

test('spool lock - stale locks are taken over: a dead pid, a pid reused by another process, a lock from before a reboot, a torn lock', async (t) => {
  const cases: [string, () => string][] = [
    ['dead pid', () => JSON.stringify({ pid: deadPid(), boot: bootId, start: '1' })],
    ['pid reused (start time differs)', () => JSON.stringify({ pid: livePid(t), boot: bootId, start: '1' })],
    ['another boot', () => JSON.stringify({ pid: livePid(t), boot: '00000000-0000-0000-0000-000000000000', start: '1' })],
    ['torn', () => '{"pid": 12'],
  ];
  for (const [what, content] of cases) {
    const dir = tempDir(t);
    writeFileSync(join(dir, LOCK_FILE), content());
    const lock = await lockSpoolDir(dir);
    assert.equal(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid, process.pid, what);
    assert.deepEqual(readdirSync(dir), [LOCK_FILE], `${what}: nothing left aside`);
    await lock.release();
  }
});
