import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Scheduler, offsetFor, nextRound } from '../../agent/scheduler.js';
import { parseTarget, type Target } from '../../proto/index.js';
import { memoryLogger } from '../helpers/logger.js';

const target = (id: string, interval = '300ms'): Target => parseTarget({ id, url: `http://127.0.0.1/${id}`, interval, timeout: interval });

test('scheduler - offset depends only on the target id and lies within the interval', () => {
  for (const id of ['shop', 'api', 'a', 'checkout-eu', 'x'.repeat(63)]) {
    const o = offsetFor(id, 60_000);
    assert.equal(o, offsetFor(id, 60_000));
    assert.ok(o >= 0 && o < 60_000);
  }
  assert.notEqual(offsetFor('shop', 60_000), offsetFor('api', 60_000));
});

test('scheduler - nextRound is the first aligned instant strictly after now', () => {
  assert.equal(nextRound(1_000, 1_000, 250), 1_250);
  assert.equal(nextRound(1_250, 1_000, 250), 2_250);
  assert.equal(nextRound(1_249, 1_000, 250), 1_250);
  assert.equal(nextRound(0, 60_000, 59_999), 59_999);
});

test('scheduler - two agents fire the same target at the same aligned instants', async () => {
  const { logger } = memoryLogger();
  const t = target('aligned');
  const seen: number[][] = [[], []];
  const schedulers = [0, 1].map((i) => new Scheduler(async (_t, at) => void seen[i]!.push(at), { concurrency: 4, logger }));
  schedulers[0]!.sync([t]);
  await sleep(170); // the second agent starts later, as a real one in another region would
  schedulers[1]!.sync([t]);
  await sleep(1_500);
  await Promise.all(schedulers.map((s) => s.stop(1_000)));
  const offset = offsetFor('aligned', 300);
  for (const rounds of seen) {
    assert.ok(rounds.length >= 3, `fired ${rounds.length} rounds`);
    for (const at of rounds) assert.equal((at - offset) % 300, 0, `round ${at} is aligned to offset ${offset}`);
  }
  const common = seen[1]!.filter((at) => seen[0]!.includes(at));
  assert.ok(common.length >= seen[1]!.length - 1, 'the later agent fires at instants the first agent also fired at');
});

test('scheduler - never runs more than `concurrency` rounds at once', async () => {
  const { logger } = memoryLogger();
  let running = 0;
  let peak = 0;
  let rounds = 0;
  const s = new Scheduler(
    async () => {
      running++;
      rounds++;
      peak = Math.max(peak, running);
      await sleep(120);
      running--;
    },
    { concurrency: 2, logger },
  );
  s.sync(['a', 'b', 'c', 'd', 'e', 'f'].map((id) => target(id)));
  await sleep(1_200);
  await s.stop(1_000);
  assert.ok(rounds >= 4, `ran ${rounds} rounds`);
  assert.equal(peak, 2);
});

test('scheduler - a slow target skips its own rounds and delays nobody else', async () => {
  const { logger, lines } = memoryLogger();
  const fast: number[] = [];
  const s = new Scheduler(
    async (t, at, signal) => {
      if (t.id === 'slow') await sleep(5_000, undefined, { signal }).catch(() => undefined);
      else fast.push(at);
    },
    { concurrency: 4, logger },
  );
  s.sync([target('slow', '500ms'), target('fast', '500ms')]);
  await sleep(2_400);
  const stats = s.stats();
  await s.stop(100);
  assert.ok(stats.skippedBusy >= 2, `slow target skipped ${stats.skippedBusy} rounds`);
  assert.ok(fast.length >= 3);
  for (let i = 1; i < fast.length; i++) assert.equal(fast[i]! - fast[i - 1]!, 500, 'the fast target kept every round');
  assert.ok(lines.some((l) => l.msg === 'previous round still running; round skipped' && l.target === 'slow'));
});

test('scheduler - sync adds, removes and restarts changed targets', async () => {
  const { logger } = memoryLogger();
  const fired = new Map<string, number>();
  const s = new Scheduler(async (t) => void fired.set(t.url, (fired.get(t.url) ?? 0) + 1), { concurrency: 4, logger });
  s.sync([target('keep'), target('gone')]);
  await sleep(700);
  s.sync([target('keep'), parseTarget({ id: 'gone-2', url: 'http://127.0.0.1/new', interval: '300ms' })]);
  const goneBefore = fired.get('http://127.0.0.1/gone') ?? 0;
  await sleep(700);
  assert.equal(s.stats().targets, 2);
  assert.equal(fired.get('http://127.0.0.1/gone') ?? 0, goneBefore, 'a removed target fires no more');
  assert.ok((fired.get('http://127.0.0.1/new') ?? 0) >= 1, 'an added target fires');
  s.sync([parseTarget({ id: 'keep', url: 'http://127.0.0.1/changed', interval: '300ms' })]);
  await sleep(700);
  await s.stop(100);
  assert.ok((fired.get('http://127.0.0.1/changed') ?? 0) >= 1, 'a changed target runs with its new definition');
});

test('scheduler - stop lets running rounds finish, then cuts them at the deadline', async () => {
  const { logger } = memoryLogger();
  const outcome: string[] = [];
  const s = new Scheduler(
    async (t, _at, signal) => {
      try {
        await sleep(t.id === 'finishes' ? 400 : 60_000, undefined, { signal });
        outcome.push(`${t.id}:finished`);
      } catch {
        outcome.push(`${t.id}:cut`);
      }
    },
    { concurrency: 4, logger },
  );
  s.sync([target('finishes', '1s'), target('stuck', '1s')]);
  // 'stuck' never ends once started, so within two intervals a 'finishes' round overlaps it
  while (s.stats().inFlight < 2) await sleep(10);
  await s.stop(1_500);
  // earlier 'finishes' rounds may have ended before the overlap; none was cut
  assert.deepEqual([...new Set(outcome)].sort(), ['finishes:finished', 'stuck:cut']);
  assert.equal(outcome.filter((o) => o === 'stuck:cut').length, 1);
  assert.equal(s.stats().inFlight, 0);
});

test('scheduler - a target whose interval is out of bounds is logged and never scheduled (no setTimeout overflow)', async () => {
  const { logger, lines } = memoryLogger();
  let rounds = 0;
  const s = new Scheduler(async () => void rounds++, { concurrency: 4, logger });
  // built past parseTarget: 30 days would overflow setTimeout, which then fires after 1 ms, forever
  const month = { ...target('month'), intervalMs: 30 * 86_400_000 };
  try {
    s.sync([month, { ...target('never'), intervalMs: Number.POSITIVE_INFINITY }]);
    await sleep(50);
    assert.equal(s.stats().targets, 0);
  } finally {
    await s.stop(1_000);
  }
  assert.equal(rounds, 0);
  assert.deepEqual(lines.filter((l) => l.msg === 'target interval or timeout out of bounds; not scheduled').map((l) => l.target), ['month', 'never']);
});
