import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SerialQueue } from '../../common/index.js';

/** A promise settled from outside. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

test('serial queue - operations run one at a time, in the order asked, each settling as its own', async () => {
  const q = new SerialQueue();
  const events: string[] = [];
  const first = gate();
  const a = q.run(async () => {
    events.push('a start');
    await first.promise;
    events.push('a end');
    return 'a';
  });
  const b = q.run(async () => {
    events.push('b start');
    throw new Error('b failed');
  });
  const c = q.run(async () => {
    events.push('c start');
    return 'c';
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(events, ['a start'], 'b waits for a');
  first.open();
  assert.equal(await a, 'a');
  await assert.rejects(b, /b failed/);
  assert.equal(await c, 'c', 'a failure does not stop those after it');
  assert.deepEqual(events, ['a start', 'a end', 'b start', 'c start']);
});

test('serial queue - idle() waits for everything asked so far and never rejects', async () => {
  const q = new SerialQueue();
  await q.idle();
  const events: string[] = [];
  const hold = gate();
  void q.run(async () => {
    await hold.promise;
    events.push('slow');
  });
  q.run(async () => {
    throw new Error('lost');
  }).catch(() => events.push('rejected'));
  const idle = q.idle().then(() => events.push('idle'));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(events, []);
  hold.open();
  await idle;
  assert.deepEqual(events, ['slow', 'rejected', 'idle']);
});
