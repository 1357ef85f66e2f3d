import { lowerBound } from '../../common/index.js';
import { ADDRESS_BLOCKED } from '../../proto/index.js';
import { agentKey, triageAgents } from './agent-triage.js';
import { censusOf } from './census.js';
import { explainedBy, gridTestCount, locate, type Budget, type Explained, type Located } from './classify.js';
import { dnsTestCount, locateDns } from './dns.js';
import { agentFinding, compareFindings, dnsFinding, gridFinding, type Built, type Extras, type WindowSpec } from './findings.js';
import { buildGrids, compareStrings, dimensionsOf, type Grid } from './grid.js';
import { compareHints, endpointOf } from './hints.js';
import { resolveOptions } from './options.js';
import { forgetTails } from './stats.js';
import type { DiagnoseInput, Diagnosis, DiagnosisOptions, Finding, Observation, Suspect } from './types.js';

const INCONCLUSIVE_KINDS: ReadonlySet<Located['kind']> = new Set(['unpinned-cell', 'block', 'one-row', 'scattered']);

interface Candidate {
  located: Located;
  failures: ReadonlySet<Observation>;
  suspects: Suspect[];
  subScope: Suspect | null;
}

/**
 * The pattern's failures, each once (a cell holds an observation once, and cells do not overlap): the
 * same objects in every window and grid of one diagnosis, so sets of them compare by identity.
 */
function failuresOf(l: Located): Observation[] {
  const failures: Observation[] = [];
  for (const c of l.cells) {
    if (c.failures === 0) continue;
    for (const o of c.observations) if (!o.ok) failures.push(o);
  }
  return failures;
}

/** Half the failures of the smaller set are in the other: the two patterns tell the same story. */
function sameStory(known: ReadonlySet<Observation>, other: Iterable<Observation>, otherSize: number): boolean {
  let shared = 0;
  for (const o of other) if (known.has(o)) shared++;
  return shared > 0 && shared >= 0.5 * Math.min(known.size, otherSize);
}

/**
 * The same failures seen along several serving dimensions become one finding:
 * - a node found by IP and by an identity header: one finding naming both;
 * - origin by IP while one upstream identity, seen behind several IPs, carries every failure: origin,
 *   sub-scoped to that identity; behind a single IP it is a node behind that IP: lb-node on the identity;
 * - an identity pattern that only restates (or is vaguer than) the IP pattern adds nothing.
 */
function mergeDimensions(byDimension: readonly Located[][]): Candidate[] {
  const merged: Candidate[] = [];
  for (const located of byDimension.flat()) {
    const failures = failuresOf(located);
    const match = merged.find((c) => sameStory(c.failures, failures, failures.length));
    if (match === undefined) {
      merged.push({ located, failures: new Set(failures), suspects: [], subScope: null });
      continue;
    }
    const value = located.columns[0];
    const identityNode = located.kind === 'column' || located.kind === 'cell';
    if (match.located.kind === 'everywhere' && located.kind === 'column' && value !== undefined) {
      const behind = new Set(located.cells.flatMap((c) => c.observations.map((o) => o.ip)).filter((ip) => ip !== ''));
      if (match.located.grid.columns.length >= 2 && behind.size >= 2) {
        match.subScope = { dimension: located.grid.dimension, value };
      } else {
        match.located = located;
        match.failures = new Set(failures);
        match.subScope = null;
      }
      continue;
    }
    if (INCONCLUSIVE_KINDS.has(located.kind) || located.kind === 'everywhere') continue;
    if (identityNode && value !== undefined && located.columns.length === 1) {
      match.suspects.push({ dimension: located.grid.dimension, value });
    }
  }
  return merged;
}

function findingKey(f: Finding): string {
  const suspects = f.suspects.map((s) => `${s.dimension}=${s.value}`).sort();
  return `${f.verdict}\u0000${suspects.join('\u0000')}`;
}

/** The first index whose observation started after `ms`, in observations sorted by start. */
function firstAfter(sorted: readonly Observation[], ms: number): number {
  return lowerBound(sorted, (o) => o.atMs <= ms);
}

/**
 * Each window's observations (fromMs < started <= toMs), in input order, less those failed with
 * ADDRESS_BLOCKED (the one place they are set aside: the agent did not probe the target). The store
 * hands them over sorted by start: then each window is one slice; otherwise one pass over them all.
 */
function windowObservations(observations: readonly Observation[], windows: readonly WindowSpec[]): Observation[][] {
  let sorted = true;
  let blocked = false;
  for (let i = 0; i < observations.length; i++) {
    const o = observations[i]!;
    if (o.failure === ADDRESS_BLOCKED) blocked = true;
    if (i > 0 && observations[i - 1]!.atMs > o.atMs) sorted = false;
  }
  if (sorted && !blocked) return windows.map((w) => observations.slice(firstAfter(observations, w.fromMs), firstAfter(observations, w.toMs)));
  const out = windows.map((): Observation[] => []);
  for (const o of observations) {
    // the agent refused to probe (a private address it may not reach): nothing about the target
    if (o.failure === ADDRESS_BLOCKED) continue;
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i]!;
      if (o.atMs > w.fromMs && o.atMs <= w.toMs) out[i]!.push(o);
    }
  }
  return out;
}

/**
 * Diagnoses one target: where do its failures come from?
 *
 * 1. Agents: an agent whose control targets fail, or that fails far more than its region peers (on
 *    other targets, or on this one), gets an `agent` finding; its results are set aside.
 * 2. Both windows (short: hard failures, long: intermittent ones) are judged on their own: the
 *    region × node grid along every serving dimension (IP and each identity rule) by `locate`, and
 *    DNS failures on the region × resolution grid by `locateDns`. Every test of both windows is one
 *    Bonferroni family at `alpha`.
 *    The long window is read first; what it localizes (a node, a region, a path) is left out of the
 *    short window's search for origin, which is too thin to localize the same failures itself.
 * 3. Patterns telling the same story along several dimensions are merged; a finding both windows made
 *    is kept once; the verdict is the most severe finding's (see `severity`).
 */
export function diagnose(input: DiagnoseInput): Diagnosis {
  const options: DiagnosisOptions = resolveOptions(input.options ?? {});
  const endpoint = input.probe === undefined ? null : endpointOf(input.probe);
  if (!Number.isFinite(input.nowMs)) throw new RangeError(`diagnose needs a finite nowMs, got ${input.nowMs}`);
  forgetTails();
  const windows: WindowSpec[] = [
    { name: 'short', fromMs: input.nowMs - options.shortWindowMs, toMs: input.nowMs },
    { name: 'long', fromMs: input.nowMs - options.longWindowMs, toMs: input.nowMs },
  ];
  const raw = windowObservations(input.observations, windows);

  const censuses = raw.map(censusOf);
  const flagged = triageAgents(input.agents, censuses, options);
  const longRaw = raw[raw.length - 1] ?? [];
  const built: Built[] = [];
  for (const [key, flag] of [...flagged.entries()].sort(([a], [b]) => compareStrings(a, b))) {
    const own = longRaw.filter((o) => agentKey(o.region, o.agent) === key);
    if (own.length > 0) built.push(agentFinding(flag, own, options));
  }

  const kept = flagged.size === 0 ? raw : raw.map((obs) => obs.filter((o) => !flagged.has(agentKey(o.region, o.agent))));
  const keptCensuses = flagged.size === 0 ? censuses : kept.map(censusOf);
  const grids: Grid[][] = kept.map((obs, i) => buildGrids(obs, dimensionsOf(keptCensuses[i]!.identities)).filter((g) => g.cells.size > 0));
  let tests = 0;
  keptCensuses.forEach((census, i) => {
    tests += dnsTestCount(census.regions.size);
    for (const g of grids[i] ?? []) tests += gridTestCount(g);
  });
  const budget: Budget = { alpha: options.alpha, tests };

  // The long window first: what it localizes is no evidence for origin in the thinner short window.
  const explained = new Map<string, Explained>();
  const perWindow: Built[][] = windows.map(() => []);
  for (const i of [...windows.keys()].reverse()) {
    const window = windows[i];
    if (window === undefined) continue;
    const byDimension = (grids[i] ?? []).map((g) => {
      const located = locate(g, budget, options, explained.get(g.dimension));
      if (window.name === 'long') explained.set(g.dimension, explainedBy(located));
      return located;
    });
    for (const candidate of mergeDimensions(byDimension)) {
      const extras: Extras = { suspects: candidate.suspects, subScope: candidate.subScope };
      perWindow[i]?.push(gridFinding(candidate.located, extras, window, options, endpoint, candidate.failures));
    }
    for (const d of locateDns(kept[i] ?? [], budget, options)) perWindow[i]?.push(dnsFinding(d, window, options, endpoint));
  }
  built.push(...perWindow.flat());

  // Both windows saw it (the same verdict and suspects, or the same verdict over the same failures):
  // keep one — the more specific (more suspects), else the more confident, on a tie the short window's
  // (it says how things stand now: "100% of its probes", not "7%") — with the other's hints of kinds it
  // lacks (the long window sees schedules and trends).
  const unique: Built[] = [];
  for (const b of built) {
    const i = unique.findIndex(
      (k) => k.finding.verdict === b.finding.verdict && (findingKey(k.finding) === findingKey(b.finding) || sameStory(k.failures, b.failures, b.failures.size)),
    );
    const previous = unique[i];
    if (previous === undefined) {
      unique.push(b);
      continue;
    }
    const specificity = b.finding.suspects.length - previous.finding.suspects.length;
    const [keep, drop] = specificity > 0 || (specificity === 0 && b.finding.confidence > previous.finding.confidence) ? [b, previous] : [previous, b];
    const kinds = new Set(keep.hints.map((h) => h.kind));
    const hints = [...keep.hints, ...drop.hints.filter((h) => !kinds.has(h.kind))].sort(compareHints);
    unique[i] = { finding: { ...keep.finding, hints: hints.map((h) => h.text) }, hints, failures: keep.failures };
  }
  const sorted = unique.map((b) => b.finding).sort(compareFindings);
  return {
    target: input.target,
    window: {
      from: new Date(input.nowMs - options.longWindowMs).toISOString(),
      to: new Date(input.nowMs).toISOString(),
    },
    verdict: sorted[0]?.verdict ?? 'healthy',
    findings: sorted,
  };
}
