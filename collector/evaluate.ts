import { diagnose, mayFind, resolveOptions, type AgentHealth, type CellTally, type Diagnosis, type DiagnosisOptions, type Observation } from './diagnosis/index.js';
import {
  BLOCKED, BLOCKED_OK, DNS_FAILED, FAILED, KINDS, OK, afterThrough,
  type AgentFailureRate, type AgentRow, type Store, type TargetCounts, type TimeRange,
} from './store/index.js';

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
  return otherTargetRatesOf(own, totals.rates);
}

/** Per agent, `totals` less the target's own share `own` (region → agent → its failed / total). */
function otherTargetRatesOf(own: ReadonlyMap<string, ReadonlyMap<string, { failed: number; total: number }>>, totals: readonly AgentFailureRate[]): AgentFailureRate[] {
  const rates: AgentFailureRate[] = [];
  for (const r of totals) {
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
  return agentHealthOf(store.listAgents(), rates, fromMs);
}

/** `agentHealth` over agents already read (`store.listAgents()`): many targets judged at one moment read them once. */
export function agentHealthOf(agents: readonly AgentRow[], rates: readonly AgentFailureRate[], fromMs: number): AgentHealth[] {
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
  for (const a of agents) {
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

/** What judging many targets at one moment shares, read once (`judgeContext`). */
export interface JudgeContext {
  readonly nowMs: number;
  readonly options: DiagnosisOptions;
  /** Short window, long window, and the whole minutes agent totals cover. */
  readonly ranges: readonly [TimeRange, TimeRange, TimeRange];
  readonly totals: { readonly rates: readonly AgentFailureRate[]; readonly fromMs: number; readonly toMs: number };
  readonly agents: readonly AgentRow[];
}

/** How a target was judged. */
export interface Judgement {
  readonly diagnosis: Diagnosis;
  /** True when its raw results were read and diagnosed (`evaluateTarget`); false when its counts showed nothing to find. */
  readonly full: boolean;
}

/** Reads what every target's judgement at `nowMs` shares: the agents and their totals over every target. */
export function judgeContext(store: Store, nowMs: number, options: Partial<DiagnosisOptions> = {}): JudgeContext {
  const opts = resolveOptions(options);
  if (!Number.isFinite(nowMs)) throw new RangeError(`judgeContext needs a finite nowMs, got ${nowMs}`);
  const fromMs = nowMs - opts.longWindowMs;
  const totals = store.agentTotals(fromMs, nowMs);
  return {
    nowMs,
    options: opts,
    ranges: [afterThrough(nowMs - opts.shortWindowMs, nowMs), afterThrough(fromMs, nowMs), { fromMs: totals.fromMs, toMs: totals.toMs }],
    totals,
    agents: store.listAgents(),
  };
}

/**
 * The diagnosis of one target at the context's moment, as `evaluateTarget` gives it, at a cost that for a
 * healthy target does not grow with its results: its per-cell counts (kept current at insert) go through
 * the classifier's decisions first (`mayFind`); only a target where they could find something has its
 * raw results read and diagnosed. What the incident loop judges every target with.
 */
export function judgeTarget(store: Store, target: string, ctx: JudgeContext): Judgement {
  const full = (): Judgement => ({ diagnosis: evaluateTarget(store, target, ctx.nowMs, ctx.options), full: true });
  // a long window this short reads exact agent rates from SQLite (evaluateTarget): no counts for it
  if (ctx.options.longWindowMs < EXACT_AGENT_RATES_BELOW_MS) return full();
  const counted = store.cellCounts(target, ctx.ranges);
  if (counted === null) return full();
  const windows = [cellTallies(counted, 0), cellTallies(counted, 1)];
  const rates = countedOtherTargetRates(counted, ctx.totals.rates);
  const agents = agentHealthOf(ctx.agents, rates, ctx.nowMs - ctx.options.longWindowMs);
  if (mayFind({ windows, agents, options: ctx.options })) return full();
  return {
    diagnosis: {
      target,
      window: { from: new Date(ctx.nowMs - ctx.options.longWindowMs).toISOString(), to: new Date(ctx.nowMs).toISOString() },
      verdict: 'healthy',
      findings: [],
    },
    full: false,
  };
}

/** The cells of range `r` as the classifier counts them: ADDRESS_BLOCKED set aside. */
export function cellTallies(counted: TargetCounts, r: number): CellTally[] {
  const counts = counted.counts[r]!;
  const out: CellTally[] = [];
  counted.cells.forEach((cell, i) => {
    const at = i * KINDS;
    const failed = counts[at + FAILED]!;
    const dns = counts[at + DNS_FAILED]!;
    const probes = counts[at + OK]! + failed + dns;
    if (probes > 0) out.push({ region: cell.region, agent: cell.agent, ip: cell.ip, identity: cell.identity, probes, failures: failed + dns, dnsFailures: dns });
  });
  return out;
}

/**
 * `otherTargetRates` from the target's counts: `totals` (over the whole minutes of the context's third
 * range) less the target's own results in that range — ADDRESS_BLOCKED too, as the totals count them.
 */
export function countedOtherTargetRates(counted: TargetCounts, totals: readonly AgentFailureRate[]): AgentFailureRate[] {
  const counts = counted.counts[2]!;
  const own = new Map<string, Map<string, { failed: number; total: number }>>();
  counted.cells.forEach((cell, i) => {
    const at = i * KINDS;
    const failed = counts[at + FAILED]! + counts[at + DNS_FAILED]! + counts[at + BLOCKED]!;
    const total = failed + counts[at + OK]! + counts[at + BLOCKED_OK]!;
    if (total === 0) return;
    let agents = own.get(cell.region);
    if (agents === undefined) {
      agents = new Map();
      own.set(cell.region, agents);
    }
    const t = agents.get(cell.agent);
    if (t === undefined) agents.set(cell.agent, { failed, total });
    else {
      t.failed += failed;
      t.total += total;
    }
  });
  return otherTargetRatesOf(own, totals);
}
