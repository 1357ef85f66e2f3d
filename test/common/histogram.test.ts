import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventLoopLag, Histogram } from '../../common/index.js';
import { histogramFamily, renderPrometheus } from '../../collector/api/index.js';

describe('histogram', () => {
  it('histogram - counts are cumulative per upper bound, +Inf holds all; non-finite values are ignored', () => {
    const h = new Histogram([0.1, 1, 10]);
    for (const v of [0.05, 0.1, 0.5, 5, 50, NaN, Infinity, -Infinity]) h.observe(v);
    assert.deepEqual(h.snapshot(), {
      buckets: [{ le: 0.1, count: 2 }, { le: 1, count: 3 }, { le: 10, count: 4 }, { le: Infinity, count: 5 }],
      sum: 55.65,
      count: 5,
    });
    assert.throws(() => new Histogram([1, 1]), /bounds must be finite and ascending \(got 1, 1\)/);
    assert.throws(() => new Histogram([]), /bounds must be finite and ascending/);
    assert.throws(() => new Histogram([1, NaN]), /bounds must be finite and ascending/);
  });

  it('histogram - renders as a Prometheus histogram: _bucket with le, then _sum and _count', () => {
    const h = new Histogram([0.5, 2]);
    h.observe(1);
    assert.equal(
      renderPrometheus([histogramFamily('x_seconds', 'How long.', h.snapshot())]),
      [
        '# HELP x_seconds How long.',
        '# TYPE x_seconds histogram',
        'x_seconds_bucket{le="0.5"} 0',
        'x_seconds_bucket{le="2"} 1',
        'x_seconds_bucket{le="+Inf"} 1',
        'x_seconds_sum 1',
        'x_seconds_count 1',
        '',
      ].join('\n'),
    );
  });

  it('event-loop lag - a thread held for 150 ms shows as a lag above 0.1 s; an idle one does not', async () => {
    const lag = new EventLoopLag(10).start();
    try {
      await new Promise((r) => setTimeout(r, 100));
      const idle = lag.histogram.snapshot();
      const until = performance.now() + 150;
      while (performance.now() < until) {
        // hold the thread, as a long synchronous task would
      }
      await new Promise((r) => setTimeout(r, 50));
      const after = lag.histogram.snapshot();
      const above = (s: typeof after) => s.count - s.buckets.find((b) => b.le === 0.1)!.count;
      assert.ok(idle.count > 0, 'the timer ran');
      assert.equal(above(after) - above(idle), 1, 'the held stretch is one observation above 0.1 s');
    } finally {
      lag.stop();
    }
  });
});
