import type { Suspect } from '../diagnosis/index.js';
import { MINUTE_MS, type AgentRow, type IncidentRecord, type StatusMinute, type Store } from '../store/index.js';
import { levelOf } from './data.js';
import type { ReportCell } from './types.js';

/** What the dashboard's status strips span: the last hour, a cell per minute (the current one last). */
export const DASHBOARD_MINUTES = 60;
/** A target's state is judged on its last few minutes. */
export const RECENT_MINUTES = 5;

/** How a target stands now, worst first. */
export const TARGET_STATES = ['incident', 'failing', 'ok', 'no-data'] as const;
export type TargetState = (typeof TARGET_STATES)[number];

/** One target on the dashboard. */
export interface DashboardTarget {
  readonly id: string;
  readonly url: string | null;
  /** `incident`: one is open; `failing`: failures in the last RECENT_MINUTES; `no-data`: no probes then. */
  readonly state: TargetState;
  readonly recent: ReportCell;
  readonly hour: ReportCell;
  /** One strip per region that probed it in the hour: a cell per minute. */
  readonly regions: readonly { readonly region: string; readonly cells: readonly ReportCell[]; readonly total: ReportCell }[];
  readonly incident: { readonly id: string; readonly verdict: string; readonly summary: string; readonly openedAt: string } | null;
}

/** An open incident, with its verdict sentence. */
export interface DashboardIncident {
  readonly id: string;
  readonly target: string;
  readonly verdict: string;
  readonly summary: string;
  readonly suspects: readonly Suspect[];
  readonly openedAt: string;
  readonly updatedAt: string;
}

/** An agent and its health, from its last heartbeat. */
export interface DashboardAgent {
  readonly region: string;
  readonly agent: string;
  readonly version: string;
  readonly lastSeen: string;
  /** Since the last heartbeat, by the collector's clock. */
  readonly ageMs: number;
  readonly stale: boolean;
  readonly targets: number;
  readonly spoolDepth: number;
  readonly spoolDropped: number;
  readonly schedLagMs: number;
  readonly controls: readonly { readonly url: string; readonly ok: boolean; readonly failure: string | null; readonly consecutiveFailures: number }[];
  readonly controlsFailing: boolean;
}

/** Everything the dashboard shows. */
export interface DashboardData {
  readonly generatedAt: string;
  /** Start of each strip minute, oldest first. */
  readonly minutes: readonly number[];
  readonly targets: readonly DashboardTarget[];
  readonly incidents: readonly DashboardIncident[];
  readonly agents: readonly DashboardAgent[];
  readonly heartbeatIntervalMs: number;
}

/** What the dashboard reads besides the store. */
export interface DashboardOptions {
  readonly nowMs: number;
  /** An agent is stale after this many ms without a heartbeat. */
  readonly staleAfterMs: number;
  readonly heartbeatIntervalMs: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function cell(failures: number, probes: number): ReportCell {
  return { failures, probes, rate: probes > 0 ? failures / probes : null, level: levelOf(failures, probes), suspect: false };
}

/** Reads the dashboard: every target's last hour from the rollups, open incidents, agents. */
export function buildDashboard(store: Store, o: DashboardOptions): DashboardData {
  const lastMinute = Math.floor(o.nowMs / MINUTE_MS) * MINUTE_MS;
  const firstMinute = lastMinute - (DASHBOARD_MINUTES - 1) * MINUTE_MS;
  return assembleDashboard({
    nowMs: o.nowMs,
    firstMinute,
    status: store.statusMinutes(firstMinute, o.nowMs + 1),
    targets: store.listTargets().map((t) => ({ id: t.target.id, url: t.target.url })),
    incidents: store.listIncidents({ state: 'open', limit: 500 }),
    agents: store.listAgents(),
    staleAfterMs: o.staleAfterMs,
    heartbeatIntervalMs: o.heartbeatIntervalMs,
  });
}

/** The dashboard from what was read. Pure. */
export function assembleDashboard(i: {
  readonly nowMs: number;
  readonly firstMinute: number;
  readonly status: readonly StatusMinute[];
  readonly targets: readonly { readonly id: string; readonly url: string }[];
  readonly incidents: readonly IncidentRecord[];
  readonly agents: readonly AgentRow[];
  readonly staleAfterMs: number;
  readonly heartbeatIntervalMs: number;
}): DashboardData {
  const minutes = Array.from({ length: DASHBOARD_MINUTES }, (_, k) => i.firstMinute + k * MINUTE_MS);
  const strips = new Map<string, Map<string, { failures: number[]; probes: number[] }>>();
  for (const s of i.status) {
    const k = Math.round((s.minuteMs - i.firstMinute) / MINUTE_MS);
    if (k < 0 || k >= DASHBOARD_MINUTES) continue;
    let byRegion = strips.get(s.target);
    if (byRegion === undefined) strips.set(s.target, (byRegion = new Map()));
    let strip = byRegion.get(s.region);
    if (strip === undefined) byRegion.set(s.region, (strip = { failures: minutes.map(() => 0), probes: minutes.map(() => 0) }));
    strip.failures[k]! += s.failures;
    strip.probes[k]! += s.n;
  }
  const openByTarget = new Map<string, IncidentRecord>();
  for (const inc of i.incidents) if (!openByTarget.has(inc.target)) openByTarget.set(inc.target, inc);
  const urls = new Map(i.targets.map((t) => [t.id, t.url]));
  const ids = [...new Set([...urls.keys(), ...strips.keys(), ...openByTarget.keys()])];
  const recentFrom = DASHBOARD_MINUTES - RECENT_MINUTES;
  const targets = ids.map((id): DashboardTarget => {
    const byRegion = strips.get(id) ?? new Map<string, { failures: number[]; probes: number[] }>();
    let hf = 0;
    let hp = 0;
    let rf = 0;
    let rp = 0;
    const regions = [...byRegion.keys()].sort(cmp).map((region) => {
      const s = byRegion.get(region)!;
      const cells = s.failures.map((f, k) => cell(f, s.probes[k]!));
      const f = s.failures.reduce((a, x) => a + x, 0);
      const p = s.probes.reduce((a, x) => a + x, 0);
      hf += f;
      hp += p;
      for (let k = recentFrom; k < DASHBOARD_MINUTES; k++) {
        rf += s.failures[k]!;
        rp += s.probes[k]!;
      }
      return { region, cells, total: cell(f, p) };
    });
    const open = openByTarget.get(id);
    const state: TargetState = open !== undefined ? 'incident' : rp === 0 ? 'no-data' : rf > 0 ? 'failing' : 'ok';
    return {
      id,
      url: urls.get(id) ?? null,
      state,
      recent: cell(rf, rp),
      hour: cell(hf, hp),
      regions,
      incident: open === undefined ? null : { id: open.id, verdict: open.verdict, summary: open.summary, openedAt: iso(open.openedAtMs) },
    };
  });
  targets.sort((a, b) => TARGET_STATES.indexOf(a.state) - TARGET_STATES.indexOf(b.state) || cmp(a.id, b.id));
  return {
    generatedAt: iso(i.nowMs),
    minutes,
    targets,
    incidents: i.incidents.map((x) => ({
      id: x.id,
      target: x.target,
      verdict: x.verdict,
      summary: x.summary,
      suspects: x.suspects,
      openedAt: iso(x.openedAtMs),
      updatedAt: iso(x.updatedAtMs),
    })),
    agents: i.agents.map((a) => ({
      region: a.region,
      agent: a.agent,
      version: a.version,
      lastSeen: iso(a.lastSeenMs),
      ageMs: Math.max(0, i.nowMs - a.lastSeenMs),
      stale: i.nowMs - a.lastSeenMs > i.staleAfterMs,
      targets: a.targets,
      spoolDepth: a.spoolDepth,
      spoolDropped: a.spoolDropped,
      schedLagMs: a.schedLagMs,
      controls: a.controls.map((c) => ({ url: c.url, ok: c.ok, failure: c.failure, consecutiveFailures: c.consecutiveFailures })),
      controlsFailing: a.controlsFailing,
    })),
    heartbeatIntervalMs: i.heartbeatIntervalMs,
  };
}
