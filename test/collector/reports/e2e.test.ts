import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startE2eFleet, type E2eFleet } from '../../helpers/e2e-fleet.js';
import { runCli } from '../../helpers/collector-api-process.js';

// One verdict end to end, through real agents: the lab's lb-2 answers 502 to everyone; three agents
// (three regions, each from its own source address) probe it over HTTPS, publish over NATS; the real
// collector stores, diagnoses, opens an incident — and its report says so, in every format.

const REGIONS = [
  { region: 'eu-west', id: 'eu-west-1', source: '127.0.1.1' },
  { region: 'us-east', id: 'us-east-1', source: '127.0.1.2' },
  { region: 'ap-south', id: 'ap-south-1', source: '127.0.1.3' },
] as const;
const TARGET = 'r01-node-502';

interface Cell {
  failures: number;
  probes: number;
  level: number;
  suspect: boolean;
}
interface ReportJson {
  verdict: { verdict: string; sentence: string; lines: { verdict: string; suspects: { dimension: string; value: string }[] }[] };
  diagnosis: { findings: { summary: string }[] };
  grid: { rows: string[]; columns: string[]; cells: Cell[][] };
  heatmap: { bucket: string; buckets: number[]; rows: { key: string; suspect: boolean; cells: Cell[] }[] };
  provenance: { kind: string; key: string; answers: { label: string }[] }[];
  samples: { ip: string; node: string; status: number | null; provenance: string | null; resultId: string }[];
  incidents: { verdict: string; state: string; history: { type: string }[] }[];
}

describe('e2e report: lab fault → agents in 3 regions → NATS → collector → report', () => {
  let fleet: E2eFleet | null = null;

  before(async () => {
    fleet = await startE2eFleet({
      lab: { name: 'shop.lab', nodes: 3, https: true, regions: Object.fromEntries(REGIONS.map((r) => [r.region, r.source])), seed: 11 },
      collectorArgs: ['--short-window', '10s', '--long-window', '30s', '--heartbeat-interval', '1s', '--incident-interval', '1s', '--confirm-evaluations', '2', '--log-level', 'warn'],
      agents: REGIONS.map((r) => ({ ...r, extraArgs: ['--heartbeat-interval', '1s', '--control-interval', '1s', '--log-level', 'warn'] })),
    });
  });

  after(async () => {
    await fleet?.stop();
  });

  it('e2e report - lb-2 answering 502: the sentence, lb-2\'s column framed, its heatmap row failing, nginx provenance, the incident; md, html and the dashboard agree', async () => {
    const f = fleet!;
    const bad = f.lab.node('lb-2').ip;
    await f.send('POST', '/api/v1/targets', { id: TARGET, url: f.lab.url, interval: '500ms', timeout: '500ms', expect: { bodyContains: 'ok' }, identity: [{ header: 'x-served-by' }] });
    await f.lab.inject({ kind: 'node-502', node: 'lb-2' });
    // until the collector has opened an lb-node incident naming lb-2's IP (rounds counted by the collector, not a clock here)
    const end = Date.now() + 60_000;
    for (;;) {
      const { incidents } = await f.get<{ incidents: { verdict: string; state: string; suspects: { dimension: string; value: string }[] }[] }>(`/api/v1/incidents?target=${TARGET}`);
      if (incidents.some((i) => i.state === 'open' && i.verdict === 'lb-node' && i.suspects.some((s) => s.dimension === 'ip' && s.value === bad))) break;
      assert.ok(Date.now() < end, `no lb-node incident on ${bad} within 60 s: ${JSON.stringify(incidents)}\n${f.tails()}`);
      await sleep(500);
    }

    const r = await f.get<ReportJson>(`/api/v1/targets/${TARGET}/report?since=10m`);
    assert.equal(r.verdict.verdict, 'lb-node');
    assert.equal(r.verdict.sentence, r.diagnosis.findings[0]?.summary);
    assert.match(r.verdict.sentence, new RegExp(`^502s from lb-node ${bad.replace(/\./g, '\\.')} \\(x-served-by=lb-2\\) seen from 3/3 regions`));
    assert.ok(r.verdict.lines[0]!.suspects.some((s) => s.dimension === 'ip' && s.value === bad));

    // the grid: lb-2's column is the suspect in every region and (nearly) all its probes failed; the others none
    assert.deepEqual(r.grid.rows, ['ap-south', 'eu-west', 'us-east']);
    const col = r.grid.columns.indexOf(bad);
    assert.ok(col >= 0, `columns ${r.grid.columns.join(', ')}`);
    for (const [i, cells] of r.grid.cells.entries()) {
      cells.forEach((c, j) => {
        if (j === col) {
          assert.ok(c.suspect && c.probes > 0 && c.failures / c.probes >= 0.8, `${r.grid.rows[i]} on lb-2: ${JSON.stringify(c)}`);
        } else {
          assert.ok(!c.suspect && c.failures === 0, `${r.grid.rows[i]} on ${r.grid.columns[j]}: ${JSON.stringify(c)}`);
        }
      });
    }
    // the heatmap (1-minute buckets): lb-2's row is the suspect and fails (> 50%) in the last bucket with probes
    assert.equal(r.heatmap.bucket, '1m');
    const lastWithProbes = (cells: Cell[]) => [...cells].reverse().find((c) => c.probes > 0);
    const lb2 = r.heatmap.rows.find((h) => h.key === `ip:${bad}`);
    assert.ok(lb2?.suspect);
    assert.equal(lastWithProbes(lb2.cells)?.level, 5);
    for (const h of r.heatmap.rows.filter((x) => x.key.startsWith('ip:') && x.key !== `ip:${bad}`)) {
      assert.ok(h.cells.every((c) => c.failures === 0), `${h.key} never fails`);
    }
    // what answered: the lab's nodes are nginx; the samples are lb-2's, with their probe ids
    assert.equal(r.provenance.find((p) => p.kind === 'node' && p.key === bad)?.answers[0]?.label, 'HTTP 502 from nginx');
    assert.ok(r.samples.length > 0);
    assert.ok(r.samples.every((s) => s.ip === bad && s.node === 'x-served-by=lb-2' && s.status === 502 && /^[0-9a-f-]{36}$/.test(s.resultId)), JSON.stringify(r.samples[0]));
    assert.deepEqual(r.incidents.map((i) => [i.verdict, i.state, i.history[0]?.type]), [['lb-node', 'open', 'opened']]);

    // the other formats say the same
    const md = await runCli(['report', '--api', f.api, '--target', TARGET, '--since', '10m']);
    assert.equal(md.code, 0, md.stderr);
    assert.ok(md.stdout.includes(`): ${r.verdict.sentence.split(' (')[0]}`), 'the sentence in Markdown');
    assert.match(md.stdout, new RegExp(`^◆ node ${bad.replace(/\./g, '\\.')} +[·▁▂▄▆█ ]*█ +\\d`, 'm'), 'the failing band, ending in a full block');
    const html = await fetch(`${f.api}/api/v1/targets/${TARGET}/report?since=10m&format=html`);
    assert.equal(html.status, 200);
    const page = await html.text();
    assert.equal(page.match(new RegExp(`<td class="cell l\\d suspect" data-dim="ip" data-row="[a-z-]+" data-col="${bad.replace(/\./g, '\\.')}"`, 'g'))?.length, 3);
    const dashboard = await (await fetch(`${f.api}/`)).text();
    assert.match(dashboard, new RegExp(`<div class="target" data-target="${TARGET}" data-state="incident">`));
  });
});
