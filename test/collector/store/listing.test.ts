import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseTarget } from '../../../proto/index.js';
import { openStore } from '../../../collector/store/index.js';
import { fakeRecord } from '../../helpers/collector-fixtures.js';
import { TempDir } from '../../helpers/collector-store.js';

/** What the incident loop lists every tick, at fleet size: cheap however many targets there are. */
describe('listing a fleet', () => {
  it('active targets - paged over a skip scan: every target with a result since the minute, in order, none twice', () => {
    const dir = new TempDir();
    const store = openStore(dir.file());
    try {
      const t0 = Date.parse('2025-01-01T00:00:00.000Z');
      const records = Array.from({ length: 30 }, (_, i) => fakeRecord({ target: `t${String(i).padStart(2, '0')}`, startedAtMs: i % 3 === 0 ? t0 - 7_200_000 : t0 - 60_000 + i }));
      store.insertResults(records);
      const active = records.filter((_, i) => i % 3 !== 0).map((r) => r.target).sort();
      assert.deepEqual(store.activeTargets(t0 - 3_600_000), active);
      const paged: string[] = [];
      for (let after = ''; ;) {
        const page = store.activeTargets(t0 - 3_600_000, { after, limit: 7 });
        paged.push(...page);
        if (page.length < 7) break;
        after = page.at(-1)!;
      }
      assert.deepEqual(paged, active);
      assert.deepEqual(store.activeTargets(t0), []);
    } finally {
      store.close();
      dir.dispose();
    }
  });

  it('targets list - served again without parsing while unchanged, and changed at once by a write on this or another connection', () => {
    const dir = new TempDir();
    const store = openStore(dir.file());
    const other = openStore(dir.file());
    try {
      const spec = (id: string, url: string) => parseTarget({ id, url });
      store.putTarget(spec('a', 'https://a.example/'), 1_000);
      store.putTarget(spec('b', 'https://b.example/'), 1_000);
      const first = store.listTargets();
      assert.deepEqual(first.map((t) => t.target.id), ['a', 'b']);
      assert.equal(store.listTargets()[0], first[0], 'the same object: not parsed again');
      // the same millisecond, another URL: this connection knows it wrote
      store.putTarget(spec('a', 'https://a2.example/'), 1_000);
      assert.equal(store.listTargets()[0]!.target.url, 'https://a2.example/');
      // another connection's write changes the table's fingerprint
      other.putTarget(spec('c', 'https://c.example/'), 2_000);
      assert.deepEqual(store.listTargets().map((t) => t.target.id), ['a', 'b', 'c']);
      other.deleteTarget('b');
      assert.deepEqual(store.listTargets().map((t) => t.target.id), ['a', 'c']);
    } finally {
      other.close();
      store.close();
      dir.dispose();
    }
  });
});
