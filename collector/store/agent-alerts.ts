import type { Db } from './db.js';

/**
 * What is wrong with the probing fleet itself:
 * - `silent`: an agent sent no heartbeat for 3 heartbeat intervals (VPS down, agent stopped, its NATS
 *   link broken);
 * - `controls`: an agent's control targets all fail, again and again (its own network or resolver is
 *   broken: the diagnosis sets its results aside);
 * - `all-silent`: no agent at all is heard from (the NATS hub, or the collector's link to it, is down);
 * - `no-targets`: an agent heartbeats but probes no target while the collector has targets for its
 *   region (it cannot read the targets bucket, or its --targets file is empty or unreadable).
 */
export const AGENT_PROBLEMS = ['silent', 'controls', 'all-silent', 'no-targets'] as const;
export type AgentProblem = (typeof AGENT_PROBLEMS)[number];

/** An open alert about one agent, or (region and agent both "") about the whole fleet. */
export interface AgentAlertRecord {
  readonly region: string;
  readonly agent: string;
  readonly problem: AgentProblem;
  /** The one sentence sent when it opened or changed. */
  readonly summary: string;
  readonly openedAtMs: number;
  readonly updatedAtMs: number;
  /** Since when the problem is gone (it resolves a while later), or null while it lasts. */
  readonly healthySinceMs: number | null;
}

interface AgentAlertDbRow {
  region: string;
  agent: string;
  problem: AgentProblem;
  summary: string;
  opened_at_ms: number;
  updated_at_ms: number;
  healthy_since_ms: number | null;
}

/** The `agent_alerts` table: the open ones only. */
export class AgentAlertsTable {
  private readonly upsertStmt;
  private readonly deleteStmt;
  private readonly listStmt;

  constructor(db: Db) {
    this.upsertStmt = db.prepare(`INSERT INTO agent_alerts (region, agent, problem, summary, opened_at_ms, updated_at_ms, healthy_since_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (region, agent) DO UPDATE SET problem = excluded.problem, summary = excluded.summary,
      opened_at_ms = excluded.opened_at_ms, updated_at_ms = excluded.updated_at_ms, healthy_since_ms = excluded.healthy_since_ms`);
    this.deleteStmt = db.prepare('DELETE FROM agent_alerts WHERE region = ? AND agent = ?');
    this.listStmt = db.prepare('SELECT * FROM agent_alerts ORDER BY region, agent');
  }

  save(a: AgentAlertRecord): void {
    this.upsertStmt.run(a.region, a.agent, a.problem, a.summary, a.openedAtMs, a.updatedAtMs, a.healthySinceMs);
  }

  remove(a: Pick<AgentAlertRecord, 'region' | 'agent'>): void {
    this.deleteStmt.run(a.region, a.agent);
  }

  list(): AgentAlertRecord[] {
    return (this.listStmt.all() as AgentAlertDbRow[]).map((r) => ({
      region: r.region,
      agent: r.agent,
      problem: r.problem,
      summary: r.summary,
      openedAtMs: r.opened_at_ms,
      updatedAtMs: r.updated_at_ms,
      healthySinceMs: r.healthy_since_ms,
    }));
  }
}
