import { formatDuration } from '../../proto/index.js';
import { DEFAULT_DIAGNOSIS_OPTIONS, detectMinuteCluster, type Diagnosis, type DiagnosisOptions } from '../diagnosis/index.js';
import { evaluateTarget } from '../evaluate.js';
import { incidentEventView, incidentView } from '../incidents/index.js';
import {
  MINUTE_MS,
  PHASES,
  type CodeCounts,
  type Detail,
  type FailureGroups,
  type FailureSample,
  type IncidentEventRecord,
  type IncidentRecord,
  type MinuteOfHourCounts,
  type PhaseName,
  type RollupBucket,
  type Store,
} from '../store/index.js';
import type {
  AgentGridRow,
  CodeRow,
  HeatRow,
  Heatmap,
  Highlight,
  Level,
  MinuteOfHour,
  Percentiles,
  PhaseRow,
  ProvenanceRow,
  ReportCell,
  ReportData,
  ReportGrid,
  ReportSample,
  ReportSources,
  ReportVerdict,
} from './types.js';

const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** How much a report reads at most, so that a 30-day (or a year's) report stays fast. */
export const REPORT_LIMITS = Object.freeze({
  /** Phase percentiles and identity grids read every raw result of this much (the end of the range)… */
  detailMs: DAY_MS,
  /** … but at most this many raw results (the newest): a target probed often covers less than a day. */
  detailRows: 15_000,
  /** The minute-of-hour profile reads per-minute rollups of this much (the end of the range). */
  minuteOfHourMs: 2 * DAY_MS,
  /** Failed raw results read for provenance and samples: the newest ones. */
  failuresRead: 20_000,
  incidents: 50,
  samples: 25,
  /** The heatmap has at most this many time buckets. */
  buckets: 120,
  /** The longest range: the default rollup retention. */
  rangeMs: 400 * DAY_MS,
});

/** Bucket lengths the heatmap picks from: the shortest giving at most REPORT_LIMITS.buckets buckets. */
export const BUCKETS_MS: readonly number[] = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1_440, 2_880, 10_080].map((m) => m * MINUTE_MS);

/** A range's length in whole minutes: a range ending now also spans the seconds of the current minute. */
function roundedLength(fromMs: number, toMs: number): number {
  return Math.max(MINUTE_MS, Math.floor((toMs - fromMs) / MINUTE_MS) * MINUTE_MS);
}

/** The heatmap's bucket length for a range. */
export function chooseBucket(rangeMs: number): number {
  return BUCKETS_MS.find((b) => Math.ceil(rangeMs / b) <= REPORT_LIMITS.buckets) ?? BUCKETS_MS.at(-1)!;
}

/**
 * The range a report covers: it ends at `untilMs` (rounded down to the minute) or now, and starts
 * `sinceMs` earlier, rounded down to the minute, so that rollup minutes and raw rows cover the same span.
 */
export function reportRange(sinceMs: number, untilMs: number | null, nowMs: number): { fromMs: number; toMs: number } {
  const toMs = untilMs === null ? nowMs : Math.floor(untilMs / MINUTE_MS) * MINUTE_MS;
  return { fromMs: Math.floor((toMs - sinceMs) / MINUTE_MS) * MINUTE_MS, toMs };
}

/** What a report is asked for. */
export interface ReportRequest {
  readonly target: string;
  /** Start, inclusive; a whole minute (see reportRange). */
  readonly fromMs: number;
  /** End, exclusive. The diagnosis is taken here. */
  readonly toMs: number;
  /** When the report is made (its `generatedAt`). */
  readonly nowMs: number;
  /** Diagnosis options: the windows, typically the collector's. */
  readonly diagnosis?: Partial<DiagnosisOptions>;
  /** Heatmap bucket; default chooseBucket(range). */
  readonly bucketMs?: number;
}

/** Everything a report reads from the store; `assembleReport` turns it into ReportData without I/O. */
export interface ReportInputs {
  readonly request: ReportRequest;
  readonly bucketMs: number;
  readonly url: string | null;
  readonly managed: boolean;
  readonly buckets: readonly RollupBucket[];
  readonly codes: readonly CodeCounts[];
  readonly minuteOfHour: { readonly fromMs: number; readonly counts: readonly MinuteOfHourCounts[] };
  /** The raw part of the range: [fromMs, toMs) or null when no raw row is that recent. */
  readonly raw: { readonly fromMs: number; readonly toMs: number } | null;
  /** The detail window's raw results (identity grids, phase percentiles); null without raw rows. */
  readonly detail: (Detail & { readonly toMs: number; readonly capped: boolean }) | null;
  readonly failures: FailureGroups;
  readonly samples: readonly FailureSample[];
  readonly incidents: readonly { readonly incident: IncidentRecord; readonly history: readonly IncidentEventRecord[] }[];
  readonly diagnosis: Diagnosis;
}

/** Reads what a report needs: rollups over the whole range, raw rows only where they are kept, within the limits. */
export function readReportInputs(store: Store, request: ReportRequest): ReportInputs {
  const { target, fromMs, toMs } = request;
  const bucketMs = request.bucketMs ?? chooseBucket(roundedLength(fromMs, toMs));
  const stored = store.getTarget(target);
  const oldest = store.oldestResultMs();
  const rawFrom = oldest === null ? null : Math.max(fromMs, Math.floor(oldest / MINUTE_MS) * MINUTE_MS);
  const raw = rawFrom !== null && rawFrom < toMs ? { fromMs: rawFrom, toMs } : null;
  const detailFrom = raw === null ? null : Math.max(raw.fromMs, Math.floor((toMs - REPORT_LIMITS.detailMs) / MINUTE_MS) * MINUTE_MS);
  const rows = detailFrom === null ? null : store.reportDetail(target, detailFrom, toMs, REPORT_LIMITS.detailRows);
  const detail = rows === null || detailFrom === null ? null : { ...rows, toMs, capped: rows.fromMs > detailFrom };
  const failures = raw === null ? { groups: [], read: 0, newest: [] } : store.reportFailureGroups(target, raw.fromMs, raw.toMs, REPORT_LIMITS.failuresRead);
  // one sample of each kind of failure (newest first), topped up with the newest failures
  const ids = [...new Set([...failures.groups.map((g) => g.lastResultId), ...failures.newest])].slice(0, REPORT_LIMITS.samples);
  const mohFrom = Math.max(fromMs, Math.floor((toMs - REPORT_LIMITS.minuteOfHourMs) / MINUTE_MS) * MINUTE_MS);
  return {
    request,
    bucketMs,
    url: stored?.target.url ?? null,
    managed: stored !== null,
    buckets: store.reportBuckets(target, fromMs, toMs, bucketMs),
    codes: store.reportCodes(target, fromMs, toMs),
    minuteOfHour: { fromMs: mohFrom, counts: store.reportMinuteOfHour(target, mohFrom, toMs) },
    raw,
    detail,
    failures,
    samples: store.reportSamples(ids),
    incidents: store.incidentsBetween(target, fromMs, toMs, REPORT_LIMITS.incidents).map((incident) => ({ incident, history: store.incidentHistory(incident.id) })),
    diagnosis: evaluateTarget(store, target, toMs, request.diagnosis ?? {}),
  };
}

/** The report of `request`: the store's reads, assembled. */
export function buildReport(store: Store, request: ReportRequest): ReportData {
  return assembleReport(readReportInputs(store, request));
}

const iso = (ms: number): string => new Date(ms).toISOString();
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The level of a failure rate (see Level). */
export function levelOf(failures: number, probes: number): Level {
  if (probes === 0) return -1;
  if (failures === 0) return 0;
  const rate = failures / probes;
  return rate <= 0.01 ? 1 : rate <= 0.05 ? 2 : rate <= 0.2 ? 3 : rate <= 0.5 ? 4 : 5;
}

function cell(failures: number, probes: number, suspect = false): ReportCell {
  return { failures, probes, rate: probes > 0 ? failures / probes : null, level: levelOf(failures, probes), suspect };
}

/** Adds up counts by key. */
class Tally {
  private readonly counts = new Map<string, { failures: number; probes: number }>();
  add(key: string, failures: number, probes: number): void {
    const c = this.counts.get(key);
    if (c === undefined) this.counts.set(key, { failures, probes });
    else {
      c.failures += failures;
      c.probes += probes;
    }
  }
  get(key: string): { failures: number; probes: number } {
    return this.counts.get(key) ?? { failures: 0, probes: 0 };
  }
}

const key = (...parts: readonly (string | number)[]): string => parts.join('\u0000');

/** Whether a highlight points at (row, column) of a grid along `dimension`. */
function pointsAt(h: Highlight, dimension: string, row: string, column: string | null): boolean {
  if (h.dimension === 'region') return h.value === row;
  if (column === null) return false;
  if (h.dimension === 'path') return h.value === `${row}→${column}`;
  return h.dimension === dimension && h.value === column;
}

function gridOf(
  dimension: string,
  source: 'rollups' | 'raw',
  entries: readonly { region: string; agent: string | null; column: string; failures: number; probes: number }[],
  highlights: readonly Highlight[],
  dnsEntries: readonly { region: string; agent: string; failures: number; probes: number }[] | null,
): ReportGrid {
  const byCell = new Tally();
  const byAgentCell = new Tally();
  const rows = new Set<string>();
  const columns = new Set<string>();
  const agents = new Set<string>();
  for (const e of entries) {
    rows.add(e.region);
    columns.add(e.column);
    byCell.add(key(e.region, e.column), e.failures, e.probes);
    if (e.agent !== null) {
      agents.add(key(e.region, e.agent));
      byAgentCell.add(key(e.region, e.agent, e.column), e.failures, e.probes);
    }
  }
  const dnsByRow = new Tally();
  const dnsByAgent = new Tally();
  for (const d of dnsEntries ?? []) {
    rows.add(d.region);
    agents.add(key(d.region, d.agent));
    dnsByRow.add(d.region, d.failures, d.probes);
    dnsByAgent.add(key(d.region, d.agent), d.failures, d.probes);
  }
  const rowList = [...rows].sort(cmp);
  const columnList = [...columns].sort(cmp);
  const marked = (row: string, column: string | null) => highlights.some((h) => pointsAt(h, dimension, row, column));
  const cells = rowList.map((r) => columnList.map((c) => {
    const t = byCell.get(key(r, c));
    return cell(t.failures, t.probes, t.probes > 0 && marked(r, c));
  }));
  const dns = dnsEntries === null || dnsEntries.length === 0 ? null : rowList.map((r) => {
    const t = dnsByRow.get(r);
    return cell(t.failures, t.probes, t.probes > 0 && highlights.some((h) => h.dimension === 'region' && h.value === r));
  });
  const sum = (xs: readonly ReportCell[]) => xs.reduce((a, x) => ({ failures: a.failures + x.failures, probes: a.probes + x.probes }), { failures: 0, probes: 0 });
  const rowTotals = rowList.map((r, i) => {
    const s = sum([...cells[i]!, ...(dns ? [dns[i]!] : [])]);
    return cell(s.failures, s.probes, highlights.some((h) => h.dimension === 'region' && h.value === r));
  });
  const columnTotals = columnList.map((c, j) => {
    const s = sum(cells.map((row) => row[j]!));
    return cell(s.failures, s.probes, highlights.some((h) => h.dimension === dimension && h.value === c));
  });
  const t = sum(rowTotals);
  const agentRows: AgentGridRow[] = [...agents].sort(cmp).map((k) => {
    const [region, agent] = k.split('\u0000') as [string, string];
    const agentCells = columnList.map((c) => {
      const a = byAgentCell.get(key(region, agent, c));
      return cell(a.failures, a.probes, false);
    });
    const d = dnsByAgent.get(k);
    const s = sum(agentCells);
    const suspect = highlights.some((h) => h.dimension === 'agent' && h.value === agent);
    return { region, agent, cells: agentCells, total: cell(s.failures + d.failures, s.probes + d.probes, suspect), suspect };
  });
  return { dimension, source, rows: rowList, columns: columnList, cells, rowTotals, columnTotals, total: cell(t.failures, t.probes), agents: agentRows, dns };
}

function highlightsOf(diagnosis: Diagnosis, incidents: ReportInputs['incidents']): Highlight[] {
  const out: Highlight[] = [];
  const push = (h: Highlight) => {
    if (!out.some((x) => x.dimension === h.dimension && x.value === h.value)) out.push(h);
  };
  for (const f of diagnosis.findings) for (const s of f.suspects) push({ dimension: s.dimension, value: s.value, by: 'diagnosis' });
  for (const { incident } of incidents) for (const s of incident.suspects) push({ dimension: s.dimension, value: s.value, by: incident.id });
  return out;
}

function heatmapOf(inputs: ReportInputs, highlights: readonly Highlight[]): Heatmap {
  const { bucketMs } = inputs;
  const { fromMs, toMs } = inputs.request;
  const buckets: number[] = [];
  for (let b = Math.floor(fromMs / bucketMs) * bucketMs; b < toMs; b += bucketMs) buckets.push(b);
  const index = new Map(buckets.map((b, i) => [b, i]));
  const series = new Map<string, { kind: 'region' | 'node'; label: string; failures: number[]; probes: number[] }>();
  const add = (k: string, kind: 'region' | 'node', label: string, i: number, b: RollupBucket) => {
    let s = series.get(k);
    if (s === undefined) {
      s = { kind, label, failures: buckets.map(() => 0), probes: buckets.map(() => 0) };
      series.set(k, s);
    }
    s.failures[i]! += b.failures;
    s.probes[i]! += b.n;
  };
  for (const b of inputs.buckets) {
    const i = index.get(b.bucketMs);
    if (i === undefined) continue;
    add(`region:${b.region}`, 'region', b.region, i, b);
    add(`ip:${b.ip}`, 'node', b.ip === '' ? 'DNS failed (no IP)' : b.ip, i, b);
  }
  const rows: HeatRow[] = [...series.entries()]
    .sort(([a, x], [b, y]) => (x.kind === y.kind ? cmp(a, b) : x.kind === 'region' ? -1 : 1))
    .map(([k, s]) => {
      const value = k.slice(k.indexOf(':') + 1);
      const suspect = highlights.some((h) => (s.kind === 'region' ? h.dimension === 'region' : h.dimension === 'ip') && h.value === value);
      const failures = s.failures.reduce((a, x) => a + x, 0);
      const probes = s.probes.reduce((a, x) => a + x, 0);
      return { key: k, kind: s.kind, label: s.label, cells: s.failures.map((f, i) => cell(f, s.probes[i]!, suspect && f > 0)), total: cell(failures, probes, suspect), suspect };
    });
  return { bucketMs, bucket: formatDuration(bucketMs), buckets, rows };
}

function minuteOfHourOf(inputs: ReportInputs): MinuteOfHour {
  const byMinute = new Map(inputs.minuteOfHour.counts.map((c) => [c.minute, c]));
  const tallies = Array.from({ length: 60 }, (_, m) => {
    const c = byMinute.get(m);
    return { failures: c?.failures ?? 0, probes: c?.n ?? 0, hours: c?.hours ?? 0 };
  });
  const minutes = tallies.map((t) => cell(t.failures, t.probes));
  // the diagnosis' own detector, so that the report and the cron hint never disagree on the same data
  const cluster = detectMinuteCluster(tallies, { ...DEFAULT_DIAGNOSIS_OPTIONS, ...inputs.request.diagnosis });
  const peak = cluster === null ? null : { minute: cluster.peak, rate: minutes[cluster.peak]?.rate ?? 0 };
  return { from: iso(inputs.minuteOfHour.fromMs), to: iso(inputs.request.toMs), minutes, peak };
}

function codesOf(buckets: readonly RollupBucket[], codes: readonly CodeCounts[]): CodeRow[] {
  const rows = new Map<string, { kind: 'region' | 'node'; key: string; probes: number; failures: number; codes: Map<string, number> }>();
  const row = (kind: 'region' | 'node', k: string) => {
    const id = `${kind}:${k}`;
    let r = rows.get(id);
    if (r === undefined) rows.set(id, (r = { kind, key: k, probes: 0, failures: 0, codes: new Map() }));
    return r;
  };
  for (const b of buckets) {
    for (const r of [row('region', b.region), row('node', b.ip)]) {
      r.probes += b.n;
      r.failures += b.failures;
    }
  }
  for (const c of codes) {
    for (const r of [row('region', c.region), row('node', c.ip)]) {
      for (const [code, n] of Object.entries(c.failuresByCode)) r.codes.set(code, (r.codes.get(code) ?? 0) + (n ?? 0));
    }
  }
  return [...rows.values()]
    .filter((r) => r.failures > 0)
    .sort((a, b) => (a.kind === b.kind ? cmp(a.key, b.key) : a.kind === 'region' ? -1 : 1))
    .map((r) => ({
      kind: r.kind,
      key: r.key,
      probes: r.probes,
      failures: r.failures,
      codes: [...r.codes.entries()].sort(([a, x], [b, y]) => y - x || cmp(a, b)).map(([code, count]) => ({ code, count })),
    }));
}

/** The p-th percentile of sorted values, interpolated linearly between the two nearest (as SQLite's percentile()). */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const at = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/** p50 / p90 / p99 of every phase per region over the detail window's raw results. */
function regionPhases(detail: ReportInputs['detail']): Map<string, { n: number; phases: Record<PhaseName, Percentiles> }> {
  const values = new Map<string, { n: number; phases: number[][] }>();
  for (const r of detail?.rows ?? []) {
    let v = values.get(r.region);
    if (v === undefined) values.set(r.region, (v = { n: 0, phases: PHASES.map(() => []) }));
    v.n++;
    r.phases.forEach((x, i) => {
      if (x !== null) v.phases[i]!.push(x);
    });
  }
  const out = new Map<string, { n: number; phases: Record<PhaseName, Percentiles> }>();
  for (const [region, v] of values) {
    const phases = {} as Record<PhaseName, Percentiles>;
    PHASES.forEach((name, i) => {
      const sorted = v.phases[i]!.sort((a, b) => a - b);
      phases[name] = { n: sorted.length, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99) };
    });
    out.set(region, { n: v.n, phases });
  }
  return out;
}

/** "HTTP 502 from nginx", "HTTP 200 (BODY_MISMATCH)", "CONNECT_REFUSED". */
export function answerLabel(status: number | null, code: string | null, provenance: string | null): string {
  if (status === null) return code ?? 'failed';
  const from = provenance !== null && provenance !== 'unknown' ? ` from ${provenance === 'app' ? 'the app' : provenance}` : '';
  const why = code !== null && code !== 'HTTP_STATUS' ? ` (${code})` : '';
  return `HTTP ${status}${from}${why}`;
}

function provenanceOf(failures: FailureGroups): ProvenanceRow[] {
  type Answer = { label: string; status: number | null; code: string | null; provenance: string | null; count: number; fbSum: number; fbN: number };
  const rows = new Map<string, { kind: 'region' | 'node'; key: string; failures: number; answers: Map<string, Answer> }>();
  for (const g of failures.groups) {
    const label = answerLabel(g.status, g.failure, g.provenance);
    for (const [kind, k] of [['region', g.region], ['node', g.ip]] as const) {
      const id = `${kind}:${k}`;
      let r = rows.get(id);
      if (r === undefined) {
        r = { kind, key: k, failures: 0, answers: new Map() };
        rows.set(id, r);
      }
      r.failures += g.count;
      let a = r.answers.get(label);
      if (a === undefined) {
        a = { label, status: g.status, code: g.failure, provenance: g.provenance, count: 0, fbSum: 0, fbN: 0 };
        r.answers.set(label, a);
      }
      a.count += g.count;
      if (g.firstByteMeanMs !== null) {
        a.fbSum += g.firstByteMeanMs * g.count;
        a.fbN += g.count;
      }
    }
  }
  return [...rows.values()]
    .sort((a, b) => (a.kind === b.kind ? cmp(a.key, b.key) : a.kind === 'region' ? -1 : 1))
    .map((r) => ({
      kind: r.kind,
      key: r.key,
      failures: r.failures,
      answers: [...r.answers.values()]
        .sort((a, b) => b.count - a.count || cmp(a.label, b.label))
        .map((a) => ({ label: a.label, status: a.status, code: a.code, provenance: a.provenance, count: a.count, firstByteMeanMs: a.fbN > 0 ? a.fbSum / a.fbN : null })),
    }));
}

function phasesOf(inputs: ReportInputs): PhaseRow[] {
  const means = new Map<string, { fbN: number; fbSum: number; tN: number; tSum: number; tMax: number | null }>();
  for (const b of inputs.buckets) {
    let m = means.get(b.region);
    if (m === undefined) {
      m = { fbN: 0, fbSum: 0, tN: 0, tSum: 0, tMax: null };
      means.set(b.region, m);
    }
    m.fbN += b.firstByteMs.n;
    m.fbSum += b.firstByteMs.sum;
    m.tN += b.totalMs.n;
    m.tSum += b.totalMs.sum;
    if (b.totalMs.max !== null) m.tMax = m.tMax === null ? b.totalMs.max : Math.max(m.tMax, b.totalMs.max);
  }
  const raw = regionPhases(inputs.detail);
  return [...new Set([...means.keys(), ...raw.keys()])].sort(cmp).map((region) => {
    const m = means.get(region);
    const p = raw.get(region);
    return {
      region,
      n: p?.n ?? 0,
      phases: p?.phases ?? null,
      meanFirstByteMs: m && m.fbN > 0 ? m.fbSum / m.fbN : null,
      meanTotalMs: m && m.tN > 0 ? m.tSum / m.tN : null,
      maxTotalMs: m?.tMax ?? null,
    };
  });
}

function sampleOf(s: FailureSample): ReportSample {
  const node = Object.entries(s.identity).map(([k, v]) => `${k}=${v}`).join(', ');
  const server = [s.headers.server, s.headers.via].filter((x): x is string => typeof x === 'string' && x !== '').join('; ');
  return {
    at: iso(s.startedAtMs),
    resultId: s.resultId,
    region: s.region,
    agent: s.agent,
    ip: s.ip,
    node,
    status: s.status,
    code: s.failure,
    provenance: s.provenance,
    firstByteMs: s.firstByteMs,
    totalMs: s.totalMs,
    detail: s.failureDetail,
    server: server === '' ? null : server,
  };
}

function verdictOf(d: Diagnosis, totals: ReportCell): ReportVerdict {
  const windowMs = Date.parse(d.window.to) - Date.parse(d.window.from);
  const lines = d.findings.map((f) => ({ verdict: f.verdict, sentence: f.summary, confidence: f.confidence, suspects: f.suspects, hints: f.hints }));
  const sentence =
    lines[0]?.sentence ??
    (totals.probes === 0
      ? 'No probe results in the range.'
      : `No failure pattern stands out from probe noise in the last ${formatDuration(windowMs)} of the range.`);
  return { verdict: d.verdict, sentence, window: d.window, lines };
}

function sourcesOf(inputs: ReportInputs): ReportSources {
  const { fromMs, toMs } = inputs.request;
  const notes: string[] = [
    `Counts, the grid by IP, the heatmap, failure codes and mean latencies cover the whole range, from per-minute rollups.`,
  ];
  const raw = inputs.raw;
  if (raw === null) {
    notes.push('No raw result of this range is kept any more: 502 provenance, phase percentiles, identity grids and samples are not available.');
  } else if (raw.fromMs > fromMs) {
    notes.push(`Raw results (kept for less long than rollups) cover only ${iso(raw.fromMs)} → ${iso(toMs)}: provenance and samples come from that part.`);
  }
  const detail = inputs.detail;
  if (detail !== null && raw !== null && detail.fromMs > raw.fromMs) {
    const why = detail.capped ? `, its newest ${detail.rows.length.toLocaleString('en-US')} raw results` : '';
    notes.push(`Phase percentiles and identity grids cover the last ${formatDuration(toMs - detail.fromMs)} of the range (${iso(detail.fromMs)} → ${iso(toMs)}${why}).`);
  }
  const capped = inputs.failures.read >= REPORT_LIMITS.failuresRead;
  if (capped) notes.push(`Provenance and samples are read from the newest ${REPORT_LIMITS.failuresRead.toLocaleString('en-US')} failed results.`);
  if (inputs.minuteOfHour.fromMs > fromMs) notes.push(`Failures by minute of the hour cover the last ${formatDuration(toMs - inputs.minuteOfHour.fromMs)}.`);
  const w = inputs.diagnosis.window;
  notes.push(`The verdict is the diagnosis at the end of the range over ${formatDuration(Date.parse(w.to) - Date.parse(w.from))}; incidents cover the whole range.`);
  return {
    rollups: { from: iso(fromMs), to: iso(toMs) },
    raw: raw === null ? null : { from: iso(raw.fromMs), to: iso(raw.toMs), wholeRange: raw.fromMs <= fromMs },
    detail: detail === null ? null : { from: iso(detail.fromMs), to: iso(detail.toMs), results: detail.rows.length },
    failuresRead: { read: inputs.failures.read, capped },
    notes,
  };
}

/** Probes and failures per (region, identity) of the detail window's results that carry an identity. */
function identityCounts(detail: ReportInputs['detail']): { region: string; identity: Readonly<Record<string, string>>; n: number; failures: number }[] {
  const counts = new Map<string, { region: string; identity: Readonly<Record<string, string>>; n: number; failures: number }>();
  // rows share their identity objects (one per distinct value): the object is part of the key
  const ids = new Map<Readonly<Record<string, string>>, number>();
  for (const r of detail?.rows ?? []) {
    if (Object.keys(r.identity).length === 0) continue;
    let id = ids.get(r.identity);
    if (id === undefined) ids.set(r.identity, (id = ids.size));
    const k = `${r.region}\u0000${id}`;
    let c = counts.get(k);
    if (c === undefined) counts.set(k, (c = { region: r.region, identity: r.identity, n: 0, failures: 0 }));
    c.n++;
    if (!r.ok) c.failures++;
  }
  return [...counts.values()];
}

/** Turns what was read into the report. Pure: no I/O, no clock. */
export function assembleReport(inputs: ReportInputs): ReportData {
  const { request } = inputs;
  const highlights = highlightsOf(inputs.diagnosis, inputs.incidents);
  const ipEntries = inputs.buckets.filter((b) => b.ip !== '').map((b) => ({ region: b.region, agent: b.agent, column: b.ip, failures: b.failures, probes: b.n }));
  const dnsEntries = inputs.buckets.filter((b) => b.ip === '').map((b) => ({ region: b.region, agent: b.agent, failures: b.failures, probes: b.n }));
  const grid = gridOf('ip', 'rollups', ipEntries, highlights, dnsEntries);
  const identity = identityCounts(inputs.detail);
  const dimensions = new Set(identity.flatMap((c) => Object.keys(c.identity)));
  const identityGrids = [...dimensions].sort(cmp).map((dimension) =>
    gridOf(
      dimension,
      'raw',
      identity.flatMap((c) => {
        const value = c.identity[dimension];
        return value === undefined || value === '' ? [] : [{ region: c.region, agent: null, column: value, failures: c.failures, probes: c.n }];
      }),
      highlights,
      null,
    ),
  );
  const totals = cell(
    inputs.buckets.reduce((a, b) => a + b.failures, 0),
    inputs.buckets.reduce((a, b) => a + b.n, 0),
  );
  return {
    kind: 'crossprobe-report',
    version: 1,
    target: { id: request.target, url: inputs.url, managed: inputs.managed },
    range: { from: iso(request.fromMs), to: iso(request.toMs), fromMs: request.fromMs, toMs: request.toMs, length: formatDuration(roundedLength(request.fromMs, request.toMs)) },
    generatedAt: iso(request.nowMs),
    totals,
    verdict: verdictOf(inputs.diagnosis, totals),
    highlights,
    grid,
    identityGrids,
    heatmap: heatmapOf(inputs, highlights),
    minuteOfHour: minuteOfHourOf(inputs),
    codes: codesOf(inputs.buckets, inputs.codes),
    provenance: provenanceOf(inputs.failures),
    phases: phasesOf(inputs),
    incidents: inputs.incidents.map(({ incident, history }) => ({ ...incidentView(incident), history: history.map(incidentEventView) })),
    samples: inputs.samples.map(sampleOf),
    sources: sourcesOf(inputs),
    diagnosis: inputs.diagnosis,
  };
}
