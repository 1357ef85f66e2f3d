import { topK } from '../../common/index.js';
import { list, pct } from './humanize.js';
import { TLS_CERT_CODES, columnsReached, compareStrings, gridView, type Cell } from './grid.js';
import { curlTo, hintsFor, type Endpoint, type Hint, type HintScope } from './hints.js';
import { countKeys, quantileInPlace, rate } from './stats.js';
import type { Located, LocatedKind } from './classify.js';
import type { DnsLocated } from './dns.js';
import type { FlaggedAgent } from './agent-triage.js';
import type {
  AgentFinding, DiagnosisOptions, Finding, Observation, Sample, Suspect, TargetEvidence, TargetFinding, TestEvidence, WindowName,
} from './types.js';

/** A window the patterns were read in. */
export interface WindowSpec {
  readonly name: WindowName;
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * How bad a finding is for the people using the target, most first: everyone (origin, the zone, the
 * certificate everywhere) > a share of everyone (one node) > one region > one path > unknown > our own
 * agent. The diagnosis' verdict is its most severe finding's.
 */
export function severity(f: Finding): number {
  const on = (dimension: string): boolean => f.suspects.some((s) => s.dimension === dimension);
  switch (f.verdict) {
    case 'origin':
      return 100;
    case 'dns':
      return f.suspects.length === 0 ? 95 : 65;
    case 'tls':
      return f.suspects.length === 0 ? 90 : on('path') || on('region') ? 60 : 75;
    case 'lb-node':
      return 80;
    case 'routing':
      return on('path') ? 55 : 70;
    case 'inconclusive':
      return 30;
    case 'agent':
      return 10;
  }
}

/** Most severe first, then most confident, then by summary (stable output). */
export function compareFindings(a: Finding, b: Finding): number {
  return severity(b) - severity(a) || b.confidence - a.confidence || compareStrings(a.summary, b.summary);
}

/** "HTTP_STATUS <status>" per status, made once (failures are tallied by it, thousands per diagnosis). */
const STATUS_KEYS = new Map<number, string>();

function statusKey(status: number): string {
  let key = STATUS_KEYS.get(status);
  if (key === undefined) {
    key = `HTTP_STATUS ${status}`;
    // statuses are 3-digit codes; anything else is not worth keeping
    if (Number.isInteger(status) && status >= 100 && status <= 999) STATUS_KEYS.set(status, key);
  }
  return key;
}

/** "HTTP_STATUS 502", "CONNECT_REFUSED", … */
export function failureKey(o: Observation): string {
  if (o.failure === 'HTTP_STATUS' && o.status !== null) return statusKey(o.status);
  return o.failure ?? (o.status !== null ? statusKey(o.status) : 'UNKNOWN');
}

function labelOf(key: string): string {
  return key.startsWith('HTTP_STATUS ') ? `${key.slice('HTTP_STATUS '.length)}s` : `${key} failures`;
}

/** "502s", "CONNECT_TIMEOUT failures", "502s and CONNECT_RESET failures" (a second kind needs a quarter of them). */
export function describeFailures(failures: readonly Observation[]): string {
  const ranked = [...countKeys(failures, failureKey).entries()].sort(([a, x], [b, y]) => y - x || compareStrings(a, b));
  const [first, second] = ranked;
  if (first === undefined) return 'failures';
  if (second !== undefined && second[1] * 4 >= failures.length) {
    const a = labelOf(first[0]);
    const b = labelOf(second[0]);
    return a.endsWith(' failures') && b.endsWith(' failures')
      ? `${first[0]} and ${second[0]} failures`
      : `${a.replace(/ failures$/, '')} and ${b}`;
  }
  return labelOf(first[0]);
}


function sortedRecord(counts: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...counts.keys()].sort()) out[k] = counts.get(k) ?? 0;
  return out;
}

/** Newest first; on the same millisecond, by result id. */
function newestFirst(a: Observation, b: Observation): number {
  return b.atMs - a.atMs || compareStrings(a.resultId, b.resultId);
}

/** The newest failures first: they are the ones still in the origin's logs. */
export function samplesOf(failures: readonly Observation[], max: number): Sample[] {
  return topK(failures, max, newestFirst)
    .map((o) => ({
      resultId: o.resultId,
      at: new Date(o.atMs).toISOString(),
      region: o.region,
      agent: o.agent,
      ip: o.ip,
      status: o.status,
      code: o.failure,
      provenance: o.provenance,
      firstByteMs: o.firstByteMs,
    }));
}

function round3(x: number): number {
  return Math.round(Math.min(1, Math.max(0, x)) * 1000) / 1000;
}

/** 1 − the Bonferroni-adjusted p, scaled by how much of the grid backs the pattern. */
function confidenceOf(test: TestEvidence, breadth: number): number {
  return round3((1 - test.pAdjusted) * breadth);
}

function targetEvidence(
  window: WindowSpec,
  test: TestEvidence,
  grid: TargetEvidence['grid'],
  failures: readonly Observation[],
  options: DiagnosisOptions,
): TargetEvidence {
  let timed = 0;
  for (const o of failures) if (o.firstByteMs !== null) timed++;
  const firstBytes = new Float64Array(timed);
  let n = 0;
  for (const o of failures) if (o.firstByteMs !== null) firstBytes[n++] = o.firstByteMs;
  return {
    window: window.name,
    from: new Date(window.fromMs).toISOString(),
    to: new Date(window.toMs).toISOString(),
    test,
    grid,
    codes: sortedRecord(countKeys(failures, failureKey)),
    provenance: sortedRecord(countKeys(failures, (o) => o.provenance)),
    firstByteMs: timed === 0 ? null : { median: Math.round(quantileInPlace(firstBytes, 0.5)), p90: Math.round(quantileInPlace(firstBytes, 0.9)) },
    samples: samplesOf(failures, options.maxSamples),
  };
}

function dedupeSuspects(suspects: readonly Suspect[]): Suspect[] {
  const seen = new Set<string>();
  return suspects.filter((s) => {
    const key = `${s.dimension}\u0000${s.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A finding with the kinds of its hints, so two windows' hints can be merged without repeats. */
export interface Built<F extends Finding = Finding> {
  readonly finding: F;
  readonly hints: readonly Hint[];
  /** The failures the finding explains (to recognise the same story in the other window). */
  readonly failures: ReadonlySet<Observation>;
}

/** What merging the other serving dimensions added to a grid pattern. */
export interface Extras {
  /** The same nodes under other names (an identity header matching the IP). */
  readonly suspects: readonly Suspect[];
  /** For origin: the one upstream identity every failure was served by. */
  readonly subScope: Suspect | null;
}

/** The probes of a pattern's cells, their failures (oldest first) and the IPs that served them, sorted. */
function probesOf(cells: readonly Cell[], dim: string): { observations: Observation[]; failures: Observation[]; ips: string[] } {
  const failures: Observation[] = [];
  const observations: Observation[] = [];
  const ips = new Set<string>();
  for (const c of cells) {
    for (const o of c.observations) {
      observations.push(o);
      if (!o.ok) failures.push(o);
    }
    // on the IP grid a cell's column is the IP of each of its probes
    if (dim === 'ip') ips.add(c.column);
    else for (const o of c.observations) if (o.ip !== '') ips.add(o.ip);
  }
  failures.sort((a, b) => a.atMs - b.atMs);
  return { observations, failures, ips: [...ips].sort() };
}

/** What the wording of a grid pattern reads: the pattern and the numbers around it. */
interface PatternFacts {
  readonly located: Located;
  readonly extras: Extras;
  readonly options: DiagnosisOptions;
  readonly endpoint: Endpoint | null;
  /** The grid's serving dimension ('ip' or an identity name). */
  readonly dim: string;
  /** "502s", "CONNECT_TIMEOUT failures", … */
  readonly label: string;
  /** Certificate codes dominate the failures. */
  readonly tls: boolean;
  readonly inRate: number;
  /** The comparison group's rate (null: nothing to compare with). */
  readonly outRate: number | null;
  /** How many of the pattern's rows / columns have a failing cell. */
  readonly rowsFailing: number;
  readonly columnsFailing: number;
  /** The grid's regions outside the pattern. */
  readonly otherRegions: readonly string[];
  /** " (x-served-by=lb-3)": the same node under its other names, or ''. */
  readonly alsoText: string;
  /** The pattern's first row and column. */
  readonly row: string;
  readonly column: string;
}

/** What a pattern says: every field of the finding that depends on its kind. */
interface Wording {
  readonly verdict: TargetFinding['verdict'];
  readonly suspects: readonly Suspect[];
  readonly summary: string;
  readonly scope: HintScope['kind'];
  /** Where the hints say the problem is: "203.0.113.7", "region eu-west", … */
  readonly where: string;
  /** How much of the grid backs the pattern (scales the confidence). */
  readonly breadth: number;
  /** Hints only this pattern gives (how to settle an inconclusive one), first. */
  readonly extraHints: readonly string[];
}

function patternFacts(located: Located, extras: Extras, options: DiagnosisOptions, endpoint: Endpoint | null, failures: readonly Observation[]): PatternFacts {
  const { grid, test, cells } = located;
  const dim = grid.dimension;
  let certFailures = 0;
  for (const o of failures) if (o.failure !== null && TLS_CERT_CODES.has(o.failure)) certFailures++;
  // "The other nodes" as they are on their own, not as they were while another pattern still sat among them.
  const comparison = located.kind === 'column' || located.kind === 'row' ? located.cleanOutside ?? test.outside : test.outside;
  const withFailures = (c: Cell): boolean => c.failures > 0;
  const also = extras.suspects.filter((s) => s.dimension !== dim).map((s) => `${s.dimension}=${s.value}`);
  return {
    located,
    extras,
    options,
    endpoint,
    dim,
    label: describeFailures(failures),
    tls: failures.length > 0 && certFailures >= options.dominantFraction * failures.length,
    inRate: rate(test.inside),
    outRate: comparison === null ? null : rate(comparison),
    rowsFailing: new Set(cells.filter(withFailures).map((c) => c.row)).size,
    columnsFailing: new Set(cells.filter(withFailures).map((c) => c.column)).size,
    otherRegions: grid.rows.filter((r) => !located.rows.includes(r)),
    alsoText: also.length === 0 ? '' : ` (${also.join(', ')})`,
    row: located.rows[0] ?? '',
    column: located.columns[0] ?? '',
  };
}

/** A node as the words name it: the IP itself, or "x-served-by=lb-3". */
function nodeName(f: PatternFacts, value: string): string {
  return f.dim === 'ip' ? value : `${f.dim}=${value}`;
}

/** How to probe one node from elsewhere: pin its IP (with the curl command when the IP is known). */
function pinning(f: PatternFacts, value: string): string {
  const pinned =
    f.dim === 'ip'
      ? [value]
      : [...new Set(f.located.cells.filter((c) => c.column === value).flatMap((c) => c.observations.map((o) => o.ip)))].filter((ip) => ip !== '');
  return pinned.length === 0 ? 'by pinning its IP' : `by pinning the IP (${curlTo(pinned[0] ?? '', f.endpoint)})`;
}

/** One node elevated in the regions that reach it: lb-node (or its certificate). */
function columnWording(f: PatternFacts): Wording {
  const { label, column, alsoText, rowsFailing, located, options, outRate } = f;
  const node = nodeName(f, column);
  const reach = located.rows.length;
  const othersFine = outRate !== null && outRate <= options.backgroundRate;
  return {
    verdict: f.tls ? 'tls' : 'lb-node',
    suspects: [{ dimension: f.dim, value: column }],
    where: node,
    scope: f.tls ? 'tls' : 'lb-node',
    breadth: reach >= 3 ? 1 : 0.9,
    summary: f.tls
      ? `${label} from node ${node}${alsoText} seen from ${rowsFailing}/${reach} regions, while the other nodes' certificates are fine — that node serves a bad certificate`
      : `${label} from lb-node ${node}${alsoText} seen from ${rowsFailing}/${reach} regions (${pct(f.inRate)} of its probes vs ${pct(outRate ?? 0)} on the other nodes); ` +
        (othersFine ? 'other nodes healthy — origin fine' : 'the other nodes fail above the background too'),
    extraHints: [],
  };
}

/** One region elevated across its nodes: routing from that region (or TLS interception on its path). */
function rowWording(f: PatternFacts): Wording {
  const { label, row, columnsFailing } = f;
  const reach = f.located.columns.length;
  return {
    verdict: f.tls ? 'tls' : 'routing',
    suspects: [{ dimension: 'region', value: row }],
    where: `region ${row}`,
    scope: f.tls ? 'tls' : 'routing-region',
    breadth: reach >= 3 ? 1 : reach === 2 ? 0.9 : 0.8,
    summary: f.tls
      ? `${label} only from region ${row}, on ${columnsFailing}/${reach} nodes, while other regions get valid certificates — something on ${row}'s path presents another certificate (TLS interception?)`
      : `${label} from region ${row} on ${columnsFailing}/${reach} nodes (${pct(f.inRate)} vs ${pct(f.outRate ?? 0)} from the other regions on the same nodes) — the network path from ${row}`,
    extraHints: [],
  };
}

/** One region→node path elevated, its row and column fine: that route. */
function cellWording(f: PatternFacts): Wording {
  const { label, row, column, located } = f;
  const node = nodeName(f, column);
  const onlyNode = columnsReached(located.grid.cells.values(), row).length === 1;
  const cell = located.cells[0];
  const around = located.cleanOutside ?? { failures: 0, probes: 0 };
  return {
    verdict: f.tls ? 'tls' : 'routing',
    suspects: [{ dimension: 'path', value: `${row}→${column}` }, ...(onlyNode ? [{ dimension: 'region', value: row }] : [])],
    where: `${row}→${node}`,
    scope: f.tls ? 'tls' : 'routing-path',
    breadth: 0.9,
    summary: f.tls
      ? `${label} only on the path ${row}→${node}, while the node's certificate is fine from other regions — something on that path presents another certificate`
      : `${label} only on the path ${row}→${node}${onlyNode ? ` (the only node ${row} reaches)` : ''} (${pct(rate(cell ?? { failures: 0, probes: 0 }))} of ${cell?.probes ?? 0} probes vs ${pct(rate(around))} on the rest of its row and column) — ${row}'s route to ${node}`,
    extraHints: [],
  };
}

/** One cell elevated on a node no other region reaches: the node or the path, and how to tell. */
function unpinnedCellWording(f: PatternFacts): Wording {
  const { label, row, column, located } = f;
  const node = nodeName(f, column);
  const elsewhere = f.otherRegions[0];
  const otherNodes = columnsReached(located.grid.cells.values(), row).filter((c) => c !== column);
  const settle = `probe ${node} from ${elsewhere === undefined ? 'another region' : `another region (e.g. ${elsewhere})`} ${pinning(f, column)}`;
  return {
    verdict: 'inconclusive',
    suspects: [{ dimension: f.dim, value: column }, { dimension: 'region', value: row }],
    where: `${row}→${node}`,
    scope: 'inconclusive',
    breadth: 0.8,
    summary: `${label} from region ${row} on ${node} (${pct(f.inRate)}), but no other region reaches ${node}: the node and ${row}'s path to it cannot be told apart — ${settle}`,
    extraHints: [
      `${settle}: if it fails there too, it is the node; if not, the path from ${row}`,
      ...(otherNodes.length > 0 ? [`${row} reaches ${list(otherNodes.map((c) => nodeName(f, c)))} without failing like this, so ${row}'s network in general is fine`] : []),
    ],
  };
}

/** Regions that only reach nodes nobody else reaches (geo-DNS), elevated: nodes or paths, and how to tell. */
function blockWording(f: PatternFacts): Wording {
  const { label, row, column, located } = f;
  const node = (c: string): string => nodeName(f, c);
  const otherColumns = located.grid.columns.filter((c) => !located.columns.includes(c));
  const elsewhere = f.otherRegions[0] ?? 'another region';
  const settle = `probe ${node(column)} from ${elsewhere} ${pinning(f, column)}`;
  return {
    verdict: 'inconclusive',
    suspects: [...located.rows.map((r) => ({ dimension: 'region', value: r })), ...located.columns.map((c) => ({ dimension: f.dim, value: c }))],
    where: `${list(located.rows)}→${list(located.columns.map(node))}`,
    scope: 'inconclusive',
    breadth: 0.8,
    summary:
      `${label} from ${list(located.rows)} on ${list(located.columns.map(node))} (${pct(f.inRate)} vs ${pct(f.outRate ?? 0)} elsewhere), but ` +
      `${located.rows.length === 1 ? `${row} only reaches` : 'those regions only reach'} ${located.columns.length === 1 ? 'that node' : 'those nodes'} and no other region does — ${settle}`,
    extraHints: [
      `${settle}: if it fails there too, it is the node${located.columns.length === 1 ? '' : 's'}; if not, the path from ${list(located.rows)}`,
      ...(otherColumns.length > 0 ? [`from ${row}, probe ${list(otherColumns.slice(0, 3).map(node))} ${pinning(f, otherColumns[0] ?? '')}: if they work, it is ${node(column)}`] : []),
      `the regions are split between nodes (geo-DNS or anycast): pinning IPs across regions is the only way to separate a node from a path`,
    ],
  };
}

/** (Nearly) every region and node failing above the background: the origin (or the certificate everywhere). */
function everywhereWording(f: PatternFacts): Wording {
  const { label, located, extras, rowsFailing, columnsFailing } = f;
  const { subScope } = extras;
  const coverage = Math.min(rowsFailing / located.rows.length, columnsFailing / located.columns.length);
  const nodes = `${columnsFailing}/${located.columns.length} nodes from ${rowsFailing}/${located.rows.length} regions`;
  return {
    verdict: f.tls ? 'tls' : 'origin',
    suspects: subScope === null ? [] : [subScope],
    where: subScope === null ? 'every node' : `${subScope.dimension}=${subScope.value}`,
    scope: f.tls ? 'tls' : 'origin',
    breadth: coverage * (located.rows.length >= 3 ? 1 : 0.9),
    summary: f.tls
      ? `${label} on ${nodes} — the certificate served for this target is bad everywhere`
      : `${label} on ${nodes} (${pct(f.inRate)} of ${located.test.inside.probes} probes) — the origin (the app or what every node shares) is failing` +
        (subScope === null ? '' : `; every failure was served by ${subScope.dimension}=${subScope.value}`),
    extraHints:
      located.columns.length === 1 && subScope === null
        ? [
            `every region reaches the target through the single ${f.dim === 'ip' ? 'IP' : f.dim} ${f.column}: that entry node and the origin behind it cannot be ` +
              `told apart from outside — add an identity rule (e.g. { header: x-served-by }) to see the nodes behind it`,
          ]
        : [],
  };
}

/** Every node failing, but seen from one region only: the origin or that region's path. */
function oneRowWording(f: PatternFacts): Wording {
  const { label, row, located } = f;
  return {
    verdict: 'inconclusive',
    suspects: [{ dimension: 'region', value: row }],
    where: `every node seen from ${row}`,
    scope: 'inconclusive',
    breadth: 0.8,
    summary:
      `${label} on ${f.columnsFailing}/${located.columns.length} nodes (${pct(f.inRate)} of ${located.test.inside.probes} probes), but ${row} is the only region ` +
      `${located.grid.rows.length === 1 ? 'probing this target' : 'left to compare'}: the origin and ${row}'s network path cannot be told apart — probe from another region`,
    extraHints: [`probe the target from another region: if it fails there too, it is the origin; if not, the path from ${row}`],
  };
}

/** Above the background with no region or node standing out: not yet localized. */
function scatteredWording(f: PatternFacts): Wording {
  const { label, options, located } = f;
  return {
    verdict: 'inconclusive',
    suspects: [],
    where: 'this target',
    scope: 'inconclusive',
    breadth: 0.8,
    summary:
      `${label} above the ${pct(options.backgroundRate)} background (${pct(f.inRate)} of ${located.test.inside.probes} probes) with no region or node standing out yet — ` +
      `more probes per region and node will localize it`,
    extraHints: ['keep probing (or widen the window): the failures are too few per region and node to say which one they follow'],
  };
}

/** How each kind of grid pattern is worded. */
const WORDINGS: Readonly<Record<LocatedKind, (f: PatternFacts) => Wording>> = {
  column: columnWording,
  row: rowWording,
  cell: cellWording,
  'unpinned-cell': unpinnedCellWording,
  block: blockWording,
  everywhere: everywhereWording,
  'one-row': oneRowWording,
  scattered: scatteredWording,
};

/**
 * Words, suspects, hints and evidence for a pattern found on a serving grid. `cellFailures`: the
 * cells' failures (merging the dimensions collected them already).
 */
export function gridFinding(
  located: Located,
  extras: Extras,
  window: WindowSpec,
  options: DiagnosisOptions,
  endpoint: Endpoint | null,
  cellFailures: ReadonlySet<Observation>,
): Built<TargetFinding> {
  const { observations, failures, ips } = probesOf(located.cells, located.grid.dimension);
  const w = WORDINGS[located.kind](patternFacts(located, extras, options, endpoint, failures));
  const hintScope: HintScope = { kind: w.scope, where: w.where, regions: located.rows, ips, failures, observations, endpoint };
  const hints = hintsFor(hintScope, options, [...w.extraHints]);
  return {
    finding: {
      verdict: w.verdict,
      confidence: confidenceOf(located.test, w.breadth),
      suspects: dedupeSuspects([...w.suspects, ...extras.suspects]),
      summary: w.summary,
      hints: hints.map((h) => h.text),
      evidence: targetEvidence(window, located.test, gridView(located.grid), failures, options),
    },
    hints,
    failures: cellFailures,
  };
}

/** Words, suspects, hints and evidence for a DNS pattern. */
export function dnsFinding(located: DnsLocated, window: WindowSpec, options: DiagnosisOptions, endpoint: Endpoint | null): Built<TargetFinding> {
  const { test, view } = located;
  const failures = [...located.failures].sort((a, b) => a.atMs - b.atMs);
  const label = describeFailures(failures);
  const inRate = rate(test.inside);
  let summary: string;
  let suspects: Suspect[];
  let breadth: number;
  if (located.kind === 'zone') {
    suspects = [];
    const failing = new Set(failures.map((o) => o.region)).size;
    breadth = (failing / Math.max(1, located.regions.length)) * (located.regions.length >= 3 ? 1 : 0.9);
    summary = `${label} from ${failing}/${located.regions.length} regions (${pct(inRate)} of ${test.inside.probes} resolutions) — the zone or its authoritative servers`;
  } else {
    suspects = located.regions.map((r) => ({ dimension: 'region', value: r }));
    breadth = 1;
    const regions = list(located.regions);
    if (test.outside !== null) {
      summary = `${label} only from region ${regions} (${pct(inRate)} of its resolutions vs ${pct(rate(test.outside))} elsewhere) — ${regions}'s resolver`;
    } else if (view.rows.length === 1) {
      breadth = 0.8;
      summary = `${label} from region ${regions} (${pct(inRate)} of ${test.inside.probes} resolutions), the only region probing — its resolver or the zone`;
    } else {
      summary = `${label} from ${regions} (${pct(inRate)} of their resolutions) but not from the other regions — their resolvers`;
    }
  }
  const hintScope: HintScope = {
    kind: located.kind === 'zone' ? 'dns-zone' : 'dns-resolver',
    where: located.kind === 'zone' ? 'every region' : `region ${list(located.regions)}`,
    regions: located.regions,
    ips: [],
    failures,
    observations: located.observations,
    endpoint,
  };
  const hints = hintsFor(hintScope, options);
  return {
    finding: {
      verdict: 'dns',
      confidence: confidenceOf(test, breadth),
      suspects,
      summary,
      hints: hints.map((h) => h.text),
      evidence: targetEvidence(window, test, view, failures, options),
    },
    hints,
    failures: new Set(failures),
  };
}

/** Words and evidence for one of our agents, whose results on this target were set aside. */
export function agentFinding(flag: FlaggedAgent, own: readonly Observation[], options: DiagnosisOptions): Built<AgentFinding> {
  const failures = own.filter((o) => !o.ok);
  const controls = flag.health?.controlsFailing === true;
  const extra = controls
    ? [`its heartbeat reports its control targets failing: fix ${flag.agent}'s own connectivity before trusting its results for any target`]
    : [];
  // The agent's failures say nothing about the target's upstreams: no pattern hints from them.
  const scope: HintScope = { kind: 'agent', where: `agent ${flag.agent}`, regions: [flag.region], ips: [], failures: [], observations: own };
  const hints = [...extra.map((text, i) => ({ kind: `finding:${i}`, text })), ...hintsFor(scope, options)];
  const finding: AgentFinding = {
    verdict: 'agent',
    // Failing controls are the agent's own measurement, not a test: a fixed, high confidence.
    confidence: controls ? 0.95 : confidenceOf(flag.test, 1),
    suspects: [{ dimension: 'agent', value: flag.agent }],
    summary:
      `agent ${flag.agent} (${flag.region}): ${list([...flag.reasons])} — its ${own.length} results for this target` +
      `${failures.length > 0 ? ` (${failures.length} failed)` : ''} are set aside, not blamed on the target`,
    hints: hints.map((h) => h.text),
    evidence: {
      reasons: flag.reasons,
      test: flag.test,
      controlsFailing: controls,
      otherTargets: flag.health?.otherTargets ?? null,
      peersOtherTargets: flag.health?.peersOtherTargets ?? null,
      setAside: { failures: failures.length, probes: own.length },
      samples: samplesOf(failures, options.maxSamples),
    },
  };
  return { finding, hints, failures: new Set(failures) };
}
