import type { Suspect } from '../diagnosis/index.js';
import { otherFindings } from './lifecycle.js';
import type { IncidentEventRecord, IncidentEventType, IncidentRecord, IncidentState, IncidentVerdict } from '../store/index.js';

/** An incident as the API and the JSON webhook show it (times as ISO strings; no diagnosis). */
export interface IncidentView {
  readonly id: string;
  readonly target: string;
  readonly state: IncidentState;
  readonly verdict: IncidentVerdict;
  readonly suspects: readonly Suspect[];
  /** The finding it follows in one sentence, at its worst (IncidentRecord.summary). */
  readonly summary: string;
  /**
   * The target's other problems beside the one it follows, in its last diagnosis with a finding: what
   * its alerts' "; also: …" names, for a receiver that routes on them (a routing finding to the network
   * team). None once resolved: the target has been healthy since.
   */
  readonly others: readonly OtherFindingView[];
  readonly openedAt: string;
  readonly updatedAt: string;
  readonly resolvedAt: string | null;
  readonly reopens: number;
}

/** A finding beside the one an incident follows. */
export interface OtherFindingView {
  readonly verdict: IncidentVerdict;
  readonly suspects: readonly Suspect[];
  readonly summary: string;
}

/** One history entry as the API shows it. */
export interface IncidentEventView {
  readonly at: string;
  readonly type: IncidentEventType;
  readonly verdict: IncidentVerdict;
  readonly suspects: readonly Suspect[];
  readonly summary: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function incidentView(i: IncidentRecord): IncidentView {
  return {
    id: i.id,
    target: i.target,
    state: i.state,
    verdict: i.verdict,
    suspects: i.suspects,
    summary: i.summary,
    others: i.state === 'resolved' ? [] : otherFindings(i.lastDiagnosis).map((f) => ({ verdict: f.verdict, suspects: f.suspects, summary: f.summary })),
    openedAt: iso(i.openedAtMs),
    updatedAt: iso(i.updatedAtMs),
    resolvedAt: i.resolvedAtMs === null ? null : iso(i.resolvedAtMs),
    reopens: i.reopens,
  };
}

export function incidentEventView(e: IncidentEventRecord): IncidentEventView {
  return { at: iso(e.atMs), type: e.type, verdict: e.verdict, suspects: e.suspects, summary: e.summary };
}
