import { type Diagnosis, type Suspect, type TargetFinding, list } from '../diagnosis/index.js';
import type { IncidentEventRecord, IncidentEventType, IncidentRecord, NamedFinding } from '../store/index.js';

/** Tunables of the incident lifecycle. */
export interface IncidentOptions {
  /** Consecutive evaluations with a target finding before an incident opens (1 = the first one). */
  readonly confirmEvaluations: number;
  /** How long the target must stay without target findings before its incident resolves. */
  readonly resolveAfterMs: number;
}

/** Defaults: confirmed by 2 evaluations in a row, resolved after 5 healthy minutes. */
export const DEFAULT_INCIDENT_OPTIONS: IncidentOptions = Object.freeze({ confirmEvaluations: 2, resolveAfterMs: 5 * 60_000 });

/** Bad incident options (thrown at start-up, never during the loop). */
export class IncidentOptionsError extends Error {
  override readonly name = 'IncidentOptionsError';
  readonly code = 'ERR_INCIDENT_OPTIONS';
}

/** Defaults filled in and checked: confirmEvaluations an integer ≥ 1, resolveAfterMs ≥ 0. */
export function resolveIncidentOptions(options: Partial<IncidentOptions> = {}): IncidentOptions {
  const o = { ...DEFAULT_INCIDENT_OPTIONS, ...options };
  if (!Number.isInteger(o.confirmEvaluations) || o.confirmEvaluations < 1) {
    throw new IncidentOptionsError(`confirmEvaluations: must be an integer of at least 1 (got ${String(o.confirmEvaluations)})`);
  }
  if (!Number.isFinite(o.resolveAfterMs) || o.resolveAfterMs < 0) {
    throw new IncidentOptionsError(`resolveAfterMs: must be a duration of at least 0 ms (got ${String(o.resolveAfterMs)})`);
  }
  return Object.freeze(o);
}

/** What the lifecycle remembers about one target between evaluations. */
export interface LifecycleState {
  /** The target's most recent incident, open or resolved (a resolved one is kept to detect flapping). */
  readonly incident: IncidentRecord | null;
  /** Consecutive evaluations with a target finding while no incident was open. */
  readonly pending: number;
}

export const EMPTY_LIFECYCLE_STATE: LifecycleState = Object.freeze({ incident: null, pending: 0 });

/** Something worth telling a human about; `incident` is the incident after the transition. */
export interface IncidentEvent {
  readonly type: IncidentEventType;
  readonly incident: IncidentRecord;
  readonly atMs: number;
}

/** One evaluation's outcome: the state to keep, what to append to the history and to notify. */
export interface LifecycleStep {
  readonly state: LifecycleState;
  /**
   * True when `state.incident` differs from the previous one and must be saved (it is then a new
   * object; an unchanged incident is the same object).
   */
  readonly save: boolean;
  readonly events: readonly IncidentEvent[];
}

/** The finding an incident follows: the most severe one about the target; `agent` findings never count. */
export function targetFinding(d: Diagnosis): TargetFinding | null {
  for (const f of d.findings) if (f.verdict !== 'agent') return f;
  return null;
}

/** A diagnosis' target findings after the first (the one an incident follows): the target's other problems. */
export function otherFindings(d: Diagnosis): TargetFinding[] {
  return d.findings.filter((f): f is TargetFinding => f.verdict !== 'agent').slice(1);
}

/**
 * The incident's summary, then its target's other problems, if any: "…; also: lb-node 203.0.113.7 and
 * routing region ap-south" (what its alerts and history say: a change of the finding it follows must
 * not read as the end of the others).
 */
export function summaryWithOthers(incident: Pick<IncidentRecord, 'lastDiagnosis' | 'summary'>): string {
  const others = otherFindings(incident.lastDiagnosis).map((f) => [f.verdict, ...f.suspects.map((s) => (s.dimension === 'ip' ? s.value : `${s.dimension} ${s.value}`))].join(' '));
  return others.length === 0 ? incident.summary : `${incident.summary}; also: ${list([...new Set(others)])}`;
}

/**
 * Whether a finding beside the one an incident follows is news: not inconclusive (too vague to wake
 * anyone for), and neither named before nor a weaker reading of one named (the same verdict, some of
 * its suspects).
 */
function isNews(f: TargetFinding, named: readonly NamedFinding[]): boolean {
  if (f.verdict === 'inconclusive') return false;
  const covers = (n: NamedFinding) => n.verdict === f.verdict && (f.suspects.length === 0 ? n.suspects.length === 0 : f.suspects.every((s) => among(s, n.suspects)));
  return !named.some(covers);
}

/** What an event names, added to what was named before: every target finding of its diagnosis. */
function naming(named: readonly NamedFinding[], d: Diagnosis): NamedFinding[] {
  const out = [...named];
  for (const f of d.findings) {
    if (f.verdict === 'agent') continue;
    if (!out.some((n) => n.verdict === f.verdict && sameSuspects(n.suspects, f.suspects))) out.push({ verdict: f.verdict, suspects: f.suspects });
  }
  return out;
}

/** Whether `s` is one of `suspects`. */
function among(s: Suspect, suspects: readonly Suspect[]): boolean {
  return suspects.some((x) => x.dimension === s.dimension && x.value === s.value);
}

/** Suspects compared as a set (the classifier's order is not part of their meaning). */
export function sameSuspects(a: readonly Suspect[], b: readonly Suspect[]): boolean {
  const key = (xs: readonly Suspect[]): string => xs.map((s) => `${s.dimension}\u0000${s.value}`).sort().join('\u0001');
  return key(a) === key(b);
}

/**
 * A weaker reading of the same failures: it keeps the incident open but does not relabel it (no
 * alert). Either
 * - an `inconclusive` finding about an incident that has a conclusive verdict, naming no suspect or
 *   one of the incident's (typically the evidence thinning out of the windows once the fault is fixed:
 *   too few failures left to single out the node, still above the background); an inconclusive
 *   finding pointing somewhere else entirely is a change; or
 * - the same verdict naming only some of the incident's suspects: a node blamed by its IP and its
 *   identity header, then by the header alone (a region that cannot connect at all takes the IP's
 *   evidence away), is still the same node. New suspects, or another verdict, are a change.
 */
export function weakerReading(finding: TargetFinding, incident: IncidentRecord): boolean {
  const named = (s: Suspect) => among(s, incident.suspects);
  if (finding.verdict === incident.verdict) return finding.suspects.length > 0 && finding.suspects.every(named);
  if (finding.verdict !== 'inconclusive' || incident.verdict === 'inconclusive') return false;
  if (finding.suspects.length === 0) return true;
  return finding.suspects.some(named);
}

/** The share of failed probes in the cells a finding's test singled out (0 when it counted none). */
export function failureRate(f: TargetFinding): number {
  const { failures, probes } = f.evidence.test.inside;
  return probes > 0 ? failures / probes : 0;
}

/** The id of an incident of `target` opened at `openedAtMs`. */
export function incidentId(target: string, openedAtMs: number): string {
  return `${target}-${openedAtMs}`;
}

/**
 * One evaluation of one target through the incident state machine. Pure: `nowMs` is an argument.
 *
 * - OPEN: `confirmEvaluations` evaluations in a row have a target finding (of any kind: the kind may
 *   change while evidence grows); the incident takes the latest finding's verdict and suspects.
 * - REOPEN (flapping): when confirmed while the latest incident was resolved less than
 *   `resolveAfterMs` ago and has the same verdict, that incident opens again (`reopened`, its
 *   `reopens` counted) instead of a new one.
 * - CHANGE: while open, a finding whose verdict or suspects (as a set) differ from the incident's.
 *   A summary that only rewords the same verdict and suspects (counts moving) is no event, and neither
 *   is a weaker reading (`weakerReading`): the same verdict naming only some of the incident's
 *   suspects, or an inconclusive finding about a conclusive incident.
 *   Also a change: a conclusive finding beside the one the incident follows that its alerts have not
 *   named yet (a region's route breaking while a node 502s), once (`named`); one that comes and goes
 *   with the evidence is not news again.
 *   Without an event, a reading of the same verdict and suspects failing as often or more than the one
 *   the summary quotes (`summaryRate`) replaces the summary: it tells the outage at its worst.
 * - RESOLVE: while open, once the target has had no target finding since an evaluation at least
 *   `resolveAfterMs` ago. Any target finding in between restarts that clock.
 * - An `agent` finding (our own agent broken) is not about the target: it counts as healthy here.
 */
export function stepLifecycle(prev: LifecycleState, diagnosis: Diagnosis, nowMs: number, options: IncidentOptions): LifecycleStep {
  const finding = targetFinding(diagnosis);
  const current = prev.incident;
  const open = current !== null && current.state === 'open' ? current : null;

  if (finding === null) {
    if (open === null) return { state: prev.pending === 0 ? prev : { incident: current, pending: 0 }, save: false, events: [] };
    if (open.healthySinceMs === null) {
      const incident: IncidentRecord = { ...open, healthySinceMs: nowMs, updatedAtMs: nowMs };
      return { state: { incident, pending: 0 }, save: true, events: [] };
    }
    if (nowMs - open.healthySinceMs < options.resolveAfterMs) return { state: { incident: open, pending: 0 }, save: false, events: [] };
    const incident: IncidentRecord = { ...open, state: 'resolved', resolvedAtMs: nowMs, updatedAtMs: nowMs, healthySinceMs: null };
    return { state: { incident, pending: 0 }, save: true, events: [{ type: 'resolved', incident, atMs: nowMs }] };
  }

  if (open !== null) {
    const same = finding.verdict === open.verdict && sameSuspects(finding.suspects, open.suspects);
    const relabel = !same && !weakerReading(finding, open);
    const news = otherFindings(diagnosis).some((f) => isNews(f, open.named));
    const changed = relabel || news;
    const rate = failureRate(finding);
    const worse = same && (open.summaryRate === null || rate >= open.summaryRate);
    const incident: IncidentRecord = {
      ...open,
      ...(relabel ? { verdict: finding.verdict, suspects: finding.suspects, summary: finding.summary, summaryRate: rate } : {}),
      ...(worse ? { summary: finding.summary, summaryRate: rate } : {}),
      updatedAtMs: nowMs,
      healthySinceMs: null,
      lastDiagnosis: diagnosis,
      named: changed ? naming(open.named, diagnosis) : open.named,
    };
    return { state: { incident, pending: 0 }, save: true, events: changed ? [{ type: 'changed', incident, atMs: nowMs }] : [] };
  }

  const pending = prev.pending + 1;
  if (pending < options.confirmEvaluations) return { state: { incident: current, pending }, save: false, events: [] };

  const fields = { state: 'open', verdict: finding.verdict, suspects: finding.suspects, summary: finding.summary, summaryRate: failureRate(finding) } as const;
  if (
    current !== null &&
    current.resolvedAtMs !== null &&
    current.verdict === finding.verdict &&
    nowMs - current.resolvedAtMs < options.resolveAfterMs
  ) {
    const incident: IncidentRecord = {
      ...current,
      ...fields,
      resolvedAtMs: null,
      healthySinceMs: null,
      updatedAtMs: nowMs,
      reopens: current.reopens + 1,
      lastDiagnosis: diagnosis,
      named: naming([], diagnosis),
    };
    return { state: { incident, pending: 0 }, save: true, events: [{ type: 'reopened', incident, atMs: nowMs }] };
  }
  const incident: IncidentRecord = {
    id: incidentId(diagnosis.target, nowMs),
    target: diagnosis.target,
    ...fields,
    openedAtMs: nowMs,
    updatedAtMs: nowMs,
    resolvedAtMs: null,
    healthySinceMs: null,
    reopens: 0,
    lastDiagnosis: diagnosis,
    named: naming([], diagnosis),
  };
  return { state: { incident, pending: 0 }, save: true, events: [{ type: 'opened', incident, atMs: nowMs }] };
}

/** The history entry an event leaves. */
export function historyEntry(e: IncidentEvent): IncidentEventRecord {
  const summary = e.type === 'resolved' ? e.incident.summary : summaryWithOthers(e.incident);
  return { incidentId: e.incident.id, atMs: e.atMs, type: e.type, verdict: e.incident.verdict, suspects: e.incident.suspects, summary };
}
