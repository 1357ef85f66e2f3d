import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ServingNodeBounds, TargetAdmission, type TargetLookup } from '../../../collector/ingest/admission.js';

const HOUR = 3_600_000;

/** A lookup over fixed sets, counting its questions. */
function lookup(managed: string[], seen: string[] = []): TargetLookup & { asked: number } {
  const l = {
    asked: 0,
    managed: (t: string) => {
      l.asked++;
      return managed.includes(t);
    },
    seenSince: (t: string) => seen.includes(t),
  };
  return l;
}

describe('ingest target admission', () => {
  it('admission - targets known only from results are taken up to the cap; API targets always', () => {
    const a = new TargetAdmission(lookup(['shop']), 2);
    assert.equal(a.admit('t1', 0), true);
    assert.equal(a.admit('t2', 0), true);
    assert.equal(a.admit('t3', 0), false, 'past the cap');
    assert.equal(a.admit('t1', 1), true, 'one already taken still is');
    assert.equal(a.admit('shop', 2), true, 'an API target is never capped');
    assert.equal(a.resultTargets, 2);
  });

  it('admission - a target silent for a day frees its place; one with stored results from before a restart is taken again', () => {
    const a = new TargetAdmission(lookup([], ['old']), 1, 24 * HOUR);
    assert.equal(a.admit('t1', 0), true);
    assert.equal(a.admit('t2', HOUR), false);
    assert.equal(a.admit('old', HOUR), true, 'it has results stored within the idle time');
    assert.equal(a.admit('t2', 24.5 * HOUR), false, 't1 idle for a day is gone, but old, seen an hour after it, holds the place');
    assert.equal(a.admit('t3', 27 * HOUR), true, 't1 and old idle for a day by then');
  });

  it('admission - an API target is asked about once a minute, not per result', () => {
    const l = lookup(['shop']);
    const a = new TargetAdmission(l, 10);
    for (let i = 0; i < 1_000; i++) a.admit('shop', i);
    assert.equal(l.asked, 1);
    a.admit('shop', 61_000);
    assert.equal(l.asked, 2);
  });

  it('serving nodes - a target shows at most N distinct IPs and values of each identity per hour; what was refused adds nothing', () => {
    const b = new ServingNodeBounds(2);
    assert.equal(b.check('shop', '203.0.113.1', { pop: 'fra' }, 0), null);
    assert.equal(b.check('shop', '203.0.113.2', { pop: 'ams' }, 1), null);
    assert.equal(b.check('shop', '203.0.113.1', { pop: 'ams' }, 2), null, 'known ones again');
    assert.equal(b.check('shop', '203.0.113.3', { pop: 'fra' }, 3), 'ip: target "shop" already showed 2 distinct IPs this hour (--max-serving-nodes 2)');
    assert.equal(b.check('shop', '203.0.113.2', { pop: 'lhr' }, 4), 'identity["pop"]: target "shop" already showed 2 distinct values this hour (--max-serving-nodes 2)');
    assert.equal(b.check('shop', '', { a: '1', b: '2', c: '3' }, 5), 'identity: target "shop" already showed 2 identity names this hour (--max-serving-nodes 2)');
    assert.equal(b.check('api', '203.0.113.3', {}, 6), null, 'per target');
    assert.equal(b.check('shop', '', {}, 7), null, 'no IP (DNS failed) adds none');
    assert.equal(b.check('shop', '203.0.113.3', { pop: 'lhr' }, HOUR), null, 'a new hour starts over');
  });
});
