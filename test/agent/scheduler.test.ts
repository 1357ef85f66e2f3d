import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler, offsetFor, nextRound } from '../../agent/scheduler.js';
import { parseTarget, type Target } from '../../proto/index.js';
import { memoryLogger } from '../helpers/logger.js';

const target = (id: string, interval = '300ms'): Target => parseTarget({ id, url: `http://127.0.0.1/${id}`, interval, timeout: interval });

// The scheduler runs on fake time (node:test mock timers: setTimeout and Date), advanced by the tests.
const START_MS = 1_763_776_000_000;

function fakeTime(t: TestContext): void {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: START_MS });
}

/** Advances fake time by `ms`, 1 ms at a time, letting the promise chains that timers start run in between. */
async function advance(t: TestContext, ms: number): Promise<void> {
  for (let i = 0; i < ms; i++) {
    t.mock.timers.tick(1);
    await new Promise((resolve) => setImmediate(resolve)); // setImmediate is real: every microtask has run
  }
}

/** Advances fake time until `p` settles (at most `limitMs`), and returns its value. */
async function settle<T>(t: TestContext, p: Promise<T>, limitMs = 120_000): Promise<T> {
  let settled = false;
  const watched = p.finally(() => (settled = true));
  for (let ms = 0; !settled; ms++) {
    if (ms > limitMs) assert.fail(`still pending after ${limitMs} ms of fake time`);
    await advance(t, 1);
  }
  return watched;
}

/** A sleep on the (fake) global setTimeout; `signal` cuts it with its reason. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

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

test('scheduler - two agents fire the same target at the same aligned instants', async (t) => {
  fakeTime(t);
  const { logger } = memoryLogger();
  const aligned = target('aligned');
  const seen: number[][] = [[], []];
  const schedulers = [0, 1].map((i) => new Scheduler(async (_t, at) => void seen[i]!.push(at), { concurrency: 4, logger }));
  schedulers[0]!.sync([aligned]);
  await advance(t, 170); // the second agent starts later, as a real one in another region would
  schedulers[1]!.sync([aligned]);
  await advance(t, 1_500);
  await settle(t, Promise.all(schedulers.map((s) => s.stop(1_000))));
  const offset = offsetFor('aligned', 300);
  for (const rounds of seen) {
    assert.ok(rounds.length >= 3, `fired ${rounds.length} rounds`);
    for (const at of rounds) assert.equal((at - offset) % 300, 0, `round ${at} is aligned to offset ${offset}`);
  }
  const common = seen[1]!.filter((at) => seen[0]!.includes(at));
  assert.ok(common.length >= seen[1]!.length - 1, 'the later agent fires at instants the first agent also fired at');
});

test('scheduler - never runs more than `concurrency` rounds at once', async (t) => {
  fakeTime(t);
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
  await advance(t, 1_200);
  await settle(t, s.stop(1_000));
  assert.ok(rounds >= 4, `ran ${rounds} rounds`);
  assert.equal(peak, 2);
});

test('scheduler - a slow target skips its own rounds and delays nobody else', async (t) => {
  fakeTime(t);
  const { logger, lines } = memoryLogger();
  const fast: number[] = [];
  const s = new Scheduler(
    async (tg, at, signal) => {
      if (tg.id === 'slow') await sleep(5_000, signal).catch(() => undefined);
      else fast.push(at);
    },
    { concurrency: 4, logger },
  );
  s.sync([target('slow', '500ms'), target('fast', '500ms')]);
  await advance(t, 2_400);
  const stats = s.stats();
  await settle(t, s.stop(100));
  assert.ok(stats.skippedBusy >= 2, `slow target skipped ${stats.skippedBusy} rounds`);
  assert.ok(fast.length >= 3);
  for (let i = 1; i < fast.length; i++) assert.equal(fast[i]! - fast[i - 1]!, 500, 'the fast target kept every round');
  assert.ok(lines.some((l) => l.event === 'round-skipped-busy' && l.target === 'slow'));
});

test('scheduler - sync adds, removes and restarts changed targets', async (t) => {
  fakeTime(t);
  const { logger } = memoryLogger();
  const fired = new Map<string, number>();
  const s = new Scheduler(async (tg) => void fired.set(tg.url, (fired.get(tg.url) ?? 0) + 1), { concurrency: 4, logger });
  s.sync([target('keep'), target('gone')]);
  await advance(t, 700);
  s.sync([target('keep'), parseTarget({ id: 'gone-2', url: 'http://127.0.0.1/new', interval: '300ms' })]);
  const goneBefore = fired.get('http://127.0.0.1/gone') ?? 0;
  await advance(t, 700);
  assert.equal(s.stats().targets, 2);
  assert.equal(fired.get('http://127.0.0.1/gone') ?? 0, goneBefore, 'a removed target fires no more');
  assert.ok((fired.get('http://127.0.0.1/new') ?? 0) >= 1, 'an added target fires');
  s.sync([parseTarget({ id: 'keep', url: 'http://127.0.0.1/changed', interval: '300ms' })]);
  await advance(t, 700);
  await settle(t, s.stop(100));
  assert.ok((fired.get('http://127.0.0.1/changed') ?? 0) >= 1, 'a changed target runs with its new definition');
});

test('scheduler - stop lets running rounds finish, then cuts them at the deadline', async (t) => {
  fakeTime(t);
  const { logger } = memoryLogger();
  const outcome: string[] = [];
  const s = new Scheduler(
    async (tg, _at, signal) => {
      try {
        await sleep(tg.id === 'finishes' ? 400 : 60_000, signal);
        outcome.push(`${tg.id}:finished`);
      } catch {
        outcome.push(`${tg.id}:cut`);
      }
    },
    { concurrency: 4, logger },
  );
  s.sync([target('finishes', '1s'), target('stuck', '1s')]);
  // 'stuck' never ends once started, so within two intervals a 'finishes' round overlaps it
  while (s.stats().inFlight < 2) await advance(t, 10);
  await settle(t, s.stop(1_500));
  // earlier 'finishes' rounds may have ended before the overlap; none was cut
  assert.deepEqual([...new Set(outcome)].sort(), ['finishes:finished', 'stuck:cut']);
  assert.equal(outcome.filter((o) => o === 'stuck:cut').length, 1);
  assert.equal(s.stats().inFlight, 0);
});

test('scheduler - a target whose interval is out of bounds is logged and never scheduled (no setTimeout overflow)', async (t) => {
  fakeTime(t);
  const { logger, lines } = memoryLogger();
  let rounds = 0;
  const s = new Scheduler(async () => void rounds++, { concurrency: 4, logger });
  // built past parseTarget: 30 days would overflow setTimeout, which then fires after 1 ms, forever
  const month = { ...target('month'), intervalMs: 30 * 86_400_000 };
  try {
    s.sync([month, { ...target('never'), intervalMs: Number.POSITIVE_INFINITY }]);
    await advance(t, 50);
    assert.equal(s.stats().targets, 0);
  } finally {
    await settle(t, s.stop(1_000));
  }
  assert.equal(rounds, 0);
  assert.deepEqual(lines.filter((l) => l.event === 'target-out-of-bounds').map((l) => l.target), ['month', 'never']);
});
