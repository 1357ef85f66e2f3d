import type { AgentAlertRecord, AgentProblem, AgentRow } from '../store/index.js';
import { isoMinute, list, span } from '../diagnosis/index.js';

/** How the fleet's own health is judged. */
export interface AgentHealthOptions {
  /** No heartbeat for this long: the agent is silent (the collector passes 3 heartbeat intervals). */
  readonly staleAfterMs: number;
  /** How long the problem must stay gone before its alert resolves (the incidents' resolve-after). */
  readonly resolveAfterMs: number;
  /**
   * Since when the collector has been listening for heartbeats: nothing counts as silent before
   * `staleAfterMs` past it (after a restart, every agent's last heartbeat is old until its next one).
   */
  readonly listeningSinceMs: number;
  /** Failed checks in a row of every control target before it alerts (one failed round is a blip). Default 2. */
  readonly controlFailuresInARow?: number;
}

/** A target of the collector's (the API's), as far as which agents should probe it. */
export interface TargetScope {
  readonly id: string;
  /** The regions that probe it; empty: every region. */
  readonly regions: readonly string[];
  /** When it was last written: an agent's heartbeat may not count it yet for a while after. */
  readonly updatedAtMs: number;
}

/** An agent alert opening, changing its problem, or resolving; `alert` as it is after the transition. */
export interface AgentAlertEvent {
  readonly type: 'opened' | 'changed' | 'resolved';
  readonly alert: AgentAlertRecord;
  readonly atMs: number;
}

/** One tick's outcome: rows to save, alerts resolved (to delete), and what to notify. */
export interface AgentAlertStep {
  readonly save: readonly AgentAlertRecord[];
  readonly resolved: readonly AgentAlertRecord[];
  readonly events: readonly AgentAlertEvent[];
}

/** The key of the whole fleet's alert (no agent is named ""). */
const FLEET = { region: '', agent: '' } as const;

interface Problem {
  readonly region: string;
  readonly agent: string;
  readonly problem: AgentProblem;
  readonly summary: string;
}

const keyOf = (a: { readonly region: string; readonly agent: string }): string => `${a.region}\u0000${a.agent}`;

/** True when the alert is about the whole fleet rather than one agent. */
export function isFleetAlert(a: Pick<AgentAlertRecord, 'region' | 'agent'>): boolean {
  return a.region === FLEET.region && a.agent === FLEET.agent;
}

/**
 * What is wrong with the fleet now, by agent: silent agents, and agents whose control targets all keep
 * failing. When no agent at all is heard from, that alone (`all-silent`: one alert instead of one per
 * agent, as the hub or the collector's link to it is the likelier cause). `unjudged`: the keys of open
 * alerts that can be neither confirmed nor cleared now — every agent's while all are silent, and an
 * agent's not heard from since the collector started listening while its grace lasts.
 *
 * An agent heard from whose heartbeat says it probes no target while `targets` (the collector's) has
 * some for its region is `no-targets`: it cannot read the targets bucket, or its own --targets file
 * is empty. Targets written less than `staleAfterMs` before its heartbeat, and an agent up for less
 * than that (it is still loading them), are not held against it: the grace the silent check gives.
 */
export function agentProblems(
  agents: readonly AgentRow[],
  nowMs: number,
  o: AgentHealthOptions,
  targets: readonly TargetScope[] = [],
): { problems: Problem[]; unjudged: Set<string> } {
  const grace = nowMs - o.listeningSinceMs <= o.staleAfterMs;
  const unknown = agents.filter((a) => grace && a.lastSeenMs < o.listeningSinceMs);
  const silent = agents.filter((a) => nowMs - Math.max(a.lastSeenMs, o.listeningSinceMs) > o.staleAfterMs);
  const unjudged = new Set(unknown.map(keyOf));
  if (agents.length > 0 && silent.length + unknown.length === agents.length) {
    // no agent heard from: about the fleet as a whole, nothing about single agents
    for (const a of agents) unjudged.add(keyOf(a));
    if (unknown.length > 0) {
      unjudged.add(keyOf(FLEET));
      return { problems: [], unjudged };
    }
    const since = Math.max(o.listeningSinceMs, Math.max(...agents.map((a) => a.lastSeenMs)));
    const summary =
      `no heartbeat from any of the ${agents.length} agent${agents.length === 1 ? '' : 's'} for ${span(nowMs - since)} ` +
      `(the last at ${isoMinute(since)}): the collector hears nothing, so nothing is being diagnosed — check the NATS hub ` +
      `(systemctl status nats-server, its log) and the collector's connection to it (the collector's log) before the agents`;
    return { problems: [{ ...FLEET, problem: 'all-silent', summary }], unjudged };
  }
  const inARow = o.controlFailuresInARow ?? 2;
  const problems: Problem[] = [];
  for (const a of agents) {
    const name = `${a.region}/${a.agent}`;
    if (silent.includes(a)) {
      const peers = agents.filter((p) => p.region === a.region && p !== a && !silent.includes(p)).length;
      const coverage =
        peers > 0
          ? `${a.region} is still probed by ${peers} other agent${peers === 1 ? '' : 's'}`
          : `no other agent probes from ${a.region}, so a fault only ${a.region} sees (a broken route) goes unnoticed`;
      problems.push({
        region: a.region,
        agent: a.agent,
        problem: 'silent',
        summary:
          `agent ${name} silent for ${span(nowMs - a.lastSeenMs)} (last heartbeat ${isoMinute(a.lastSeenMs)}); ${coverage} — ` +
          `check that VPS and its agent (systemctl status crossprobe-agent, journalctl -u crossprobe-agent) and its way to the NATS hub`,
      });
    } else if (unknown.includes(a)) {
      continue;
    } else if (a.controlsFailing && a.controls.every((c) => c.consecutiveFailures >= inARow)) {
      const failing = a.controls.map((c) => `${c.url} ${c.failure ?? 'failed'}`);
      problems.push({
        region: a.region,
        agent: a.agent,
        problem: 'controls',
        summary:
          `every control target of agent ${name} fails (${list(failing)}; at least ${inARow} checks in a row): its own network or ` +
          `resolver is broken, so the diagnosis sets its results aside — check that VPS's network (mtr to a control target, ` +
          `/etc/resolv.conf, the provider's status page)`,
      });
    } else if (a.targets === 0) {
      const missed = targets.filter((t) => t.regions.length === 0 || t.regions.includes(a.region));
      if (missed.length === 0) continue;
      // both on the agent's clock: how long it had been up when it sent its last heartbeat
      const starting = a.sentAtMs - a.startedAtMs < o.staleAfterMs;
      const settled = missed.filter((t) => a.lastSeenMs - t.updatedAtMs >= o.staleAfterMs);
      if (starting || settled.length === 0) {
        // too early to tell: an open alert about it neither resolves nor changes meanwhile
        unjudged.add(keyOf(a));
        continue;
      }
      const ids = settled.map((t) => t.id);
      const named = ids.length <= 3 ? list(ids) : `${ids.slice(0, 3).join(', ')} and ${ids.length - 3} more`;
      problems.push({
        region: a.region,
        agent: a.agent,
        problem: 'no-targets',
        summary:
          `agent ${name} probes no target, while ${settled.length} target${settled.length === 1 ? ' is' : 's are'} meant for ${a.region} ` +
          `(${named}): it heartbeats but sees none of them — check its access to the targets bucket (the hub's log ` +
          `for "Permissions Violation" of its NATS user, whose entry crossprobe enroll wrote), its --targets file if it has one, ` +
          `and its log (journalctl -u crossprobe-agent)`,
      });
    }
  }
  return { problems, unjudged };
}

/**
 * One tick of the fleet's alerts, from the open ones, the agents table and the collector's targets. An alert opens when a
 * problem appears, changes when the agent's problem changes, and resolves once the problem has stayed
 * gone for `resolveAfterMs` (it coming back before keeps the alert open, silently). An alert that cannot
 * be judged now (see `agentProblems`) stays as it is. Pure: `nowMs` is an argument.
 */
export function stepAgentAlerts(
  open: readonly AgentAlertRecord[],
  agents: readonly AgentRow[],
  nowMs: number,
  o: AgentHealthOptions,
  targets: readonly TargetScope[] = [],
): AgentAlertStep {
  const { problems, unjudged } = agentProblems(agents, nowMs, o, targets);
  const byKey = new Map(problems.map((p) => [keyOf(p), p]));
  const openByKey = new Map(open.map((a) => [keyOf(a), a]));
  const save: AgentAlertRecord[] = [];
  const resolved: AgentAlertRecord[] = [];
  const events: AgentAlertEvent[] = [];
  for (const p of problems) {
    const was = openByKey.get(keyOf(p));
    if (was === undefined) {
      const alert: AgentAlertRecord = { ...p, openedAtMs: nowMs, updatedAtMs: nowMs, healthySinceMs: null };
      save.push(alert);
      events.push({ type: 'opened', alert, atMs: nowMs });
    } else if (was.problem !== p.problem) {
      const alert: AgentAlertRecord = { ...was, problem: p.problem, summary: p.summary, updatedAtMs: nowMs, healthySinceMs: null };
      save.push(alert);
      events.push({ type: 'changed', alert, atMs: nowMs });
    } else if (was.healthySinceMs !== null) {
      // back before it resolved: the same alert goes on
      save.push({ ...was, updatedAtMs: nowMs, healthySinceMs: null });
    }
  }
  for (const was of open) {
    const key = keyOf(was);
    if (byKey.has(key) || unjudged.has(key)) continue;
    if (was.healthySinceMs === null) save.push({ ...was, updatedAtMs: nowMs, healthySinceMs: nowMs });
    else if (nowMs - was.healthySinceMs >= o.resolveAfterMs) {
      resolved.push(was);
      events.push({ type: 'resolved', alert: { ...was, updatedAtMs: nowMs }, atMs: nowMs });
    }
  }
  return { save, resolved, events };
}
