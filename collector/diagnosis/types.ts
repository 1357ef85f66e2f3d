import type { FailureCode, ProvenanceName } from '../../proto/index.js';

/** One probe result, reduced to what the diagnosis needs. */
export interface Observation {
  /** When the probe started (ms since the epoch). */
  readonly atMs: number;
  readonly region: string;
  readonly agent: string;
  /** The IP the probe was pinned to; "" when DNS failed (no IP to pin). */
  readonly ip: string;
  /** Serving identity extracted by the target's identity rules, by rule name (e.g. `{ pop: 'FRA' }`). */
  readonly identity: Readonly<Record<string, string>>;
  readonly ok: boolean;
  readonly failure: FailureCode | null;
  readonly status: number | null;
  readonly provenance: ProvenanceName | null;
  readonly firstByteMs: number | null;
  readonly totalMs: number | null;
  readonly resultId: string;
}

/** Failed / total results over some set of probes. */
export interface FailedTotal {
  readonly failed: number;
  readonly total: number;
}

/** What the collector knows about an agent beyond this target. */
export interface AgentHealth {
  readonly agent: string;
  readonly region: string;
  /** The agent's control targets fail (its heartbeat says so): its own network or resolver is broken. */
  readonly controlsFailing: boolean;
  /** The agent's results across OTHER targets in the window. */
  readonly otherTargets?: FailedTotal | undefined;
  /** Its region peers' results across other targets in the window. */
  readonly peersOtherTargets?: FailedTotal | undefined;
}

/** Every verdict, in no particular order (see `severity` for the order of importance). */
export const VERDICTS = ['healthy', 'origin', 'lb-node', 'routing', 'dns', 'tls', 'agent', 'inconclusive'] as const;
export type Verdict = (typeof VERDICTS)[number];
/** A finding always says something is wrong. */
export type FindingVerdict = Exclude<Verdict, 'healthy'>;

/** The built-in suspect dimensions; any identity rule name is a dimension too. */
export const DIMENSIONS = { region: 'region', agent: 'agent', ip: 'ip', path: 'path' } as const;
export type BuiltinDimension = (typeof DIMENSIONS)[keyof typeof DIMENSIONS];
/** `region`, `agent`, `ip`, `path` (value `region→node`) or the name of an identity rule. */
export type Dimension = BuiltinDimension | (string & {});

/** What a finding blames. */
export interface Suspect {
  readonly dimension: Dimension;
  readonly value: string;
}

/** k failures out of n probes, as the JSON shows them. */
export interface Counts {
  readonly failures: number;
  readonly probes: number;
}

/** One agent's share of a grid (rows are regions; agents are the rows within). */
export interface AgentCounts extends Counts {
  readonly region: string;
  readonly agent: string;
}

/**
 * The grid a finding was read from: rows = regions, columns = serving nodes along one dimension
 * (`ip`, an identity name, or `dns` for resolutions), `cells[row][column]`.
 */
export interface GridView {
  readonly dimension: string;
  readonly rows: readonly string[];
  readonly columns: readonly string[];
  readonly cells: readonly (readonly Counts[])[];
  readonly agents: readonly AgentCounts[];
}

export const TEST_METHODS = ['fisher-exact', 'binomial', 'agent-controls'] as const;
export type TestMethod = (typeof TEST_METHODS)[number];

/** The statistical test behind a finding. */
export interface TestEvidence {
  readonly method: TestMethod;
  /** What was compared, in words ("column 203.0.113.7 vs the other columns in the same rows"). */
  readonly compared: string;
  readonly inside: Counts;
  /** The comparison group (Fisher), or null for a test against a background rate. */
  readonly outside: Counts | null;
  /** The background failure rate tested against (binomial), else null. */
  readonly baselineRate: number | null;
  readonly p: number;
  /** How many tests the family-wise correction counted. */
  readonly tests: number;
  /** Bonferroni-adjusted p (p × tests, at most 1). */
  readonly pAdjusted: number;
}

/** A failing result to look up (its id is the `crossprobe-probe-id` header the origin logged). */
export interface Sample {
  readonly resultId: string;
  readonly at: string;
  readonly region: string;
  readonly agent: string;
  readonly ip: string;
  readonly status: number | null;
  readonly code: FailureCode | null;
  readonly provenance: ProvenanceName | null;
  readonly firstByteMs: number | null;
}

export const WINDOW_NAMES = ['short', 'long'] as const;
export type WindowName = (typeof WINDOW_NAMES)[number];

/** Evidence behind a finding about the target. */
export interface TargetEvidence {
  readonly window: WindowName;
  readonly from: string;
  readonly to: string;
  readonly test: TestEvidence;
  readonly grid: GridView;
  /** Failure codes of the failures the finding explains (HTTP_STATUS split by status: `HTTP_STATUS 502`). */
  readonly codes: Readonly<Record<string, number>>;
  /** Which proxy generated the failing responses, by provenance. */
  readonly provenance: Readonly<Record<string, number>>;
  /** Time to first byte of the failing responses, when they had one. */
  readonly firstByteMs: { readonly median: number; readonly p90: number } | null;
  readonly samples: readonly Sample[];
}

/** Evidence behind an `agent` finding: why its results were set aside. */
export interface AgentEvidence {
  readonly reasons: readonly string[];
  readonly test: TestEvidence;
  readonly controlsFailing: boolean;
  readonly otherTargets: FailedTotal | null;
  readonly peersOtherTargets: FailedTotal | null;
  /** This target's results from the agent in the long window, set aside. */
  readonly setAside: Counts;
  readonly samples: readonly Sample[];
}

interface FindingCommon {
  /** 0..1: 1 − the corrected p-value, scaled down when few rows/columns back the pattern. */
  readonly confidence: number;
  readonly suspects: readonly Suspect[];
  /** One sentence an operator pastes into chat. */
  readonly summary: string;
  /** Next steps, most specific first. */
  readonly hints: readonly string[];
}

/** A finding about the target (or what serves it). */
export interface TargetFinding extends FindingCommon {
  readonly verdict: Exclude<FindingVerdict, 'agent'>;
  readonly evidence: TargetEvidence;
}

/** A finding about one of our own agents, whose results were set aside instead of blamed on the target. */
export interface AgentFinding extends FindingCommon {
  readonly verdict: 'agent';
  readonly evidence: AgentEvidence;
}

export type Finding = TargetFinding | AgentFinding;

/** The diagnosis of one target, as `GET /api/v1/targets/:id/diagnosis` returns it. */
export interface Diagnosis {
  readonly target: string;
  readonly window: { readonly from: string; readonly to: string };
  /** The most severe finding's verdict, `healthy` when there is none. */
  readonly verdict: Verdict;
  /** Most severe first. */
  readonly findings: readonly Finding[];
}

/** Tunables; every one has a default in DEFAULT_DIAGNOSIS_OPTIONS. */
export interface DiagnosisOptions {
  /** Window for hard failures, seen within minutes. */
  readonly shortWindowMs: number;
  /** Window for rare intermittent failures, which need many probes. */
  readonly longWindowMs: number;
  /** Family-wise false-alarm rate for the target's tests (and, separately, for the agents' tests). */
  readonly alpha: number;
  /** Fewest failures a cell, row, column or grid needs before anything is called. */
  readonly minFailures: number;
  /** Effect size: a suspect must fail at least this many times as often as its comparison group. */
  readonly minRateRatio: number;
  /** Failure rate of a healthy target (probe noise); origin and DNS are tested against it. */
  readonly backgroundRate: number;
  /** Fraction of rows and of columns that must show failures to call it origin / zone-wide DNS. */
  readonly nearlyEveryFraction: number;
  /** Fraction of a finding's failures that must be TLS certificate codes to call it `tls`. */
  readonly dominantFraction: number;
  /** A proxy-generated 502 faster than this (to first byte) means the upstream refused or crashed. */
  readonly fastFirstByteMs: number;
  /** Relative spread (±) around the median within which first bytes count as "a constant". */
  readonly timeoutTolerance: number;
  /** A constant first byte shorter than this is not a timeout. */
  readonly minTimeoutMs: number;
  /** How far before a failure latency is compared against the rest ("rising before failures"). */
  readonly latencyLookbackMs: number;
  /** Median latency before failures / median otherwise at which latency counts as rising. */
  readonly latencyRiseRatio: number;
  /** Failing results quoted per finding. */
  readonly maxSamples: number;
}

/** Defaults: a 5-minute window for outages, 1 hour for intermittent faults, 1% false alarms. */
export const DEFAULT_DIAGNOSIS_OPTIONS: DiagnosisOptions = Object.freeze({
  shortWindowMs: 5 * 60_000,
  longWindowMs: 60 * 60_000,
  alpha: 0.01,
  minFailures: 3,
  minRateRatio: 2,
  backgroundRate: 0.01,
  nearlyEveryFraction: 0.75,
  dominantFraction: 0.5,
  fastFirstByteMs: 1_000,
  timeoutTolerance: 0.05,
  minTimeoutMs: 1_000,
  latencyLookbackMs: 10 * 60_000,
  latencyRiseRatio: 1.5,
  maxSamples: 5,
});

/** What `diagnose` needs. */
export interface DiagnoseInput {
  readonly target: string;
  readonly observations: readonly Observation[];
  readonly agents: readonly AgentHealth[];
  /** The end of both windows; the diagnosis never reads a clock. */
  readonly nowMs: number;
  /**
   * The URL and method the agents probe (their newest result's), for the commands the hints give: curl
   * to one node, mtr to the URL's port, openssl's -servername, dig's name. Absent: placeholders.
   */
  readonly probe?: { readonly url: string; readonly method: string } | undefined;
  readonly options?: Partial<DiagnosisOptions> | undefined;
}
