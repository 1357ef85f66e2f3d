import type { Suspect } from '../diagnosis/index.js';
import type { IncidentEventRecord, IncidentEventType, IncidentRecord, IncidentState, IncidentVerdict } from '../store/index.js';

/** An incident as the API and the JSON webhook show it (times as ISO strings; no diagnosis). */
export interface IncidentView {
  readonly id: string;
  readonly target: string;
  readonly state: IncidentState;
  readonly verdict: IncidentVerdict;
  readonly suspects: readonly Suspect[];
  readonly summary: string;
  readonly openedAt: string;
  readonly updatedAt: string;
  readonly resolvedAt: string | null;
  readonly reopens: number;
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
    openedAt: iso(i.openedAtMs),
    updatedAt: iso(i.updatedAtMs),
    resolvedAt: i.resolvedAtMs === null ? null : iso(i.resolvedAtMs),
    reopens: i.reopens,
  };
}

export function incidentEventView(e: IncidentEventRecord): IncidentEventView {
  return { at: iso(e.atMs), type: e.type, verdict: e.verdict, suspects: e.suspects, summary: e.summary };
}
