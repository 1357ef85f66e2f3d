import { binomialUpper, fisherGreater, rate, type Tally } from './stats.js';
import { isDnsFailure, servingValue } from './grid.js';
import type { Budget } from './classify.js';
import type { AgentCounts, DiagnosisOptions, GridView, Observation, TestEvidence } from './types.js';

/**
 * DNS is judged on its own grid: rows = regions, one column of resolutions. A failed resolution yields
 * one result without an IP, a good one yields one result per resolved IP (resolveAll), so resolutions
 * are counted, not results: per agent, its DNS failures plus its other results divided by how many
 * distinct IPs it probed.
 */
export interface DnsLocated {
  /** `zone`: every region fails (the zone / authoritative servers); `resolver`: some regions only. */
  readonly kind: 'zone' | 'resolver';
  readonly regions: readonly string[];
  readonly view: GridView;
  readonly test: TestEvidence;
  readonly failures: readonly Observation[];
  readonly observations: readonly Observation[];
}

interface RegionDns extends Tally {
  readonly region: string;
  readonly failed: Observation[];
  readonly all: Observation[];
}

function resolutions(observations: readonly Observation[]): { regions: RegionDns[]; agents: AgentCounts[] } {
  type Agent = { key: string; region: string; dnsFailed: Observation[]; all: Observation[]; ips: Set<string>; resolved: number };
  // region → agent → tally: no key string per observation (this loop runs over every probe)
  const nested = new Map<string, Map<string, Agent>>();
  const byAgent = new Map<string, Agent>();
  for (const o of observations) {
    let agents = nested.get(o.region);
    if (agents === undefined) {
      agents = new Map();
      nested.set(o.region, agents);
    }
    let a = agents.get(o.agent);
    if (a === undefined) {
      a = { key: `${o.region}/${o.agent}`, region: o.region, dnsFailed: [], all: [], ips: new Set(), resolved: 0 };
      agents.set(o.agent, a);
      byAgent.set(a.key, a);
    }
    a.all.push(o);
    if (isDnsFailure(o)) a.dnsFailed.push(o);
    else {
      a.resolved++;
      const ip = servingValue(o, 'ip');
      if (ip !== undefined) a.ips.add(ip);
    }
  }
  const byRegion = new Map<string, { failed: Observation[]; all: Observation[]; probes: number }>();
  const agents: AgentCounts[] = [];
  for (const key of [...byAgent.keys()].sort()) {
    const a = byAgent.get(key);
    if (a === undefined) continue;
    const probes = a.dnsFailed.length + Math.ceil(a.resolved / Math.max(1, a.ips.size));
    agents.push({ region: a.region, agent: a.all[0]?.agent ?? '', failures: a.dnsFailed.length, probes });
    let r = byRegion.get(a.region);
    if (r === undefined) {
      r = { failed: [], all: [], probes: 0 };
      byRegion.set(a.region, r);
    }
    r.failed.push(...a.dnsFailed);
    r.all.push(...a.all);
    r.probes += probes;
  }
  const regions = [...byRegion.keys()].sort().flatMap((region) => {
    const r = byRegion.get(region);
    return r === undefined ? [] : [{ region, failures: r.failed.length, probes: r.probes, failed: r.failed, all: r.all }];
  });
  return { regions, agents };
}

/** How many hypotheses `locateDns` may test over `regions` regions: each against the others and against the background, and all of them pooled. */
export function dnsTestCount(regions: number): number {
  return regions === 0 ? 0 : 2 * regions + 1;
}

/** DNS patterns: single regions worse than the others (their resolvers), then what is left against the background (the zone). */
export function locateDns(observations: readonly Observation[], budget: Budget, options: DiagnosisOptions): DnsLocated[] {
  // Too few DNS failures to call anything (as good as always): skip tallying every probe by agent.
  let dnsFailures = 0;
  for (const o of observations) if (isDnsFailure(o)) dnsFailures++;
  if (dnsFailures < options.minFailures) return [];
  return searchDns(resolutions(observations), budget, options);
}

/** One agent's resolutions in a window, counted (what `resolutions` tallies from observations). */
export interface AgentResolutions {
  readonly region: string;
  readonly agent: string;
  readonly dnsFailed: number;
  /** Its results that were not DNS failures. */
  readonly resolved: number;
  /** Distinct IPs among them. */
  readonly ips: number;
}

/**
 * Whether `locateDns` would find a pattern on observations whose agents resolved as `agents` say (in
 * any order): the same search on the same counts, without the observations.
 */
export function dnsMayFind(agents: readonly AgentResolutions[], budget: Budget, options: DiagnosisOptions): boolean {
  let dnsFailures = 0;
  for (const a of agents) dnsFailures += a.dnsFailed;
  if (dnsFailures < options.minFailures) return false;
  const byRegion = new Map<string, number>();
  const probesOf = new Map<string, number>();
  const failuresOf = new Map<string, number>();
  for (const a of agents) {
    const probes = a.dnsFailed + Math.ceil(a.resolved / Math.max(1, a.ips));
    byRegion.set(a.region, (byRegion.get(a.region) ?? 0) + 1);
    probesOf.set(a.region, (probesOf.get(a.region) ?? 0) + probes);
    failuresOf.set(a.region, (failuresOf.get(a.region) ?? 0) + a.dnsFailed);
  }
  const regions = [...byRegion.keys()].sort().map((region) => ({ region, failures: failuresOf.get(region) ?? 0, probes: probesOf.get(region) ?? 0, failed: [], all: [] }));
  return searchDns({ regions, agents: [] }, budget, options).length > 0;
}

/** The search of `locateDns` over regions' resolution tallies. */
function searchDns({ regions, agents }: { regions: RegionDns[]; agents: AgentCounts[] }, budget: Budget, options: DiagnosisOptions): DnsLocated[] {
  const threshold = budget.alpha / Math.max(1, budget.tests);
  const view: GridView = {
    dimension: 'dns',
    rows: regions.map((r) => r.region),
    columns: ['resolution'],
    cells: regions.map((r) => [{ failures: r.failures, probes: r.probes }]),
    agents,
  };
  const evidence = (method: 'fisher-exact' | 'binomial', compared: string, inside: Tally, outside: Tally | null, p: number): TestEvidence => ({
    method,
    compared,
    inside: { failures: inside.failures, probes: inside.probes },
    outside: outside === null ? null : { failures: outside.failures, probes: outside.probes },
    baselineRate: method === 'binomial' ? options.backgroundRate : null,
    p,
    tests: budget.tests,
    pAdjusted: Math.min(1, p * budget.tests),
  });

  const found: DnsLocated[] = [];
  let remaining = regions;
  for (;;) {
    let best: { region: RegionDns; outside: Tally; p: number } | undefined;
    for (const r of remaining) {
      const others = remaining.filter((o) => o !== r);
      const outside = { failures: others.reduce((s, o) => s + o.failures, 0), probes: others.reduce((s, o) => s + o.probes, 0) };
      const p = fisherGreater(r, outside);
      if (r.failures < options.minFailures || outside.probes === 0 || rate(r) < options.minRateRatio * rate(outside) || p > threshold) continue;
      if (best === undefined || p < best.p) best = { region: r, outside, p };
    }
    if (best === undefined) break;
    const { region } = best;
    found.push({
      kind: 'resolver',
      regions: [region.region],
      view,
      test: evidence('fisher-exact', `resolutions from region ${region.region} vs the other regions`, region, best.outside, best.p),
      failures: region.failed,
      observations: region.all,
    });
    remaining = remaining.filter((r) => r !== region);
  }

  const pooled = { failures: remaining.reduce((s, r) => s + r.failures, 0), probes: remaining.reduce((s, r) => s + r.probes, 0) };
  if (pooled.failures >= options.minFailures && rate(pooled) >= options.minRateRatio * options.backgroundRate) {
    const p = binomialUpper(pooled.failures, pooled.probes, options.backgroundRate);
    if (p <= threshold) {
      const failing = remaining.filter((r) => r.failures > 0);
      const zone = remaining.length >= 2 && failing.length >= options.nearlyEveryFraction * remaining.length;
      // Failures in only some regions, none of them worse than the others by test: too few to say zone
      // or resolver yet (a short window does this); a single region cannot be compared with anything.
      if (zone || remaining.length === 1) found.push({
        kind: zone ? 'zone' : 'resolver',
        regions: (zone ? remaining : failing).map((r) => r.region),
        view,
        test: evidence('binomial', `resolutions from ${zone ? 'every region' : failing.map((r) => r.region).join(', ')} vs a ${options.backgroundRate} background failure rate`, pooled, null, p),
        failures: failing.flatMap((r) => r.failed),
        observations: remaining.flatMap((r) => r.all),
      });
    }
  }
  return found;
}
