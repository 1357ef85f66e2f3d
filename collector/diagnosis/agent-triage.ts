import { addTallies, fisherGreater, rate, type Tally } from './stats.js';
import { compareStrings } from './grid.js';
import { pct } from './humanize.js';
import type { Census } from './census.js';
import type { AgentHealth, DiagnosisOptions, TestEvidence } from './types.js';

/** An agent whose results are set aside before the target is judged. */
export interface FlaggedAgent {
  readonly region: string;
  readonly agent: string;
  readonly reasons: readonly string[];
  /** The strongest evidence against it. */
  readonly test: TestEvidence;
  readonly health: AgentHealth | undefined;
}

export function agentKey(region: string, agent: string): string {
  return `${region}/${agent}`;
}

/**
 * Which agents to set aside (keyed by agentKey), from two kinds of evidence, one Bonferroni family
 * of its own ("is this agent broken?", at `alpha`):
 * - its heartbeat says its control targets fail (no test needed: the agent measured it), or it fails
 *   far more on OTHER targets than its region peers do (one-sided Fisher);
 * - on THIS target, in either window, it fails far more than its region peers probing the same
 *   nodes (one-sided Fisher) — a region with a single agent cannot be judged this way.
 * Each needs `minFailures` failures and `minRateRatio` times the peers' rate as well as the test.
 */
export function triageAgents(
  health: readonly AgentHealth[],
  windows: readonly Census[],
  options: DiagnosisOptions,
): Map<string, FlaggedAgent> {
  const comparable = health.filter((h) => h.otherTargets !== undefined && h.peersOtherTargets !== undefined);
  let tests = comparable.length;
  const grouped = windows.map((w) => w.regions);
  for (const regions of grouped) for (const agents of regions.values()) if (agents.size >= 2) tests += agents.size;
  const threshold = options.alpha / Math.max(1, tests);

  const flagged = new Map<string, FlaggedAgent>();
  const healthOf = new Map(health.map((h) => [agentKey(h.region, h.agent), h]));
  const flag = (region: string, agent: string, reason: string, test: TestEvidence): void => {
    const key = agentKey(region, agent);
    const previous = flagged.get(key);
    if (previous === undefined) {
      flagged.set(key, { region, agent, reasons: [reason], test, health: healthOf.get(key) });
    } else if (!previous.reasons.includes(reason)) {
      flagged.set(key, { ...previous, reasons: [...previous.reasons, reason], test: test.p < previous.test.p ? test : previous.test });
    }
  };
  const fisher = (compared: string, inside: Tally, outside: Tally, p: number): TestEvidence => ({
    method: 'fisher-exact',
    compared,
    inside: { failures: inside.failures, probes: inside.probes },
    outside: { failures: outside.failures, probes: outside.probes },
    baselineRate: null,
    p,
    tests,
    pAdjusted: Math.min(1, p * tests),
  });
  // the test last: an exact test over large totals costs far more than the counts' own conditions
  const worthTesting = (inside: Tally, outside: Tally): boolean =>
    inside.failures >= options.minFailures && outside.probes > 0 && rate(inside) >= options.minRateRatio * rate(outside);

  for (const h of [...health].sort((a, b) => compareStrings(agentKey(a.region, a.agent), agentKey(b.region, b.agent)))) {
    if (h.controlsFailing) {
      flag(h.region, h.agent, 'its control targets fail', {
        method: 'agent-controls',
        compared: "the agent's own control targets (reported in its heartbeat)",
        inside: { failures: 0, probes: 0 },
        outside: null,
        baselineRate: null,
        p: 0,
        tests: 1,
        pAdjusted: 0,
      });
    }
    if (h.otherTargets !== undefined && h.peersOtherTargets !== undefined) {
      const inside = { failures: h.otherTargets.failed, probes: h.otherTargets.total };
      const outside = { failures: h.peersOtherTargets.failed, probes: h.peersOtherTargets.total };
      const p = worthTesting(inside, outside) ? fisherGreater(inside, outside) : 1;
      if (p <= threshold && worthTesting(inside, outside)) {
        flag(
          h.region,
          h.agent,
          `it fails ${pct(rate(inside))} of its probes of other targets while its ${h.region} peers fail ${pct(rate(outside))}`,
          fisher(`agent ${h.agent} vs its ${h.region} peers on other targets`, inside, outside, p),
        );
      }
    }
  }

  for (const regions of grouped) {
    for (const [region, agents] of [...regions.entries()].sort(([a], [b]) => compareStrings(a, b))) {
      const candidates = [...agents.keys()].filter((a) => !flagged.has(agentKey(region, a))).sort();
      if (candidates.length < 2) continue;
      for (const agent of candidates) {
        const inside: Tally = agents.get(agent) ?? { failures: 0, probes: 0 };
        const outside = addTallies(candidates.filter((a) => a !== agent).map((a): Tally => agents.get(a) ?? { failures: 0, probes: 0 }));
        const p = worthTesting(inside, outside) ? fisherGreater(inside, outside) : 1;
        if (p <= threshold && worthTesting(inside, outside)) {
          flag(
            region,
            agent,
            `it fails ${pct(rate(inside))} of its probes of this target while its ${region} peers fail ${pct(rate(outside))} on the same nodes`,
            fisher(`agent ${agent} vs its ${region} peers on this target`, inside, outside, p),
          );
        }
      }
    }
  }
  return flagged;
}
