import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultSpec } from '../../lab/index.js';
import { startE2eFleet, type E2eAgentSpec, type E2eFleet } from '../helpers/e2e-fleet.js';
import { WebhookServer } from '../collector/alerts/webhook-server.js';
import { waitFor } from '../helpers/wait.js';

// The lab's faults, end to end: nats-server, `crossprobe collector`, `crossprobe agent`s in three
// regions (each on its own source address) and the lab (DNS, three https load-balancer nodes, an
// origin). Each scenario adds its OWN target (so no evidence of an earlier scenario reaches it),
// injects one fault, polls the diagnosis once per round until the expected verdict and suspect show,
// and deletes the target again. Rounds are counted from the results stored, never from a clock.

const REGIONS = [
  { region: 'eu-west', id: 'eu-west-1', source: '127.0.1.1' },
  { region: 'us-east', id: 'us-east-1', source: '127.0.1.2' },
  { region: 'ap-south', id: 'ap-south-1', source: '127.0.1.3' },
] as const;
/** The second eu-west agent: a region of its own to the lab, so a path fault can break it alone. */
const SECOND_EU = { region: 'eu-west', id: 'eu-west-2', source: '127.0.1.4', labRegion: 'eu-west-b' } as const;
/** The nodes' proxy read timeout: an origin slower than this gets an nginx 504 at this constant. */
const PROXY_TIMEOUT_MS = 1_200;
const INTERVAL_MS = 500;

interface SuspectJson {
  dimension: string;
  value: string;
}
interface FindingJson {
  verdict: string;
  summary: string;
  confidence: number;
  hints: string[];
  suspects: SuspectJson[];
}
interface DiagnosisJson {
  verdict: string;
  findings: FindingJson[];
}
interface IncidentJson {
  id: string;
  verdict: string;
  state: 'open' | 'resolved';
  suspects: SuspectJson[];
}

interface Scenario {
  /** The target's id (one per scenario). */
  readonly id: string;
  readonly faults: readonly FaultSpec[];
  readonly verdict: string;
  /** The suspect the verdict's finding must name; null: none asserted. */
  readonly suspect: SuspectJson | null;
  /** Rounds of probes the verdict may take at most. */
  readonly maxRounds: number;
  /** What the finding's summary must say too (beyond verdict and suspect). */
  readonly summary?: RegExp;
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
}

const hasSuspect = (f: FindingJson, s: SuspectJson): boolean => f.suspects.some((x) => x.dimension === s.dimension && x.value === s.value);
const show = (d: DiagnosisJson): string => JSON.stringify(d.findings.map((f) => ({ verdict: f.verdict, suspects: f.suspects, summary: f.summary })));

describe('e2e scenarios: lab faults → agents in 3 regions → NATS → collector → diagnosis and incidents', () => {
  let fleet: E2eFleet | null = null;
  /** The collector's --webhook: every alert it sends (incidents, and the agents' own). */
  let hooks: WebhookServer | null = null;
  const node = (name: string): string => fleet!.lab.node(name).ip;

  before(async () => {
    hooks = await WebhookServer.start();
    const agents: E2eAgentSpec[] = REGIONS.map((r) => ({ ...r, extraArgs: ['--heartbeat-interval', '1s', '--control-interval', '1s', '--log-level', 'warn'] }));
    fleet = await startE2eFleet({
      lab: {
        name: 'shop.lab',
        nodes: 3,
        https: true,
        regions: { ...Object.fromEntries(REGIONS.map((r) => [r.region, r.source])), [SECOND_EU.labRegion]: SECOND_EU.source },
        proxyTimeoutMs: PROXY_TIMEOUT_MS,
        seed: 7,
      },
      collectorArgs: [
        '--short-window', '10s', '--long-window', '30s', '--heartbeat-interval', '1s',
        '--incident-interval', '1s', '--confirm-evaluations', '2', '--resolve-after', '5s', '--log-level', 'warn',
        '--webhook', hooks.url(),
      ],
      agents,
    });
  });

  after(async () => {
    await fleet?.stop();
    await hooks?.close();
  });

  async function addTarget(id: string, intervalMs: number, timeoutMs: number): Promise<void> {
    await fleet!.send('POST', '/api/v1/targets', {
      id,
      url: fleet!.lab.url,
      interval: `${intervalMs}ms`,
      timeout: `${timeoutMs}ms`,
      expect: { bodyContains: 'ok' },
      identity: [{ header: 'x-served-by' }],
    });
  }

  /** Distinct probe rounds of `target` the collector has stored. */
  async function roundsStored(target: string): Promise<number> {
    const page = await fleet!.get<{ results: { roundAtMs: number }[] }>(`/api/v1/results?target=${target}&limit=10000`);
    return new Set(page.results.map((r) => r.roundAtMs)).size;
  }

  async function incidentsOf(target: string): Promise<IncidentJson[]> {
    return (await fleet!.get<{ incidents: IncidentJson[] }>(`/api/v1/incidents?target=${target}`)).incidents;
  }

  /**
   * Clears the lab, adds the scenario's target, injects its faults and polls the diagnosis once per
   * round until the expected verdict names the expected suspect. Returns that finding.
   */
  async function diagnoseUntil(t: TestContext, s: Scenario): Promise<{ finding: FindingJson; rounds: number }> {
    const intervalMs = s.intervalMs ?? INTERVAL_MS;
    await fleet!.lab.clearAll();
    await addTarget(s.id, intervalMs, s.timeoutMs ?? intervalMs);
    t.after(() => done(s.id));
    for (const f of s.faults) await fleet!.lab.inject(f);
    // too little evidence yet: healthy, or inconclusive ("no region or node standing out yet")
    const allowed = new Set(['healthy', 'inconclusive', s.verdict]);
    const seen: string[] = [];
    for (;;) {
      const d = await fleet!.get<DiagnosisJson>(`/api/v1/targets/${s.id}/diagnosis`);
      const rounds = await roundsStored(s.id);
      if (seen.at(-1) !== d.verdict) seen.push(d.verdict);
      assert.ok(allowed.has(d.verdict), `${s.id}: wrong verdict ${d.verdict} after ${rounds} rounds: ${show(d)}`);
      const finding = d.verdict === s.verdict ? d.findings.find((f) => f.verdict === s.verdict && (s.suspect === null || hasSuspect(f, s.suspect)) && (s.summary?.test(f.summary) ?? true)) : undefined;
      if (finding !== undefined) {
        t.diagnostic(`${s.id}: ${s.verdict} after ${rounds} rounds of ${intervalMs} ms (verdicts seen: ${seen.join(' → ')}): ${finding.summary}`);
        return { finding, rounds };
      }
      assert.ok(rounds <= s.maxRounds, `${s.id}: no ${s.verdict}${s.suspect ? ` naming ${s.suspect.dimension} ${s.suspect.value}` : ''} after ${rounds} rounds (seen: ${seen.join(' → ')}); last: ${show(d)}`);
      await sleep(intervalMs);
    }
  }

  /** Waits for an open incident of `verdict`, clears the lab, waits for it to resolve. */
  async function incidentOpensThenResolves(target: string, verdict: string, suspect: SuspectJson | null): Promise<void> {
    const opened = await waitFor(`an open ${verdict} incident for ${target}`, async () => {
      const open = (await incidentsOf(target)).filter((i) => i.state === 'open');
      return open.find((i) => i.verdict === verdict) ?? null;
    }, { timeoutMs: 20_000, intervalMs: 250, detail: async () => JSON.stringify(await incidentsOf(target)) });
    if (suspect !== null) assert.ok(opened.suspects.some((x) => x.dimension === suspect.dimension && x.value === suspect.value), `incident suspects: ${JSON.stringify(opened.suspects)}`);
    await fleet!.lab.clearAll();
    // the long window (30 s) must forget the failures, then the target stays healthy for 5 s
    const resolved = await waitFor(`incident ${opened.id} of ${target} resolves`, async () => {
      const all = await incidentsOf(target);
      return all.find((i) => i.id === opened.id && i.state === 'resolved') ?? null;
    }, { timeoutMs: 60_000, intervalMs: 250, detail: async () => JSON.stringify(await incidentsOf(target)) });
    const history = async (): Promise<string> =>
      JSON.stringify((await fleet!.get<{ history: unknown[] }>(`/api/v1/incidents/${opened.id}`)).history);
    assert.equal(resolved.verdict, verdict, `the incident resolves as it opened; its history: ${await history()}`);
    assert.deepEqual((await incidentsOf(target)).filter((i) => i.state === 'open'), [], 'no incident left open');
  }

  /** Ends a scenario (passed or not): no fault left, its target deleted. */
  async function done(id: string): Promise<void> {
    await fleet!.lab.clearAll();
    await fleet!.send('DELETE', `/api/v1/targets/${id}`);
  }

  it('e2e lb-node - one node always answering 502 is blamed on its IP; the incident opens, then resolves', async (t) => {
    const suspect = { dimension: 'ip', value: node('lb-2') };
    const s: Scenario = { id: 's01-node-502', faults: [{ kind: 'node-502', node: 'lb-2' }], verdict: 'lb-node', suspect, maxRounds: 20 };
    const { finding } = await diagnoseUntil(t, s);
    assert.ok(hasSuspect(finding, { dimension: 'x-served-by', value: 'lb-2' }), `also by identity: ${JSON.stringify(finding.suspects)}`);
    await incidentOpensThenResolves(s.id, 'lb-node', suspect);
  });

  it('e2e origin - a crashed origin (every node 502) is origin; the incident opens, then resolves', async (t) => {
    const s: Scenario = { id: 's02-origin-crash', faults: [{ kind: 'origin-crash' }], verdict: 'origin', suspect: null, maxRounds: 20 };
    const { finding } = await diagnoseUntil(t, s);
    assert.equal(finding.verdict, 'origin');
    await incidentOpensThenResolves(s.id, 'origin', null);
  });

  it('e2e routing - one region whose route to every node resets is blamed on that region; the incident opens, then resolves', async (t) => {
    const s: Scenario = {
      id: 's03-region-route',
      faults: [{ kind: 'path-reset', region: 'ap-south' }],
      verdict: 'routing',
      suspect: { dimension: 'region', value: 'ap-south' },
      maxRounds: 20,
    };
    await diagnoseUntil(t, s);
    await incidentOpensThenResolves(s.id, s.verdict, s.suspect);
  });

  it('e2e routing - one region whose route to one node resets is blamed on that path; the incident opens, then resolves', async (t) => {
    const s: Scenario = {
      id: 's04-path-route',
      faults: [{ kind: 'path-reset', region: 'ap-south', node: 'lb-3' }],
      verdict: 'routing',
      suspect: { dimension: 'path', value: `ap-south→${node('lb-3')}` },
      maxRounds: 40,
    };
    await diagnoseUntil(t, s);
    await incidentOpensThenResolves(s.id, s.verdict, s.suspect);
  });

  it('e2e lb-node - one node timing out upstream is blamed on it, with the constant-first-byte hint; the incident opens, then resolves', async (t) => {
    // the hint needs a constant of at least 1 s (minTimeoutMs), so the target's timeout (≤ interval) is 2 s
    const s: Scenario = {
      id: 's05-node-timeout',
      faults: [{ kind: 'node-timeout', node: 'lb-1', afterMs: PROXY_TIMEOUT_MS }],
      verdict: 'lb-node',
      suspect: { dimension: 'ip', value: node('lb-1') },
      maxRounds: 10,
      intervalMs: 2_000,
      timeoutMs: 2_000,
    };
    const { finding } = await diagnoseUntil(t, s);
    const hint = finding.hints.find((h) => /after a constant 1\.2 s to first byte/.test(h));
    assert.ok(hint, `a constant-first-byte hint: ${JSON.stringify(finding.hints)}`);
    assert.match(hint, /504/);
    await incidentOpensThenResolves(s.id, s.verdict, s.suspect);
  });

  it('e2e tls - one node serving an expired certificate is tls on its IP; the incident opens, then resolves', async (t) => {
    const s: Scenario = {
      id: 's06-cert-expired',
      faults: [{ kind: 'cert-expired', node: 'lb-3' }],
      verdict: 'tls',
      suspect: { dimension: 'ip', value: node('lb-3') },
      maxRounds: 20,
    };
    await diagnoseUntil(t, s);
    await incidentOpensThenResolves(s.id, s.verdict, s.suspect);
  });

  it('e2e dns - NXDOMAIN for one region is dns on that region; the incident opens, then resolves', async (t) => {
    const s: Scenario = {
      id: 's07-dns-region',
      faults: [{ kind: 'dns', fault: 'nxdomain', region: 'ap-south' }],
      verdict: 'dns',
      suspect: { dimension: 'region', value: 'ap-south' },
      maxRounds: 20,
    };
    await diagnoseUntil(t, s);
    await incidentOpensThenResolves(s.id, s.verdict, s.suspect);
  });

  it('e2e lb-node - one node answering 10% 502s is found on its IP; the incident opens, then resolves', async (t) => {
    const s: Scenario = {
      id: 's08-node-502-rare',
      faults: [{ kind: 'node-502', node: 'lb-1', rate: 0.1 }],
      verdict: 'lb-node',
      suspect: { dimension: 'ip', value: node('lb-1') },
      maxRounds: 240,
      intervalMs: 200,
    };
    await diagnoseUntil(t, s);
    await incidentOpensThenResolves(s.id, s.verdict, s.suspect);
  });

  it('e2e origin - an origin slower than the proxy timeout (504 from every node) is origin; the incident opens, then resolves', async (t) => {
    const s: Scenario = {
      id: 's09-origin-slow',
      faults: [{ kind: 'origin-slow', delayMs: PROXY_TIMEOUT_MS + 500 }],
      verdict: 'origin',
      suspect: null,
      maxRounds: 10,
      intervalMs: 2_000,
      timeoutMs: 2_000,
    };
    await diagnoseUntil(t, s);
    await incidentOpensThenResolves(s.id, s.verdict, s.suspect);
  });

  it('e2e inconclusive - geo-DNS pinning each region to its own node confounds region and node', async (t) => {
    const s: Scenario = {
      id: 's10-geo-dns',
      faults: [
        { kind: 'geo-dns', views: { 'eu-west': ['lb-1'], 'us-east': ['lb-2'], 'ap-south': ['lb-3'] } },
        { kind: 'node-502', node: 'lb-3' },
      ],
      verdict: 'inconclusive',
      suspect: { dimension: 'region', value: 'ap-south' },
      // "ap-south only reaches that node and no other region does" or "no other region reaches <ip>"
      summary: new RegExp(`ap-south.* on ${node('lb-3').replaceAll('.', '\\.')}.*(only reaches that node|no other region reaches)`),
      maxRounds: 30,
    };
    const { finding } = await diagnoseUntil(t, s);
    assert.ok(hasSuspect(finding, { dimension: 'ip', value: node('lb-3') }), `the node is a suspect too: ${JSON.stringify(finding.suspects)}`);
    assert.ok(finding.hints.some((h) => /if it fails there too, it is the node; if not, the path from ap-south/.test(h)), `it says which probe would settle it: ${JSON.stringify(finding.hints)}`);
  });

  it('e2e healthy - 0.5% random 502 noise on every node opens nothing', async (t) => {
    const id = 's11-noise';
    const rounds = 60;
    await fleet!.lab.clearAll();
    await addTarget(id, INTERVAL_MS, INTERVAL_MS);
    t.after(() => done(id));
    for (const n of ['lb-1', 'lb-2', 'lb-3']) await fleet!.lab.inject({ kind: 'node-502', node: n, rate: 0.005 });
    for (;;) {
      const d = await fleet!.get<DiagnosisJson>(`/api/v1/targets/${id}/diagnosis`);
      assert.deepEqual(d.findings, [], `no finding on noise: ${show(d)}`);
      const stored = await roundsStored(id);
      if (stored >= rounds) break;
      await sleep(INTERVAL_MS);
    }
    const failed = (await fleet!.get<{ results: { ok: boolean }[] }>(`/api/v1/results?target=${id}&limit=10000`)).results.filter((r) => !r.ok).length;
    t.diagnostic(`${id}: healthy for ${rounds} rounds with ${failed} failed probes of noise`);
    assert.deepEqual(await incidentsOf(id), []);
  });

  it('e2e agent - one agent whose own network drops is set aside, not blamed on the target', async (t) => {
    // its control is a lab node: the same fault (its source address → every node) breaks it too
    const control = `http://${node('lb-1')}:${fleet!.lab.httpPort}/health`;
    const second = await fleet!.startAgent({
      region: SECOND_EU.region,
      id: SECOND_EU.id,
      source: SECOND_EU.source,
      controls: [control],
      extraArgs: ['--heartbeat-interval', '1s', '--control-interval', '1s', '--log-level', 'warn'],
    });
    try {
      const s: Scenario = {
        id: 's12-agent',
        faults: [{ kind: 'path-drop', region: SECOND_EU.labRegion }],
        verdict: 'agent',
        suspect: { dimension: 'agent', value: SECOND_EU.id },
        maxRounds: 30,
      };
      const { finding, rounds } = await diagnoseUntil(t, s);
      assert.ok(finding.suspects.every((x) => x.dimension === 'agent'), `only the agent is blamed: ${JSON.stringify(finding.suspects)}`);
      const d = await fleet!.get<DiagnosisJson>(`/api/v1/targets/${s.id}/diagnosis`);
      assert.deepEqual(d.findings.filter((f) => f.verdict !== 'agent'), [], `nothing blamed on the target: ${show(d)}`);
      // its heartbeat says so too: the control target (a lab node, through the same broken path) fails
      await waitFor('the agent reports its controls failing', async () => {
        const { agents } = await fleet!.get<{ agents: { agent: string; region: string; controlsFailing: boolean }[] }>('/api/v1/agents');
        return agents.find((a) => a.agent === SECOND_EU.id && a.controlsFailing) ?? null;
      }, { timeoutMs: 20_000, intervalMs: 250, detail: async () => JSON.stringify(await fleet!.get('/api/v1/agents')) });
      const { agents } = await fleet!.get<{ agents: { agent: string; controlsFailing: boolean }[] }>('/api/v1/agents');
      assert.ok(agents.some((a) => a.agent === 'eu-west-1' && !a.controlsFailing), 'its region peer is fine');
      // an agent finding is about our own agent, not the target: six more rounds (several incident
      // evaluations, two confirm one) open no incident
      await waitFor('six more rounds', async () => ((await roundsStored(s.id)) >= rounds + 6 ? true : null), { timeoutMs: 30_000, intervalMs: 250, detail: () => fleet!.tails() });
      assert.deepEqual(await incidentsOf(s.id), [], 'no incident for the target');

      // what the operator is told instead: about the agent, by the webhook; stopped, it is silent
      type AgentAlertJson = { type: string; summary: string; agentAlert?: { region: string; agent: string; problem: string } };
      const agentAlerts = (): AgentAlertJson[] =>
        hooks!.received.map((r) => r.body as AgentAlertJson).filter((b) => b.agentAlert?.agent === SECOND_EU.id && b.agentAlert.region === SECOND_EU.region);
      const alerted = (type: string, problem: string) => async () => agentAlerts().find((a) => a.type === type && a.agentAlert!.problem === problem) ?? null;
      const cut = await waitFor('an alert that the agent lost its network', alerted('opened', 'controls'), { timeoutMs: 20_000, intervalMs: 250, detail: () => JSON.stringify(agentAlerts()) });
      assert.match(cut.summary, /^\[OPENED\] every control target of agent eu-west\/eu-west-2 fails \(http:\/\/127\.0\.0\.\d+:\d+\/health [A-Z_]+; at least 2 checks in a row\)/);
      await second.stop();
      const gone = await waitFor('an alert that the stopped agent is silent', alerted('changed', 'silent'), { timeoutMs: 20_000, intervalMs: 250, detail: () => JSON.stringify(agentAlerts()) });
      assert.match(gone.summary, /^\[CHANGED\] agent eu-west\/eu-west-2 silent for \d+ s .*; eu-west is still probed by 1 other agent — /);
      assert.deepEqual(agentAlerts().map((a) => `${a.type} ${a.agentAlert!.problem}`), ['opened controls', 'changed silent'], 'one alert per change');
      const others = hooks!.received.map((r) => r.body as AgentAlertJson).filter((b) => b.agentAlert !== undefined && b.agentAlert.agent !== SECOND_EU.id);
      assert.deepEqual(others, [], 'nothing about the agents that kept running');
    } finally {
      await second.stop();
    }
  });
});
