import { setTimeout as delay } from 'node:timers/promises';
import type { FaultSpec } from '../lab/index.js';
import type { DemoAlert } from './alerts.js';
import type { Fleet } from './fleet.js';

/** One act of the demo: a fault (or none) held for a while, and the verdict it should produce. */
export interface Step {
  readonly title: string;
  readonly fault: ((fleet: Fleet) => FaultSpec) | null;
  readonly expect: string;
  /** How long the step lasts at speed 1. */
  readonly seconds: number;
}

/** The scenarios `crossprobe dev --scenario` offers; `story` plays the acts in order. */
export const SCENARIOS: Record<string, readonly Step[]> = {
  story: [
    { title: 'healthy: every region reaches every node', fault: null, expect: 'healthy', seconds: 30 },
    { title: 'lb-2 returns nginx 502s to 30% of requests', fault: () => ({ kind: 'node-502', node: 'lb-2', rate: 0.3 }), expect: 'lb-node', seconds: 60 },
    { title: 'the route from the last region to every node breaks (connections reset)', fault: (f) => ({ kind: 'path-reset', region: f.regions[f.regions.length - 1]!.name }), expect: 'routing', seconds: 90 },
    { title: 'the origin crashes: every node answers 502', fault: () => ({ kind: 'origin-crash' }), expect: 'origin', seconds: 60 },
    // the long window (60 s at speed 1) has to forget the crash, then the incident resolves
    { title: 'recovery: faults cleared', fault: null, expect: 'healthy', seconds: 120 },
  ],
  'lb-node': [{ title: 'lb-2 returns nginx 502s to 30% of requests', fault: () => ({ kind: 'node-502', node: 'lb-2', rate: 0.3 }), expect: 'lb-node', seconds: 3_600 }],
  routing: [{ title: 'the route from the last region to every node breaks', fault: (f) => ({ kind: 'path-reset', region: f.regions[f.regions.length - 1]!.name }), expect: 'routing', seconds: 3_600 }],
  origin: [{ title: 'the origin crashes', fault: () => ({ kind: 'origin-crash' }), expect: 'origin', seconds: 3_600 }],
  healthy: [{ title: 'healthy', fault: null, expect: 'healthy', seconds: 3_600 }],
};

interface DiagnosisJson {
  verdict: string;
  findings: { verdict: string; summary: string; confidence: number; hints: string[]; suspects: { dimension: string; value: string }[] }[];
}

export interface StepOutcome {
  readonly title: string;
  readonly expect: string;
  /** The verdict at the end of the step. */
  readonly verdict: string;
  /** Seconds from the step's start until the API first gave the expected verdict; null: never. */
  readonly secondsToVerdict: number | null;
  /** The alerts (incident events) that arrived during the step, with seconds from its start. */
  readonly alerts: readonly { readonly type: DemoAlert['type']; readonly seconds: number }[];
}

/**
 * Plays `steps`: injects each step's fault into the lab, polls the diagnosis every 2 s and prints
 * each change of verdict with its one-sentence summary, and each alert the collector sends as it
 * arrives. Stops early when `signal` aborts.
 */
export async function playStory(fleet: Fleet, steps: readonly Step[], speed: number, say: (line: string) => void, signal: AbortSignal): Promise<StepOutcome[]> {
  const outcomes: StepOutcome[] = [];
  const t0 = Date.now();
  const stamp = () => `[${String(Math.round((Date.now() - t0) / 1000)).padStart(4)}s]`;
  // null: the first diagnosis is printed, healthy or not, so the first step is not silent
  let last: string | null = null;
  let start = t0;
  let stepAlerts: { type: DemoAlert['type']; seconds: number }[] = [];
  fleet.alerts.listen((a) => {
    stepAlerts.push({ type: a.type, seconds: Math.round((Date.now() - start) / 1_000) });
    say(`${stamp()}   alert        ${a.summary}`);
  });
  for (const step of steps) {
    if (signal.aborted) break;
    await fleet.lab.clearAll();
    if (step.fault) await fleet.lab.inject(step.fault(fleet));
    say(`${stamp()} ▶ ${step.title}   (expect: ${step.expect})`);
    start = Date.now();
    stepAlerts = [];
    const end = start + (step.seconds * 1_000) / speed;
    let reached: number | null = null;
    let verdict = 'unknown';
    while (Date.now() < end && !signal.aborted) {
      await sleep(2_000, signal);
      if (signal.aborted) break; // Ctrl-C: the fleet (which got it too) is going away
      let d: DiagnosisJson;
      try {
        d = await fleet.get<DiagnosisJson>(`/api/v1/targets/${fleet.target}/diagnosis`);
      } catch (err) {
        say(`${stamp()}   (diagnosis unavailable: ${(err as Error).message})`);
        continue;
      }
      verdict = d.verdict;
      if (verdict === step.expect && reached === null) reached = (Date.now() - start) / 1_000;
      // printed when the findings change (verdicts and suspects), not when only their figures move
      const key = d.findings.map((f) => `${f.verdict}:${f.suspects.map((s) => `${s.dimension}=${s.value}`).join(',')}`).join('|');
      if (key !== last) {
        if (d.findings.length === 0) say(`${stamp()}   verdict healthy      no failures above noise`);
        for (const [i, f] of d.findings.entries()) say(`${i === 0 ? `${stamp()}   verdict` : `${' '.repeat(stamp().length)}      and`} ${f.verdict.padEnd(12)} ${f.summary}`);
        if (d.findings[0]?.hints[0]) say(`${' '.repeat(stamp().length)}   next step: ${d.findings[0].hints[0]}`);
        last = key;
      }
    }
    outcomes.push({ title: step.title, expect: step.expect, verdict, secondsToVerdict: reached === null ? null : Math.round(reached), alerts: stepAlerts });
  }
  await fleet.lab.clearAll();
  return outcomes;
}

/** Waits `ms`, or less when `signal` aborts (never rejects). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined);
}
