import type { Diagnosis, FindingVerdict, Suspect, Verdict } from '../diagnosis/index.js';
import type { IncidentEventView, IncidentView } from '../incidents/index.js';
import type { PhaseName } from '../store/index.js';

/** The formats a report renders to: the data itself, Markdown for chat and GitHub, one HTML file. */
export const REPORT_FORMATS = ['json', 'md', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/**
 * How bad a failure rate is, on one scale every rendering shares: -1 no probes, 0 no failures, then
 * up to 1%, 5%, 20%, 50%, above 50%. Renderings pair each level with its number (and, from 4 up, a
 * hatch): a colour alone never carries the meaning.
 */
export type Level = -1 | 0 | 1 | 2 | 3 | 4 | 5;

/** k failures out of n probes. */
export interface ReportCell {
  readonly failures: number;
  readonly probes: number;
  /** failures / probes, null without probes. */
  readonly rate: number | null;
  readonly level: Level;
  /** A suspect of the diagnosis or of an incident in the range lies here. */
  readonly suspect: boolean;
}

/** Something a finding or an incident blamed, and who blamed it. */
export interface Highlight extends Suspect {
  /** "diagnosis", or the id of the incident that named it. */
  readonly by: string;
}

/** One agent's row of a grid (regions hold one or more agents). */
export interface AgentGridRow {
  readonly region: string;
  readonly agent: string;
  readonly cells: readonly ReportCell[];
  readonly total: ReportCell;
  readonly suspect: boolean;
}

/**
 * Regions × serving nodes. The IP grid comes from the rollups over the whole range; identity grids
 * (the `x-served-by`-like headers) exist only in raw rows, so they cover the detail window.
 */
export interface ReportGrid {
  /** `ip` or an identity rule name. */
  readonly dimension: string;
  readonly source: 'rollups' | 'raw';
  readonly rows: readonly string[];
  readonly columns: readonly string[];
  /** cells[row][column] */
  readonly cells: readonly (readonly ReportCell[])[];
  readonly rowTotals: readonly ReportCell[];
  readonly columnTotals: readonly ReportCell[];
  readonly total: ReportCell;
  readonly agents: readonly AgentGridRow[];
  /** Per row: probes whose DNS resolution failed (no node to put them under); IP grid only. */
  readonly dns: readonly ReportCell[] | null;
}

/** One row of the heatmap: a region or a node, one cell per time bucket. */
export interface HeatRow {
  /** `region:<name>` or `ip:<address>` (`ip:` alone: failed resolutions). */
  readonly key: string;
  readonly kind: 'region' | 'node';
  readonly label: string;
  readonly cells: readonly ReportCell[];
  readonly total: ReportCell;
  readonly suspect: boolean;
}

export interface Heatmap {
  readonly bucketMs: number;
  /** "15m", "6h" ... */
  readonly bucket: string;
  /** Start of each bucket, ms since the epoch (the first and last may be partial). */
  readonly buckets: readonly number[];
  readonly rows: readonly HeatRow[];
}

/** Failures per minute of the hour (":00" … ":59"): what makes a cron job visible on any range. */
export interface MinuteOfHour {
  readonly from: string;
  readonly to: string;
  /** Index = minute of the hour. */
  readonly minutes: readonly ReportCell[];
  /**
   * The minute failing most in a cluster of failures at the same minutes, hour after hour (a cron job, a
   * batch), as the diagnosis' detector finds it (collector/diagnosis/minute-of-hour.ts); null without one.
   */
  readonly peak: { readonly minute: number; readonly rate: number } | null;
}

/** A finding of the diagnosis, as the report states it. */
export interface VerdictLine {
  readonly verdict: FindingVerdict;
  /** The finding's one sentence. */
  readonly sentence: string;
  readonly confidence: number;
  readonly suspects: readonly Suspect[];
  /** What to check next, most specific first. */
  readonly hints: readonly string[];
}

/** The diagnosis at the end of the range. */
export interface ReportVerdict {
  readonly verdict: Verdict;
  /** The lead sentence: the first finding's, or why the target counts as healthy. */
  readonly sentence: string;
  /** The diagnosis window (the collector's long window unless asked otherwise). */
  readonly window: { readonly from: string; readonly to: string };
  readonly lines: readonly VerdictLine[];
}

/** Failure codes of a region or a node over the range (rollups). */
export interface CodeRow {
  readonly kind: 'region' | 'node';
  readonly key: string;
  readonly probes: number;
  readonly failures: number;
  /** By code, most frequent first. */
  readonly codes: readonly { readonly code: string; readonly count: number }[];
}

/** What answered, per region or node, for the failed raw results read: status, code, which proxy. */
export interface ProvenanceRow {
  readonly kind: 'region' | 'node';
  readonly key: string;
  readonly failures: number;
  /** Most frequent first: "HTTP 502 from nginx", "CONNECT_REFUSED" ... */
  readonly answers: readonly {
    readonly label: string;
    readonly status: number | null;
    readonly code: string | null;
    readonly provenance: string | null;
    readonly count: number;
    /** Mean time to first byte of these answers, when they had one. */
    readonly firstByteMeanMs: number | null;
  }[];
}

/** p50 / p90 / p99 of one phase, over the probes that reached it. */
export interface Percentiles {
  readonly n: number;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
}

/** Where the time went in one region. */
export interface PhaseRow {
  readonly region: string;
  /** Raw results the percentiles were taken over (the detail window). */
  readonly n: number;
  readonly phases: Readonly<Record<PhaseName, Percentiles>> | null;
  /** From the rollups over the whole range. */
  readonly meanFirstByteMs: number | null;
  readonly meanTotalMs: number | null;
  readonly maxTotalMs: number | null;
}

/** An incident open at some point of the range, with its timeline. */
export interface ReportIncident extends IncidentView {
  readonly history: readonly IncidentEventView[];
}

/** A failed result to look up in the origin's logs (its id is the `crossprobe-probe-id` request header). */
export interface ReportSample {
  readonly at: string;
  readonly resultId: string;
  readonly region: string;
  readonly agent: string;
  readonly ip: string;
  /** Identity values ("x-served-by=lb-2"), joined. */
  readonly node: string;
  readonly status: number | null;
  readonly code: string | null;
  readonly provenance: string | null;
  readonly firstByteMs: number | null;
  readonly totalMs: number | null;
  readonly detail: string | null;
  /** The `server` and `via` response headers, when there were any. */
  readonly server: string | null;
}

/** Where each part of the report comes from, and what it does not cover. */
export interface ReportSources {
  /** Counts, grid by IP, heatmap, codes, mean latencies: per-minute rollups (hourly sums for whole hours). */
  readonly rollups: { readonly from: string; readonly to: string };
  /** The part of the range raw results still cover (raw rows are kept for less long than rollups); null: none. */
  readonly raw: { readonly from: string; readonly to: string; readonly wholeRange: boolean } | null;
  /** Phase percentiles and identity grids: the most recent part of the raw coverage, at most a day (and 15,000 results). */
  readonly detail: { readonly from: string; readonly to: string; readonly results: number } | null;
  /** Failed raw results read for provenance and samples (the newest ones when capped). */
  readonly failuresRead: { readonly read: number; readonly capped: boolean };
  /** The same, in sentences a reader sees. */
  readonly notes: readonly string[];
}

/** Everything a regional failure report shows: JSON carries exactly this; Markdown and HTML render it. */
export interface ReportData {
  readonly kind: 'crossprobe-report';
  readonly version: 1;
  readonly target: { readonly id: string; readonly url: string | null; readonly managed: boolean };
  readonly range: { readonly from: string; readonly to: string; readonly fromMs: number; readonly toMs: number; readonly length: string };
  readonly generatedAt: string;
  readonly totals: ReportCell;
  readonly verdict: ReportVerdict;
  /** Everything the grids and heatmap highlight. */
  readonly highlights: readonly Highlight[];
  readonly grid: ReportGrid;
  readonly identityGrids: readonly ReportGrid[];
  readonly heatmap: Heatmap;
  readonly minuteOfHour: MinuteOfHour;
  readonly codes: readonly CodeRow[];
  readonly provenance: readonly ProvenanceRow[];
  readonly phases: readonly PhaseRow[];
  readonly incidents: readonly ReportIncident[];
  readonly samples: readonly ReportSample[];
  readonly sources: ReportSources;
  /** The full diagnosis behind `verdict` (evidence included). */
  readonly diagnosis: Diagnosis;
}
