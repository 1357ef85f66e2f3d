import { agentKey, triageAgents } from './agent-triage.js';
import type { Census } from './census.js';
import { explainedBy, gridTestCount, locate, type Budget, type Explained } from './classify.js';
import { dnsMayFind, dnsTestCount, type AgentResolutions } from './dns.js';
import { cellKey, compareStrings, dimensionsOf, type Cell, type Grid } from './grid.js';
import { resolveOptions } from './options.js';
import type { AgentHealth, DiagnosisOptions, Observation } from './types.js';

/**
 * One agent's results against one IP with one serving identity, over one window, counted: what the
 * classifier's decisions read from the observations. Results failed with ADDRESS_BLOCKED are not in it
 * (the diagnosis sets them aside).
 */
export interface CellTally {
  readonly region: string;
  readonly agent: string;
  /** "" when the results had no IP. */
  readonly ip: string;
  readonly identity: Observation['identity'];
  readonly probes: number;
  /** Failed results, DNS failures included. */
  readonly failures: number;
  /** Of `failures`, DNS failures (judged on their own grid, left out of the serving grids). */
  readonly dnsFailures: number;
}

/** What `mayFind` needs: the counts `diagnose` would tally from its observations, and the same agents. */
export interface ScreenInput {
  /** Per window, in `diagnose`'s order (short, long), every cell with results in it. */
  readonly windows: readonly (readonly CellTally[])[];
  readonly agents: readonly AgentHealth[];
  readonly options?: Partial<DiagnosisOptions> | undefined;
}

/**
 * Whether `diagnose` could find anything in observations counted as `input` says: false means its
 * verdict is `healthy` with no finding, decided from counts alone (per cell, not per result). It runs
 * the classifier's own decisions — agent triage, `locate` on every serving grid of both windows with
 * the same test budget, the DNS search — on grids built from the counts, and stops at the first pattern
 * any of them finds. Every decision of the classifier reads counts only (the observations behind a
 * cell are read to word a finding, never to decide one), so the answer is exact, not an estimate: a
 * test diagnoses every scenario both ways and compares.
 */
export function mayFind(input: ScreenInput): boolean {
  const options: DiagnosisOptions = resolveOptions(input.options ?? {});
  const censuses = input.windows.map(censusOfCells);
  const flagged = triageAgents(input.agents, censuses, options);
  const long = censuses[censuses.length - 1];
  for (const flag of flagged.values()) {
    // an agent set aside that probed this target is an `agent` finding
    if ((long?.regions.get(flag.region)?.get(flag.agent)?.probes ?? 0) > 0) return true;
  }
  // (agents set aside that did not probe it leave its observations as they are)
  const grids: Grid[][] = input.windows.map((cells, i) => buildCountGrids(cells, dimensionsOf(censuses[i]!.identities)).filter((g) => g.cells.size > 0));
  let tests = 0;
  censuses.forEach((census, i) => {
    tests += dnsTestCount(census.regions.size);
    for (const g of grids[i] ?? []) tests += gridTestCount(g);
  });
  const budget: Budget = { alpha: options.alpha, tests };
  const explained = new Map<string, Explained>();
  for (let i = input.windows.length - 1; i >= 0; i--) {
    for (const g of grids[i] ?? []) {
      // every pattern locate can find (a line, a cell, a block, the residual) needs minFailures failures
      // in its cells: a grid with fewer has none, and its tests need not run (most healthy targets)
      let failures = 0;
      for (const c of g.cells.values()) failures += c.failures;
      const located = failures < options.minFailures ? [] : locate(g, budget, options, explained.get(g.dimension));
      if (located.length > 0) return true;
      // the long window is last: what it explained (nothing, here) is what the short window is told
      if (i === input.windows.length - 1) explained.set(g.dimension, explainedBy(located));
    }
    if (dnsMayFind(resolutionsOf(input.windows[i] ?? []), budget, options)) return true;
  }
  return false;
}

/** The census `censusOf` would take of the observations behind the cells. */
function censusOfCells(cells: readonly CellTally[]): Census {
  const regions = new Map<string, Map<string, { failures: number; probes: number }>>();
  const identities = new Set<Observation['identity']>();
  for (const c of cells) {
    if (c.probes === 0) continue;
    let agents = regions.get(c.region);
    if (agents === undefined) {
      agents = new Map();
      regions.set(c.region, agents);
    }
    const t = agents.get(c.agent);
    if (t === undefined) agents.set(c.agent, { failures: c.failures, probes: c.probes });
    else {
      t.failures += c.failures;
      t.probes += c.probes;
    }
    identities.add(c.identity);
  }
  return { regions, identities };
}

/** The serving value of a cell along a dimension, as `servingValue` gives it for its observations. */
function cellValue(c: CellTally, dimension: string): string | undefined {
  if (dimension === 'ip') return c.ip === '' ? undefined : c.ip;
  const value = Object.hasOwn(c.identity, dimension) ? c.identity[dimension] : undefined;
  return value === undefined || value === '' ? undefined : value;
}

/** The grids `buildGrids` would build from the observations behind the cells (DNS failures left out), without observations. */
export function buildCountGrids(cells: readonly CellTally[], dimensions: readonly string[]): Grid[] {
  return dimensions.map((dimension) => {
    const buckets = new Map<string, { row: string; column: string; failures: number; probes: number }>();
    const agents = new Map<string, { region: string; agent: string; failures: number; probes: number }>();
    for (const c of cells) {
      const probes = c.probes - c.dnsFailures;
      if (probes <= 0) continue;
      const column = cellValue(c, dimension);
      if (column === undefined) continue;
      const failures = c.failures - c.dnsFailures;
      const key = cellKey(c.region, column);
      const b = buckets.get(key);
      if (b === undefined) buckets.set(key, { row: c.region, column, failures, probes });
      else {
        b.failures += failures;
        b.probes += probes;
      }
      const agentId = `${c.region}/${c.agent}`;
      const a = agents.get(agentId);
      if (a === undefined) agents.set(agentId, { region: c.region, agent: c.agent, failures, probes });
      else {
        a.failures += failures;
        a.probes += probes;
      }
    }
    const keys = [...buckets.keys()].sort(compareStrings);
    const gridCells = new Map<string, Cell>();
    const rows = new Set<string>();
    const columns = new Set<string>();
    for (const key of keys) {
      const b = buckets.get(key)!;
      rows.add(b.row);
      columns.add(b.column);
      gridCells.set(key, { row: b.row, column: b.column, observations: [], failures: b.failures, probes: b.probes });
    }
    const agentRows = [...agents.keys()].sort(compareStrings).map((k) => {
      const a = agents.get(k)!;
      return { region: a.region, agent: a.agent, failures: a.failures, probes: a.probes };
    });
    return { dimension, rows: [...rows].sort(), columns: [...columns].sort(), cells: gridCells, agents: agentRows };
  });
}

/** Per agent, its DNS failures, its other results and the distinct IPs they reached. */
function resolutionsOf(cells: readonly CellTally[]): AgentResolutions[] {
  const byAgent = new Map<string, { region: string; agent: string; dnsFailed: number; resolved: number; ips: Set<string> }>();
  for (const c of cells) {
    if (c.probes === 0) continue;
    const key = agentKey(c.region, c.agent);
    let a = byAgent.get(key);
    if (a === undefined) {
      a = { region: c.region, agent: c.agent, dnsFailed: 0, resolved: 0, ips: new Set() };
      byAgent.set(key, a);
    }
    a.dnsFailed += c.dnsFailures;
    const resolved = c.probes - c.dnsFailures;
    a.resolved += resolved;
    if (resolved > 0 && c.ip !== '') a.ips.add(c.ip);
  }
  return [...byAgent.values()].map((a) => ({ region: a.region, agent: a.agent, dnsFailed: a.dnsFailed, resolved: a.resolved, ips: a.ips.size }));
}
