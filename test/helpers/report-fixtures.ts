import type { FailureCode, ProvenanceName } from '../../proto/index.js';
import type { Suspect } from '../../collector/diagnosis/index.js';
import type { AgentHeartbeat, IncidentEventRecord, IncidentRecord, IncidentVerdict, ResultRecord, Store } from '../../collector/store/index.js';
import { fakeRecord } from './collector-fixtures.js';

/** Regions, their agents and the lab's three load-balancer nodes, as the e2e fleet names them. */
export const REGIONS = ['ap-south', 'eu-west', 'us-east'] as const;
export const NODES = [
  { ip: '127.0.0.11', name: 'lb-1' },
  { ip: '127.0.0.12', name: 'lb-2' },
  { ip: '127.0.0.13', name: 'lb-3' },
] as const;

/** What one probe met: null = a healthy 200. */
export interface Outcome {
  readonly failure: FailureCode;
  readonly status?: number | null;
  readonly provenance?: ProvenanceName | null;
  readonly firstByteMs?: number | null;
  readonly totalMs?: number | null;
  readonly detail?: string;
  /** Replaces the response headers (identity is still the node's). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Decides each probe's outcome: the fault under test. */
export type Fault = (p: { readonly region: string; readonly agent: string; readonly ip: string; readonly node: string; readonly atMs: number }) => Outcome | null;

export interface CraftOptions {
  readonly target: string;
  /** Probes start at endMs − minutes and run until endMs. */
  readonly endMs: number;
  readonly minutes: number;
  /** One round every … (default 60 s: every region probes every node once per round). */
  readonly everyMs?: number;
  readonly regions?: readonly string[];
  readonly fault: Fault;
  /** Agents per region (default 1: `<region>-1`). */
  readonly agentsPerRegion?: number;
}

/** A 502 page nginx generated itself, fast: the upstream refused. */
export const NGINX_502: Outcome = { failure: 'HTTP_STATUS', status: 502, provenance: 'nginx', firstByteMs: 3 };

/**
 * The results agents would publish for `fault`: every agent of every region probes every node once per
 * round (resolveAll), with the node's `x-served-by` identity; DNS failures carry no IP. Deterministic.
 */
export function craftResults(o: CraftOptions): ResultRecord[] {
  const every = o.everyMs ?? 60_000;
  const out: ResultRecord[] = [];
  const regions = o.regions ?? REGIONS;
  for (let round = o.endMs - o.minutes * 60_000; round < o.endMs; round += every) {
    regions.forEach((region, r) => {
      for (let a = 1; a <= (o.agentsPerRegion ?? 1); a++) {
        const agent = `${region}-${a}`;
        NODES.forEach((node, k) => {
          const atMs = round + 1_000 + r * 100 + a * 10 + k;
          const outcome = o.fault({ region, agent, ip: node.ip, node: node.name, atMs });
          const dns = outcome !== null && outcome.failure.startsWith('DNS_');
          // a failed resolution is one result without an IP, not one per node
          if (dns && k > 0) return;
          const base = fakeRecord(
            {
              target: o.target,
              region,
              agent,
              ip: dns ? '' : node.ip,
              startedAtMs: atMs,
              failure: outcome?.failure ?? null,
              status: outcome === null ? 200 : outcome.status === undefined ? (outcome.failure === 'HTTP_STATUS' ? 502 : null) : outcome.status,
              firstByteMs: outcome === null ? 20 + k : outcome.firstByteMs === undefined ? null : outcome.firstByteMs,
              totalMs: outcome === null ? 30 + k : outcome.totalMs === undefined ? 25 : outcome.totalMs,
              identity: dns ? {} : { 'x-served-by': node.name },
            },
            atMs + 50,
          );
          out.push({
            ...base,
            ipFamily: dns ? 0 : 4,
            provenance: outcome === null ? null : outcome.provenance === undefined ? base.provenance : outcome.provenance,
            failureDetail: outcome === null ? null : outcome.detail ?? base.failureDetail,
            headers: dns ? {} : outcome?.headers ?? { server: 'nginx', 'x-served-by': node.name },
            phases: { ...base.phases, dns: dns ? null : base.phases.dns, connect: dns ? null : base.phases.connect, tls: dns ? null : base.phases.tls },
          });
        });
      }
    });
  }
  return out;
}

/** Only inside [fromMs, toMs) does `fault` apply. */
export function during(fromMs: number, toMs: number, fault: Fault): Fault {
  return (p) => (p.atMs >= fromMs && p.atMs < toMs ? fault(p) : null);
}

export const HOUR_MS = 3_600_000;

/** The IP of a lab node by name. */
export const ipOf = (name: string): string => NODES.find((n) => n.name === name)!.ip;

/**
 * Crafted faults of several verdicts, each on its own target, over the 24 h before `endMs` (probes
 * every minute from every region to every node):
 * - shop: lb-2 answers nginx 502s for the last 5 h (lb-node 127.0.0.12);
 * - api: ap-south's connections are reset for the last 3 h (routing, region ap-south);
 * - www: eu-west's connections to lb-3 time out for the last 3 h (routing, path eu-west→127.0.0.13);
 * - app: every node answers 502 for the last 2 h (origin);
 * - batch: every node answers a 504 after 30 s at :00 and :01 of every hour (a cron job);
 * - names: ap-south's resolver answers NXDOMAIN for the last 2 h (dns, region ap-south);
 * - calm: nothing (healthy).
 */
export function scenarioFaults(endMs: number): Record<string, Fault> {
  return {
    shop: during(endMs - 5 * HOUR_MS, endMs, (p) => (p.node === 'lb-2' ? NGINX_502 : null)),
    api: during(endMs - 3 * HOUR_MS, endMs, (p) => (p.region === 'ap-south' ? { failure: 'CONNECT_RESET', status: null, firstByteMs: null, detail: 'read ECONNRESET' } : null)),
    www: during(endMs - 3 * HOUR_MS, endMs, (p) =>
      p.region === 'eu-west' && p.node === 'lb-3' ? { failure: 'CONNECT_TIMEOUT', status: null, firstByteMs: null, totalMs: 5_000, detail: 'connect ETIMEDOUT 127.0.0.13:443' } : null,
    ),
    app: during(endMs - 2 * HOUR_MS, endMs, () => NGINX_502),
    batch: (p) => (new Date(p.atMs).getUTCMinutes() < 2 ? { failure: 'HTTP_STATUS', status: 504, provenance: 'nginx', firstByteMs: 30_000, totalMs: 30_001 } : null),
    names: during(endMs - 2 * HOUR_MS, endMs, (p) => (p.region === 'ap-south' ? { failure: 'DNS_NXDOMAIN', status: null, firstByteMs: null, totalMs: null, detail: 'queryA ENOTFOUND shop.lab' } : null)),
    calm: () => null,
  };
}

/** Stores every scenario of scenarioFaults (about 60,000 results). */
export function seedScenarios(store: Store, endMs: number, only?: readonly string[]): void {
  for (const [target, fault] of Object.entries(scenarioFaults(endMs))) {
    if (only !== undefined && !only.includes(target)) continue;
    store.insertResults(craftResults({ target, endMs, minutes: 24 * 60, fault }));
  }
}

/** Records an incident and its history as the incident loop would. */
export function recordIncident(
  store: Store,
  i: {
    readonly target: string;
    readonly openedAtMs: number;
    readonly resolvedAtMs?: number | null;
    readonly verdict: IncidentVerdict;
    readonly suspects: readonly Suspect[];
    readonly summary: string;
    /** Later history entries besides `opened` (and `resolved` when resolvedAtMs is set). */
    readonly changes?: readonly { readonly atMs: number; readonly verdict: IncidentVerdict; readonly suspects: readonly Suspect[]; readonly summary: string }[];
  },
): IncidentRecord {
  const id = `${i.target}-${i.openedAtMs}`;
  const resolvedAtMs = i.resolvedAtMs ?? null;
  const last = i.changes?.at(-1);
  const incident: IncidentRecord = {
    id,
    target: i.target,
    state: resolvedAtMs === null ? 'open' : 'resolved',
    verdict: last?.verdict ?? i.verdict,
    suspects: last?.suspects ?? i.suspects,
    summary: last?.summary ?? i.summary,
    summaryRate: null,
    openedAtMs: i.openedAtMs,
    updatedAtMs: resolvedAtMs ?? last?.atMs ?? i.openedAtMs,
    resolvedAtMs,
    healthySinceMs: null,
    reopens: 0,
    lastDiagnosis: { target: i.target, window: { from: new Date(i.openedAtMs - HOUR_MS).toISOString(), to: new Date(i.openedAtMs).toISOString() }, verdict: 'healthy', findings: [] },
    named: [{ verdict: last?.verdict ?? i.verdict, suspects: last?.suspects ?? i.suspects }],
  };
  const events: IncidentEventRecord[] = [
    { incidentId: id, atMs: i.openedAtMs, type: 'opened', verdict: i.verdict, suspects: i.suspects, summary: i.summary },
    ...(i.changes ?? []).map((c) => ({ incidentId: id, atMs: c.atMs, type: 'changed' as const, verdict: c.verdict, suspects: c.suspects, summary: c.summary })),
    ...(resolvedAtMs === null ? [] : [{ incidentId: id, atMs: resolvedAtMs, type: 'resolved' as const, verdict: incident.verdict, suspects: incident.suspects, summary: incident.summary }]),
  ];
  store.recordIncident(incident, events);
  return incident;
}

/** A heartbeat as the collector stores it. */
export function heartbeat(h: Partial<AgentHeartbeat> & { readonly region: string; readonly agent: string; readonly receivedAtMs: number }): AgentHeartbeat {
  return {
    version: '0.1.0',
    sentAtMs: h.receivedAtMs,
    startedAtMs: h.receivedAtMs - HOUR_MS,
    targets: 7,
    spoolDepth: 0,
    spoolDropped: 0,
    spoolBytes: 0,
    schedLagMs: 1.5,
    resultsPublished: 1000,
    inFlight: 0,
    controls: [],
    ...h,
  };
}
