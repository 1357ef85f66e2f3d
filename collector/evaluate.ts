import { diagnose, resolveOptions, type AgentHealth, type Diagnosis, type DiagnosisOptions, type Observation } from './diagnosis/index.js';
import type { AgentFailureRate, Store } from './store/index.js';

/**
 * Below this long window, agent health reads exact counts from SQLite (few rows); from it on, the
 * store's in-memory per-minute totals, whose minute resolution is then at most a tenth of the window.
 */
export const EXACT_AGENT_RATES_BELOW_MS = 10 * 60_000;

/**
 * The diagnosis of one target now: reads what the classifier needs from the store (the target's
 * observations over the long window, each agent's health and its failure rate on other targets, and the
 * URL its agents probe, for the hints' commands) and hands it to the pure classifier. The one place the
 * API, incidents and reports get a verdict from.
 */
export function evaluateTarget(store: Store, target: string, nowMs: number, options: Partial<DiagnosisOptions> = {}): Diagnosis {
  const opts = resolveOptions(options);
  const fromMs = nowMs - opts.longWindowMs;
  const probe = store.probedAs(target) ?? undefined;
  if (opts.longWindowMs < EXACT_AGENT_RATES_BELOW_MS) {
    const observations = store.observations(target, fromMs, nowMs);
    return diagnose({ target, observations, agents: agentHealth(store, store.agentFailureRates(fromMs, nowMs, target), fromMs), nowMs, probe, options: opts });
  }
  const totals = store.agentTotals(fromMs, nowMs);
  // the whole minutes agent totals cover: the target's own share is taken out over the same minutes
  // (the classifier keeps to its windows itself)
  const observations = store.observations(target, Math.min(fromMs, totals.fromMs), Math.max(nowMs, totals.toMs));
  return diagnose({ target, observations, agents: agentHealth(store, otherTargetRates(observations, totals), fromMs), nowMs, probe, options: opts });
}

/** Per agent, failed / total on the other targets: `totals` (every target, from `store.agentTotals`) less this target's `observations` over the same minutes. */
export function otherTargetRates(
  observations: readonly Observation[],
  totals: { readonly rates: readonly AgentFailureRate[]; readonly fromMs: number; readonly toMs: number },
): AgentFailureRate[] {
  // region → agent → this target's share (no key string per observation: this runs over every probe)
  const own = new Map<string, Map<string, { failed: number; total: number }>>();
  for (const o of observations) {
    if (o.atMs < totals.fromMs || o.atMs >= totals.toMs) continue;
    let agents = own.get(o.region);
    if (agents === undefined) {
      agents = new Map();
      own.set(o.region, agents);
    }
    const t = agents.get(o.agent);
    if (t === undefined) agents.set(o.agent, { failed: o.ok ? 0 : 1, total: 1 });
    else {
      t.total++;
      if (!o.ok) t.failed++;
    }
  }
  const rates: AgentFailureRate[] = [];
  for (const r of totals.rates) {
    const mine = own.get(r.region)?.get(r.agent);
    const failed = r.failed - (mine?.failed ?? 0);
    const total = r.total - (mine?.total ?? 0);
    if (total > 0) rates.push({ agent: r.agent, region: r.region, failed, total });
  }
  return rates;
}

/**
 * Each agent's health, judged against its region peers: `rates` are the agents' failed / total on the
 * other targets. A heartbeat from before `fromMs` says nothing about the agent's network now.
 */
export function agentHealth(store: Store, rates: readonly AgentFailureRate[], fromMs: number): AgentHealth[] {
  const byRegion = new Map<string, { failed: number; total: number }>();
  for (const r of rates) {
    const t = byRegion.get(r.region) ?? { failed: 0, total: 0 };
    t.failed += r.failed;
    t.total += r.total;
    byRegion.set(r.region, t);
  }
  const rateOf = new Map(rates.map((r) => [`${r.region}/${r.agent}`, r]));
  const health: AgentHealth[] = [];
  const seen = new Set<string>();
  for (const a of store.listAgents()) {
    const key = `${a.region}/${a.agent}`;
    seen.add(key);
    const own = rateOf.get(key);
    const region = byRegion.get(a.region);
    health.push({
      agent: a.agent,
      region: a.region,
      // a heartbeat from before the window says nothing about the agent's network now
      controlsFailing: a.controlsFailing && a.lastSeenMs >= fromMs,
      otherTargets: own ? { failed: own.failed, total: own.total } : undefined,
      peersOtherTargets: own && region ? { failed: region.failed - own.failed, total: region.total - own.total } : undefined,
    });
  }
  // agents that published results but whose heartbeats never arrived (e.g. core NATS lost them)
  for (const r of rates) {
    if (seen.has(`${r.region}/${r.agent}`)) continue;
    const region = byRegion.get(r.region)!;
    health.push({
      agent: r.agent,
      region: r.region,
      controlsFailing: false,
      otherTargets: { failed: r.failed, total: r.total },
      peersOtherTargets: { failed: region.failed - r.failed, total: region.total - r.total },
    });
  }
  return health;
}
