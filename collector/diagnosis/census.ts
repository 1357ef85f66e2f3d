import type { Tally } from './stats.js';
import type { Observation } from './types.js';

/** A tally being counted. */
interface Counting {
  failures: number;
  probes: number;
}

/**
 * What one pass over a window's observations tells the steps after it: agent triage (each agent's
 * failures and probes, by region), the test budget (how many regions) and the serving dimensions
 * (which identities occur), so that none of them walks every probe for its own part.
 */
export interface Census {
  /** region → agent → its failures and probes. */
  readonly regions: ReadonlyMap<string, ReadonlyMap<string, Tally>>;
  /** The distinct identity objects (observations from the store share them: a few, however many probes). */
  readonly identities: ReadonlySet<Observation['identity']>;
}

export function censusOf(observations: readonly Observation[]): Census {
  const regions = new Map<string, Map<string, Counting>>();
  const identities = new Set<Observation['identity']>();
  // the last region's agents and the last agent's tally: one agent's probes of a round (one per
  // resolved IP) lie next to each other when nothing else started in between
  let lastRegion: string | null = null;
  let agents: Map<string, Counting> | undefined;
  let lastAgent: string | null = null;
  let t: Counting | undefined;
  let lastIdentity: Observation['identity'] | null = null;
  for (const o of observations) {
    if (o.region !== lastRegion) {
      agents = regions.get(o.region);
      if (agents === undefined) {
        agents = new Map();
        regions.set(o.region, agents);
      }
      lastRegion = o.region;
      lastAgent = null;
    }
    if (o.agent !== lastAgent) {
      t = agents!.get(o.agent);
      if (t === undefined) {
        t = { failures: 0, probes: 0 };
        agents!.set(o.agent, t);
      }
      lastAgent = o.agent;
    }
    t!.probes++;
    if (!o.ok) t!.failures++;
    if (o.identity !== lastIdentity) {
      identities.add(o.identity);
      lastIdentity = o.identity;
    }
  }
  return { regions, identities };
}
