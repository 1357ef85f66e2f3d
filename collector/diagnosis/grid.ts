import type { FailureCode } from '../../proto/index.js';
import type { AgentCounts, Counts, GridView, Observation } from './types.js';
import type { Tally } from './stats.js';

/** DNS failures carry no IP and no identity: they are judged on their own grid (see dns.ts). */
export const DNS_CODES: ReadonlySet<FailureCode> = new Set<FailureCode>(['DNS_NXDOMAIN', 'DNS_SERVFAIL', 'DNS_TIMEOUT']);
/** Certificate problems: when they dominate a finding it becomes `tls`. */
export const TLS_CERT_CODES: ReadonlySet<FailureCode> = new Set<FailureCode>(['TLS_CERT_EXPIRED', 'TLS_CERT_INVALID']);

/** Identity rule names that would collide with the built-in suspect dimensions are not used as columns. */
const RESERVED_DIMENSIONS: ReadonlySet<string> = new Set(['ip', 'region', 'agent', 'path', 'dns']);

export function isDnsFailure(o: Observation): boolean {
  return !o.ok && o.failure !== null && DNS_CODES.has(o.failure);
}

/** One cell: the probes of one region against one serving node. */
export interface Cell extends Tally {
  readonly row: string;
  readonly column: string;
  readonly observations: readonly Observation[];
}

/** Rows = regions, columns = values of one serving dimension; only cells that have probes exist. */
export interface Grid {
  readonly dimension: string;
  readonly rows: readonly string[];
  readonly columns: readonly string[];
  readonly cells: ReadonlyMap<string, Cell>;
  /** Per (region, agent), the probes in the cells, sorted (the evidence's agent rows). */
  readonly agents: readonly AgentCounts[];
}

/** Code-unit order: stable whatever the locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function cellKey(row: string, column: string): string {
  return `${row}\u0000${column}`;
}

/**
 * An identity with more values than this is no serving node (a request id, a timestamp): it would only
 * make a grid of single-probe columns, and the tests would cost quadratic time for nothing.
 */
export const MAX_IDENTITY_VALUES = 128;

/** `ip`, then every identity rule name seen in the observations (at most MAX_IDENTITY_VALUES values), sorted. */
export function servingDimensions(observations: readonly Observation[]): string[] {
  // observations from the store share identity objects (one per distinct identity): each is read once
  return dimensionsOf(new Set(observations.map((o) => o.identity)));
}

/** `servingDimensions` of observations whose distinct identities are these. */
export function dimensionsOf(identities: Iterable<Observation['identity']>): string[] {
  const values = new Map<string, Set<string>>();
  for (const identity of identities) {
    for (const name in identity) {
      if (!Object.hasOwn(identity, name) || RESERVED_DIMENSIONS.has(name)) continue;
      const value = identity[name]!;
      let seen = values.get(name);
      if (seen === undefined) {
        seen = new Set();
        values.set(name, seen);
      }
      if (seen.size <= MAX_IDENTITY_VALUES) seen.add(value);
    }
  }
  const names = [...values.entries()].filter(([, seen]) => seen.size <= MAX_IDENTITY_VALUES).map(([name]) => name);
  return ['ip', ...names.sort()];
}

/** The observation's value along a serving dimension, or undefined when it has none. */
export function servingValue(o: Observation, dimension: string): string | undefined {
  if (dimension === 'ip') return o.ip === '' ? undefined : o.ip;
  const value = Object.hasOwn(o.identity, dimension) ? o.identity[dimension] : undefined;
  return value === undefined || value === '' ? undefined : value;
}

interface Bucket {
  readonly key: string;
  readonly row: string;
  readonly column: string;
  readonly observations: Observation[];
  failures: number;
}

interface AgentEntry {
  readonly key: string;
  readonly region: string;
  readonly agent: string;
  failures: number;
  probes: number;
}

/** One region's part of one grid being built: its cells by column, and its agents' counts. */
interface RowState {
  readonly columns: Map<string, Bucket>;
  readonly agents: Map<string, AgentEntry>;
  /** The agent of the row's last observation: a region has one or few agents, so this is nearly always it. */
  last: AgentEntry | null;
}

/** One grid being built. */
interface GridState {
  readonly dimension: string;
  readonly buckets: Bucket[];
  readonly agents: AgentEntry[];
}

/**
 * The region × node grid along each of `dimensions` (DNS failures and results without a value left
 * out), in one pass over the observations: each is checked and found its region once for every grid.
 */
export function buildGrids(observations: readonly Observation[], dimensions: readonly string[]): Grid[] {
  // region → per dimension → column → bucket: no key string per observation (this loop runs over every probe)
  const byRow = new Map<string, RowState[]>();
  const grids: GridState[] = dimensions.map((dimension) => ({ dimension, buckets: [], agents: [] }));
  const n = grids.length;
  for (const o of observations) {
    if (isDnsFailure(o)) continue;
    let rows = byRow.get(o.region);
    if (rows === undefined) {
      rows = grids.map(() => ({ columns: new Map(), agents: new Map(), last: null }));
      byRow.set(o.region, rows);
    }
    for (let d = 0; d < n; d++) {
      const grid = grids[d]!;
      const column = servingValue(o, grid.dimension);
      if (column === undefined) continue;
      const row = rows[d]!;
      let bucket = row.columns.get(column);
      if (bucket === undefined) {
        bucket = { key: cellKey(o.region, column), row: o.region, column, observations: [], failures: 0 };
        row.columns.set(column, bucket);
        grid.buckets.push(bucket);
      }
      bucket.observations.push(o);
      let agent = row.last;
      if (agent === null || agent.agent !== o.agent) {
        agent = row.agents.get(o.agent) ?? null;
        if (agent === null) {
          agent = { key: `${o.region}/${o.agent}`, region: o.region, agent: o.agent, failures: 0, probes: 0 };
          row.agents.set(o.agent, agent);
          grid.agents.push(agent);
        }
        row.last = agent;
      }
      agent.probes++;
      if (!o.ok) {
        bucket.failures++;
        agent.failures++;
      }
    }
  }
  return grids.map(finishGrid);
}

function finishGrid(state: GridState): Grid {
  const buckets = state.buckets.sort((a, b) => compareStrings(a.key, b.key));
  const cells = new Map<string, Cell>();
  const rows = new Set<string>();
  const columns = new Set<string>();
  for (const b of buckets) {
    rows.add(b.row);
    columns.add(b.column);
    cells.set(b.key, { row: b.row, column: b.column, observations: b.observations, failures: b.failures, probes: b.observations.length });
  }
  const agents = state.agents
    .sort((a, b) => compareStrings(a.key, b.key))
    .map((e) => ({ region: e.region, agent: e.agent, failures: e.failures, probes: e.probes }));
  return { dimension: state.dimension, rows: [...rows].sort(), columns: [...columns].sort(), cells, agents };
}

/** The grid as the JSON evidence shows it: a full rows × columns matrix of counts plus agent rows. */
export function gridView(grid: Grid): GridView {
  const cells: Counts[][] = grid.rows.map((row) =>
    grid.columns.map((column) => {
      const cell = grid.cells.get(cellKey(row, column));
      return { failures: cell?.failures ?? 0, probes: cell?.probes ?? 0 };
    }),
  );
  return { dimension: grid.dimension, rows: grid.rows, columns: grid.columns, cells, agents: grid.agents };
}

/** Columns that `row` has probes on, among some cells. */
export function columnsReached(cells: Iterable<Cell>, row: string): string[] {
  const columns = new Set<string>();
  for (const c of cells) if (c.row === row) columns.add(c.column);
  return [...columns].sort();
}

/**
 * Connected groups of rows and columns, linked by the cells that have probes: rows in one group never
 * reach columns of another (geo-DNS), so nothing in one group can be compared line by line with another.
 */
export function components(cells: readonly Cell[]): { rows: string[]; columns: string[]; cells: Cell[] }[] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    for (let p = parent.get(root); p !== undefined && p !== root; p = parent.get(root)) root = p;
    parent.set(x, root);
    return root;
  };
  const union = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  };
  for (const c of cells) {
    const r = `r\u0000${c.row}`;
    const k = `c\u0000${c.column}`;
    if (!parent.has(r)) parent.set(r, r);
    if (!parent.has(k)) parent.set(k, k);
    union(r, k);
  }
  const groups = new Map<string, { rows: Set<string>; columns: Set<string>; cells: Cell[] }>();
  for (const c of cells) {
    const root = find(`r\u0000${c.row}`);
    let g = groups.get(root);
    if (g === undefined) {
      g = { rows: new Set(), columns: new Set(), cells: [] };
      groups.set(root, g);
    }
    g.rows.add(c.row);
    g.columns.add(c.column);
    g.cells.push(c);
  }
  return [...groups.values()]
    .map((g) => ({ rows: [...g.rows].sort(), columns: [...g.columns].sort(), cells: g.cells }))
    .sort((a, b) => compareStrings(a.rows[0] ?? '', b.rows[0] ?? ''));
}
