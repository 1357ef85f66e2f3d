import { addTallies, binomialUpper, fisherGreater, fisherLess, rate, type Tally } from './stats.js';
import { cellKey, compareStrings, components, type Cell, type Grid } from './grid.js';
import type { Counts, DiagnosisOptions, TestEvidence } from './types.js';

/**
 * Patterns read off one grid, before they are worded as findings:
 * - `column`: one node elevated in the rows that reach it, other nodes fine in the same rows (lb-node);
 * - `row`: one region elevated across its nodes, other regions fine on the same nodes (routing);
 * - `cell`: one region→node path elevated, its row and column otherwise fine (routing, path);
 * - `unpinned-cell`: one region→node cell elevated, but no other region reaches that node, so the node
 *   and the path cannot be told apart (inconclusive);
 * - `block`: a group of regions that only reach a group of nodes nobody else reaches (geo-DNS), elevated
 *   against the other groups (inconclusive);
 * - `everywhere`: what is left fails above the background rate on (nearly) every row and column (origin);
 * - `one-row`: the same, but a single region probes: its path and the origin are confounded (inconclusive);
 * - `scattered`: above the background rate without any of these shapes (inconclusive).
 */
export const LOCATED_KINDS = ['column', 'row', 'cell', 'unpinned-cell', 'block', 'everywhere', 'one-row', 'scattered'] as const;
export type LocatedKind = (typeof LOCATED_KINDS)[number];

/** A pattern found on one grid. */
export interface Located {
  readonly kind: LocatedKind;
  readonly grid: Grid;
  /** The rows and columns the pattern covers. */
  readonly rows: readonly string[];
  readonly columns: readonly string[];
  readonly cells: readonly Cell[];
  readonly test: TestEvidence;
  /**
   * For rows and columns: the comparison group once every other pattern's cells are left out — what
   * "the other nodes" / "the other regions" look like on their own (null when nothing is left).
   */
  readonly cleanOutside: Counts | null;
}

/** Cells another window already explained: left out before looking for confounded groups and origin. */
export interface Explained {
  readonly rows: ReadonlySet<string>;
  readonly columns: ReadonlySet<string>;
  readonly cells: ReadonlySet<string>;
}

const NOTHING_EXPLAINED: Explained = { rows: new Set(), columns: new Set(), cells: new Set() };

/** The rows, columns and cells patterns explain (for the other window). */
export function explainedBy(found: readonly Located[]): Explained {
  const rows = new Set<string>();
  const columns = new Set<string>();
  const cells = new Set<string>();
  for (const l of found) {
    if (l.kind === 'column') for (const c of l.columns) columns.add(c);
    else if (l.kind === 'row') for (const r of l.rows) rows.add(r);
    else if (l.kind === 'cell' || l.kind === 'unpinned-cell' || l.kind === 'block') for (const c of l.cells) cells.add(cellKey(c.row, c.column));
  }
  return { rows, columns, cells };
}

/** The Bonferroni family the grid's tests belong to: each test must reach p <= alpha / tests. */
export interface Budget {
  readonly alpha: number;
  readonly tests: number;
}

/**
 * How many hypotheses `locate` may test on this grid: every row, column and cell, the confounded
 * groups (at most min(rows, columns) of them) and the residual against the background rate.
 */
export function gridTestCount(grid: Grid): number {
  if (grid.cells.size === 0) return 0;
  const groups = Math.min(grid.rows.length, grid.columns.length);
  return grid.rows.length + grid.columns.length + grid.cells.size + (groups > 1 ? groups : 0) + 1;
}

type LineKind = 'row' | 'column';

interface LineTest {
  readonly kind: LineKind;
  readonly key: string;
  readonly cells: Cell[];
  readonly inside: Tally;
  readonly outside: Tally;
  readonly p: number;
}

function counts(t: Tally): Counts {
  return { failures: t.failures, probes: t.probes };
}

function sortedCells(active: ReadonlyMap<string, Cell>): Cell[] {
  return [...active.keys()].sort().flatMap((k) => {
    const c = active.get(k);
    return c === undefined ? [] : [c];
  });
}

function lineOf(c: Cell, kind: LineKind): string {
  return kind === 'column' ? c.column : c.row;
}

function crossOf(c: Cell, kind: LineKind): string {
  return kind === 'column' ? c.row : c.column;
}

/**
 * A column against the other columns in the rows that reach it (or a row against the other rows on
 * the columns it reaches): comparing within the same rows keeps a bad region from looking like a bad
 * node, and the other way round.
 */
function lineTest(active: ReadonlyMap<string, Cell>, kind: LineKind, key: string): LineTest {
  const cells: Cell[] = [];
  const crossing = new Set<string>();
  for (const c of active.values()) {
    if (lineOf(c, kind) === key) {
      cells.push(c);
      crossing.add(crossOf(c, kind));
    }
  }
  const outsideCells: Cell[] = [];
  for (const c of active.values()) if (lineOf(c, kind) !== key && crossing.has(crossOf(c, kind))) outsideCells.push(c);
  cells.sort((a, b) => compareStrings(cellKey(a.row, a.column), cellKey(b.row, b.column)));
  const inside = addTallies(cells);
  const outside = addTallies(outsideCells);
  return { kind, key, cells, inside, outside, p: fisherGreater(inside, outside) };
}

/** Distinct rows and columns of some cells, sorted. */
function span(cells: readonly Cell[]): { rows: string[]; columns: string[] } {
  return {
    rows: [...new Set(cells.map((c) => c.row))].sort(),
    columns: [...new Set(cells.map((c) => c.column))].sort(),
  };
}

/** A pattern before its clean comparison group is known (that needs every pattern of the grid). */
type Pattern = Omit<Located, 'cleanOutside'>;

/** The cells no pattern has claimed yet, by cell key: each phase of `locate` takes out what it explains. */
type Active = Map<string, Cell>;

/** What every phase of `locate` reads: the grid, its test family and the level each test must reach. */
interface Search {
  readonly grid: Grid;
  readonly budget: Budget;
  readonly options: DiagnosisOptions;
  /** alpha / tests: the Bonferroni-corrected level. */
  readonly threshold: number;
}

/**
 * Finds the patterns in a grid, strongest first, explaining each away before looking for the next:
 * 1. lines (rows and columns): the most significant line is checked for consistency — failures
 *    concentrated on one of its cells make it a path; some of its cells clearly fine make it no line
 *    at all (its cells are judged on their own later) — then its cells are set aside and the rest retested;
 * 2. single cells against their row and column;
 * 3. confounded groups (rows and columns nobody else shares) against each other;
 * 4. what is left against the background rate: origin when it covers (nearly) every row and column.
 */
export function locate(grid: Grid, budget: Budget, options: DiagnosisOptions, explained: Explained = NOTHING_EXPLAINED): Located[] {
  const search: Search = { grid, budget, options, threshold: budget.alpha / Math.max(1, budget.tests) };
  const active: Active = new Map(grid.cells);
  const found: Pattern[] = [];
  found.push(...findLines(search, active));
  found.push(...findCells(search, active));
  setAsideExplained(active, explained);
  found.push(...findBlocks(search, active));
  const residual = findResidual(search, active);
  if (residual !== null) found.push(residual);
  return found.map((l) => ({ ...l, cleanOutside: cleanOutside(grid, l, found) }));
}

/** Enough failures, something to compare with, a rate well above it, and significant at `level`. */
function qualifies(options: DiagnosisOptions, inside: Tally, outside: Tally, p: number, level: number): boolean {
  return inside.failures >= options.minFailures && outside.probes > 0 && rate(inside) >= options.minRateRatio * rate(outside) && p <= level;
}

function fisherEvidence(search: Search, compared: string, inside: Tally, outside: Tally, p: number): TestEvidence {
  return {
    method: 'fisher-exact',
    compared,
    inside: counts(inside),
    outside: counts(outside),
    baselineRate: null,
    p,
    tests: search.budget.tests,
    pAdjusted: Math.min(1, p * search.budget.tests),
  };
}

function claim(active: Active, cells: readonly Cell[]): void {
  for (const c of cells) active.delete(cellKey(c.row, c.column));
}

/** A path another region also reaches (`cell`), or one only this region reaches (`unpinned-cell`). */
function pathKind(active: Active, cell: Cell): LocatedKind {
  for (const c of active.values()) if (c.column === cell.column && c.row !== cell.row) return 'cell';
  return 'unpinned-cell';
}

function cellPattern(grid: Grid, kind: LocatedKind, cell: Cell, test: TestEvidence): Pattern {
  return { kind, grid, rows: [cell.row], columns: [cell.column], cells: [cell], test };
}

function lineId(kind: LineKind, key: string): string {
  return `${kind}\u0000${key}`;
}

/** Phase 1: rows and columns, the most significant first, each checked for consistency before it is claimed. */
function findLines(search: Search, active: Active): Pattern[] {
  const found: Pattern[] = [];
  const skipped = new Set<string>();
  for (;;) {
    const line = strongestLine(search, active, skipped);
    if (line === undefined) return found;
    const pattern = linePattern(search, active, line);
    if (pattern === null) {
      skipped.add(lineId(line.kind, line.key));
      continue;
    }
    found.push(pattern);
    claim(active, pattern.cells);
  }
}

/** The most significant qualifying line among the active cells' rows and columns (columns first on ties). */
function strongestLine(search: Search, active: Active, skipped: ReadonlySet<string>): LineTest | undefined {
  let best: LineTest | undefined;
  const { rows, columns } = span(sortedCells(active));
  const candidates = [...columns.map((k) => ['column', k] as const), ...rows.map((k) => ['row', k] as const)];
  for (const [kind, key] of candidates) {
    if (skipped.has(lineId(kind, key))) continue;
    const t = lineTest(active, kind, key);
    if (!qualifies(search.options, t.inside, t.outside, t.p, search.threshold)) continue;
    if (best === undefined || t.p < best.p) best = t;
  }
  return best;
}

/**
 * What a significant line turns out to be: a path when it has one cell or its failures concentrate
 * on one, the line itself when it is consistent, or null — not a line — when some of its cells are
 * clearly fine (its bad cells are judged alone later).
 */
function linePattern(search: Search, active: Active, line: LineTest): Pattern | null {
  const { grid } = search;
  const evidence = (note: string): TestEvidence => fisherEvidence(search, describeLine(grid.dimension, line) + note, line.inside, line.outside, line.p);
  const only = line.cells.length === 1 ? line.cells[0] : undefined;
  if (only !== undefined) {
    // A column reached by one region: that node, or that region's path to it? Only another region can say.
    // A row with one column: the node works for the other regions, so it is this region's path.
    return cellPattern(grid, line.kind === 'column' ? 'unpinned-cell' : 'cell', only, evidence(''));
  }
  const worst = concentratedOn(search, active, line);
  if (worst !== undefined) return cellPattern(grid, pathKind(active, worst), worst, evidence(`; the failures are concentrated on ${worst.row}→${worst.column}`));
  if (hasFineCells(active, line, search.options)) return null;
  const { rows, columns } = span(line.cells);
  return { kind: line.kind, grid, rows, columns, cells: line.cells, test: evidence('') };
}

function describeLine(dim: string, t: LineTest): string {
  return t.kind === 'column'
    ? `${dim} ${t.key} vs the other ${dim} values in the same regions`
    : `region ${t.key} vs the other regions on the same ${dim} values`;
}

/** The one cell clearly worse than the rest of its line, when the rest is no longer elevated without it. */
function concentratedOn(search: Search, active: Active, line: LineTest): Cell | undefined {
  const { options } = search;
  let worst: Cell | undefined;
  let worstP = 1;
  for (const c of line.cells) {
    const p = fisherGreater(c, addTallies(line.cells.filter((o) => o !== c)));
    if (p < worstP) {
      worst = c;
      worstP = p;
    }
  }
  if (worst === undefined || worstP > options.alpha / line.cells.length) return undefined;
  const without = new Map(active);
  without.delete(cellKey(worst.row, worst.column));
  const rest = lineTest(without, line.kind, line.key);
  return qualifies(options, rest.inside, rest.outside, rest.p, options.alpha) ? undefined : worst;
}

/** Phase 2: single cells against the rest of their row and column, the most significant first. */
function findCells(search: Search, active: Active): Pattern[] {
  const found: Pattern[] = [];
  for (;;) {
    const best = strongestCell(search, active);
    if (best === undefined) return found;
    const { cell } = best;
    const test = fisherEvidence(search, `${cell.row}→${cell.column} vs the rest of its row and column`, best.inside, best.outside, best.p);
    found.push(cellPattern(search.grid, pathKind(active, cell), cell, test));
    claim(active, [cell]);
  }
}

function strongestCell(search: Search, active: Active): { cell: Cell; inside: Tally; outside: Tally; p: number } | undefined {
  let best: { cell: Cell; inside: Tally; outside: Tally; p: number } | undefined;
  for (const cell of sortedCells(active)) {
    const neighbours: Cell[] = [];
    for (const c of active.values()) if (c !== cell && (c.row === cell.row || c.column === cell.column)) neighbours.push(c);
    const outside = addTallies(neighbours);
    const p = fisherGreater(cell, outside);
    if (!qualifies(search.options, cell, outside, p, search.threshold)) continue;
    if (best === undefined || p < best.p) best = { cell, inside: cell, outside, p };
  }
  return best;
}

/**
 * What the other window explained is no evidence for a confounded group or for origin here (a short
 * window is too thin to localize what the long one did, but thick enough to fail a background test).
 */
function setAsideExplained(active: Active, explained: Explained): void {
  for (const c of sortedCells(active)) {
    if (explained.rows.has(c.row) || explained.columns.has(c.column) || explained.cells.has(cellKey(c.row, c.column))) claim(active, [c]);
  }
}

/** Phase 3: rows and columns that share no cell with the rest can only be compared as a block. */
function findBlocks(search: Search, active: Active): Pattern[] {
  const found: Pattern[] = [];
  const dim = search.grid.dimension;
  for (;;) {
    const groups = components(sortedCells(active));
    if (groups.length < 2) return found;
    let best: { group: (typeof groups)[number]; inside: Tally; outside: Tally; p: number } | undefined;
    for (const group of groups) {
      const inside = addTallies(group.cells);
      const outside = addTallies(groups.filter((g) => g !== group).flatMap((g) => g.cells));
      const p = fisherGreater(inside, outside);
      if (!qualifies(search.options, inside, outside, p, search.threshold)) continue;
      if (best === undefined || p < best.p) best = { group, inside, outside, p };
    }
    if (best === undefined) return found;
    const { group } = best;
    found.push({
      kind: 'block',
      grid: search.grid,
      rows: group.rows,
      columns: group.columns,
      cells: group.cells,
      test: fisherEvidence(search, `regions ${group.rows.join(', ')} on ${dim} ${group.columns.join(', ')} vs the groups they share nothing with`, best.inside, best.outside, best.p),
    });
    claim(active, group.cells);
  }
}

/**
 * Phase 4: the rest against the background rate — no comparison inside the grid can see a fault that
 * is everywhere. Origin when the failures cover (nearly) every row and column, one region's when only
 * one probes, scattered otherwise; null when the rest is not above the background.
 */
function findResidual(search: Search, active: Active): Pattern | null {
  const { grid, budget, options, threshold } = search;
  const rest = sortedCells(active);
  const total = addTallies(rest);
  if (total.failures < options.minFailures || rate(total) < options.minRateRatio * options.backgroundRate) return null;
  const p = binomialUpper(total.failures, total.probes, options.backgroundRate);
  if (p > threshold) return null;
  const { rows, columns } = span(rest);
  const failingSpan = span(rest.filter((c) => c.failures > 0));
  const covered =
    failingSpan.rows.length >= options.nearlyEveryFraction * rows.length &&
    failingSpan.columns.length >= options.nearlyEveryFraction * columns.length;
  return {
    kind: !covered ? 'scattered' : rows.length >= 2 ? 'everywhere' : 'one-row',
    grid,
    rows,
    columns,
    cells: rest,
    test: {
      method: 'binomial',
      compared: `every remaining ${grid.dimension} from every remaining region vs a ${options.backgroundRate} background failure rate`,
      inside: counts(total),
      outside: null,
      baselineRate: options.backgroundRate,
      p,
      tests: budget.tests,
      pAdjusted: Math.min(1, p * budget.tests),
    },
  };
}

/** A row's, column's or cell's comparison group (its rows / columns / row and column) without any pattern's cells. */
function cleanOutside(grid: Grid, l: Pattern, found: readonly Pattern[]): Counts | null {
  const claimed = new Set(found.flatMap((f) => f.cells.map((c) => cellKey(c.row, c.column))));
  const rows = new Set(l.rows);
  const columns = new Set(l.columns);
  const compared = (c: Cell): boolean => {
    switch (l.kind) {
      case 'column':
        return rows.has(c.row);
      case 'row':
        return columns.has(c.column);
      case 'cell':
      case 'unpinned-cell':
        return rows.has(c.row) || columns.has(c.column);
      default:
        return false;
    }
  };
  const rest = [...grid.cells.values()].filter((c) => !claimed.has(cellKey(c.row, c.column)) && compared(c));
  const t = addTallies(rest);
  return t.probes === 0 ? null : counts(t);
}

/**
 * Does the line split into a clearly fine part and a failing part? Over the splits of its cells by
 * failure rate, one whose low part fails significantly less than the rest of the line (corrected for
 * every subset of cells it could have been) and shows no sign of elevation against the other lines in
 * its own rows/columns. Two regions failing on a node while two others are fine on it are two paths,
 * not a node; a node failing 100% from three regions and 50% from the fourth is still that node.
 */
function hasFineCells(active: ReadonlyMap<string, Cell>, line: LineTest, options: DiagnosisOptions): boolean {
  const cells = [...line.cells].sort((a, b) => rate(a) - rate(b) || compareStrings(cellKey(a.row, a.column), cellKey(b.row, b.column)));
  const subsets = Math.pow(2, Math.min(cells.length, 52)) - 2;
  for (let j = 1; j < cells.length; j++) {
    const fineCells = cells.slice(0, j);
    const fine = addTallies(fineCells);
    const rest = addTallies(cells.slice(j));
    if (fisherLess(fine, rest) > options.alpha / subsets) continue;
    if (rate(fine) * options.minRateRatio > rate(rest)) continue;
    const crossing = new Set(fineCells.map((c) => crossOf(c, line.kind)));
    const around = addTallies([...active.values()].filter((c) => lineOf(c, line.kind) !== line.key && crossing.has(crossOf(c, line.kind))));
    if (fisherGreater(fine, around) > options.alpha) return true;
  }
  return false;
}
