import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGrids, components, gridView, servingDimensions, type Grid } from '../../../collector/diagnosis/grid.js';
import { explainedBy, gridTestCount, locate } from '../../../collector/diagnosis/classify.js';
import { DEFAULT_DIAGNOSIS_OPTIONS } from '../../../collector/diagnosis/index.js';
import type { Observation } from '../../../collector/diagnosis/types.js';
import { HOUR, dnsFault, generate, ipNames, onNode } from './scenarios.js';

function buildGrid(observations: readonly Observation[], dimension: string): Grid {
  const [grid] = buildGrids(observations, [dimension]);
  assert.ok(grid !== undefined);
  return grid;
}

test('buildGrid - regions x IPs, DNS failures left out', () => {
  const obs = generate({ seed: 1, regions: 2, ips: 3, durationMs: HOUR / 6, dns: [dnsFault((c) => c.region === 'us-east', 0.5, 'DNS_TIMEOUT')] });
  const grid = buildGrid(obs, 'ip');
  assert.deepEqual(grid.rows, ['eu-west', 'us-east']);
  assert.deepEqual(grid.columns, ipNames(3));
  const view = gridView(grid);
  assert.deepEqual(view.cells[0], [{ failures: 0, probes: 10 }, { failures: 0, probes: 10 }, { failures: 0, probes: 10 }]);
  const dnsFailed = obs.filter((o) => o.ip === '').length;
  assert.ok(dnsFailed > 0);
  assert.equal(view.cells[1]?.[0]?.probes, 10 - dnsFailed);
  assert.deepEqual(view.agents.map((a) => a.agent), ['eu-west-1', 'us-east-1']);
});

test('buildGrid - agent rows count exactly the probes in the cells: DNS failures and probes without a value left out', () => {
  const obs = generate({
    seed: 3, regions: 2, ips: 2, agentsPerRegion: 3, durationMs: HOUR / 6, faults: [onNode('203.0.113.11', 0.3)],
    dns: [dnsFault((c) => c.region === 'eu-west', 0.3, 'DNS_SERVFAIL')],
    // one agent's probes carry no x-served-by: they are in the ip grid, not in the x-served-by grid
    identity: (c) => (c.agent.endsWith('-3') ? {} : { 'x-served-by': `lb-${c.ip.slice(-1)}` }),
  });
  // the agents take turns within a region: the grid's count must follow every switch
  const shuffled = [...obs].sort((a, b) => a.resultId.split('').reverse().join('').localeCompare(b.resultId.split('').reverse().join('')));
  const dimensions = ['ip', 'x-served-by'];
  const grids = buildGrids(shuffled, dimensions);
  assert.deepEqual(grids.map((g) => g.dimension), dimensions);
  for (const grid of grids) {
    const dimension = grid.dimension;
    // built together, each grid is the one built alone: same cells, same observations in each, same agent rows
    const alone = buildGrid(shuffled, dimension);
    assert.deepEqual(gridView(grid), gridView(alone), dimension);
    assert.deepEqual([...grid.cells.keys()], [...alone.cells.keys()], dimension);
    for (const [key, cell] of grid.cells) assert.deepEqual(cell.observations.map((o) => o.resultId), alone.cells.get(key)?.observations.map((o) => o.resultId), key);
    const expected = new Map<string, { failures: number; probes: number }>();
    for (const cell of grid.cells.values()) {
      for (const o of cell.observations) {
        const t = expected.get(`${o.region}/${o.agent}`) ?? { failures: 0, probes: 0 };
        t.probes++;
        if (!o.ok) t.failures++;
        expected.set(`${o.region}/${o.agent}`, t);
      }
    }
    const view = gridView(grid);
    assert.deepEqual(
      view.agents.map((a) => [`${a.region}/${a.agent}`, a.failures, a.probes]),
      [...expected.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, t]) => [k, t.failures, t.probes]),
      dimension,
    );
    assert.equal(view.agents.length, dimension === 'ip' ? 6 : 4);
    assert.ok(view.agents.some((a) => a.failures > 0));
    const inCells = [...grid.cells.values()].reduce((n, c) => n + c.probes, 0);
    assert.equal(view.agents.reduce((n, a) => n + a.probes, 0), inCells);
    assert.ok(inCells < obs.length, 'some probes are left out of the grid');
  }
});

test('servingDimensions - ip first, identity names sorted, reserved names skipped', () => {
  const obs = generate({ seed: 2, regions: 1, ips: 1, durationMs: HOUR / 60, identity: () => ({ pop: 'FRA', 'x-served-by': 'lb-1', region: 'x' }) });
  assert.deepEqual(servingDimensions(obs), ['ip', 'pop', 'x-served-by']);
  assert.deepEqual(buildGrid(obs, 'pop').columns, ['FRA']);
});

test('servingDimensions - an identity with a value per request is no serving node', () => {
  const obs = generate({ seed: 5, regions: 2, ips: 2, durationMs: 2 * HOUR, identity: (c) => ({ 'x-request-id': String(c.rng()), pop: 'FRA' }) });
  assert.deepEqual(servingDimensions(obs), ['ip', 'pop']);
});

test('components - geo-DNS splits the grid into groups that share nothing', () => {
  const obs = generate({ seed: 3, regions: 4, ips: 2, durationMs: HOUR / 6, reach: (r, ips) => (r.startsWith('us') || r === 'sa-east' ? [ips[1] ?? ''] : [ips[0] ?? '']) });
  const groups = components([...buildGrid(obs, 'ip').cells.values()]);
  assert.deepEqual(groups.map((g) => [g.rows, g.columns]), [
    [['ap-south', 'eu-west'], ['203.0.113.10']],
    [['sa-east', 'us-east'], ['203.0.113.11']],
  ]);
});

test('locate - a column elevated in every row is a column, and it explains that column', () => {
  const [, b] = ipNames(3);
  const grid = buildGrid(generate({ seed: 4, regions: 3, ips: 3, durationMs: HOUR, faults: [onNode(b ?? '', 0.5)] }), 'ip');
  const found = locate(grid, { alpha: 0.01, tests: gridTestCount(grid) }, DEFAULT_DIAGNOSIS_OPTIONS);
  assert.deepEqual(found.map((l) => [l.kind, l.columns]), [['column', [b]]]);
  assert.deepEqual(found[0]?.cleanOutside, { failures: 0, probes: 360 });
  assert.deepEqual([...explainedBy(found).columns], [b]);
  // 3 rows + 3 columns + 9 cells + 3 possible groups + the residual.
  assert.equal(gridTestCount(grid), 19);
});
