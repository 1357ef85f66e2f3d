import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimitedLog } from '../../common/index.js';
import { memoryLogger } from '../helpers/logger.js';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_700_000_000_000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

test('rate-limited log - the first line of a key is written, the next ones within the interval are counted', () => {
  const { logger, lines } = memoryLogger('debug');
  const c = clock();
  const rl = new RateLimitedLog(logger, 10_000, { now: c.now });
  rl.warn('publish', { code: '503' }, 'publish not acked');
  for (let i = 0; i < 5; i++) {
    c.advance(1_000);
    rl.warn('publish', { code: '503' }, 'publish not acked');
  }
  assert.deepEqual(lines.map((l) => [l.level, l.msg, l.code, l.suppressed]), [[40, 'publish not acked', '503', undefined]]);
  c.advance(5_000); // 10 s after the first line
  rl.error('publish', { code: '500' }, 'publish not acked');
  assert.deepEqual(lines.map((l) => [l.level, l.code, l.suppressed]), [[40, '503', undefined], [50, '500', 5]]);
  c.advance(10_000);
  rl.info('publish', {}, 'publish not acked');
  assert.deepEqual(lines.map((l) => l.suppressed), [undefined, 5, undefined], 'the count starts over');
});

test('rate-limited log - keys are limited independently', () => {
  const { logger, lines } = memoryLogger('debug');
  const c = clock();
  const rl = new RateLimitedLog(logger, 60_000, { now: c.now });
  rl.error('refused', {}, 'refused');
  rl.warn('unreachable', {}, 'unreachable');
  rl.error('refused', {}, 'refused');
  rl.error('forbidden', {}, 'forbidden');
  c.advance(60_000);
  rl.error('refused', {}, 'refused');
  rl.error('unreachable', {}, 'unreachable');
  assert.deepEqual(lines.map((l) => [l.msg, l.level, l.suppressed]), [
    ['refused', 50, undefined],
    ['unreachable', 40, undefined],
    ['forbidden', 50, undefined],
    ['refused', 50, 1],
    ['unreachable', 50, undefined],
  ]);
});

test('rate-limited log - heldBack debug writes the held-back lines at debug level instead of counting them', () => {
  const { logger, lines } = memoryLogger('debug');
  const c = clock();
  const rl = new RateLimitedLog(logger, 10_000, { now: c.now, heldBack: 'debug' });
  rl.warn('rejected', { count: 1 }, 'messages rejected');
  c.advance(9_999);
  rl.warn('rejected', { count: 2 }, 'messages rejected');
  c.advance(1);
  rl.warn('rejected', { count: 3 }, 'messages rejected');
  assert.deepEqual(lines.map((l) => [l.level, l.count, l.suppressed]), [[40, 1, undefined], [20, 2, undefined], [40, 3, undefined]]);
});

test('rate-limited log - the fields given are not changed (a shared detail object stays as it was)', () => {
  const { logger, lines } = memoryLogger('debug');
  const c = clock();
  const rl = new RateLimitedLog(logger, 10, { now: c.now });
  const detail = { attempt: 1 };
  rl.warn('k', detail, 'm');
  rl.warn('k', detail, 'm');
  c.advance(10);
  rl.warn('k', detail, 'm');
  assert.deepEqual(detail, { attempt: 1 });
  assert.deepEqual(lines.map((l) => l.suppressed), [undefined, 1]);
});
