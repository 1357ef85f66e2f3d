import { diagnose, resolveOptions, type AgentHealth, type Diagnosis, type DiagnosisOptions } from './diagnosis/index.js';
import type { Store } from './store/index.js';

/**
 * The diagnosis of one target now: reads what the classifier needs from the store (the target's
 * observations over the long window, each agent's health and its failure rate on other targets) and
 * hands it to the pure classifier. The one place the API, incidents and reports get a verdict from.
 */
export function evaluateTarget(store: Store, target: string, nowMs: number, options: Partial<DiagnosisOptions> = {}): Diagnosis {
  const opts = resolveOptions(options);
  const fromMs = nowMs - opts.longWindowMs;
  const observations = store.observations(target, fromMs, nowMs);
  return diagnose({ target, observations, agents: agentHealth(store, target, fromMs, nowMs), nowMs, options: opts });
}

/** Each agent's health over [fromMs, nowMs], judged against its region peers on the other targets. */
export function agentHealth(store: Store, target: string, fromMs: number, nowMs: number): AgentHealth[] {
  const rates = store.agentFailureRates(fromMs, nowMs, target);
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
