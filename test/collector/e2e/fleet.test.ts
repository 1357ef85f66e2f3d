import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { ensureResultsStream, type ProbeResult } from '../../../proto/index.js';
import { asMessages, fakeResult, publishPipelined, rng } from '../../helpers/collector-fixtures.js';
import { NatsServer } from '../../helpers/nats-server.js';
import { freePort } from '../../helpers/net.js';
import { waitFor } from '../../helpers/stream.js';
import { CollectorProcess } from '../../helpers/collector-api-process.js';

const TARGETS = 400;
const REGIONS = ['eu-west', 'us-east', 'ap-south'];
/** Every 100th target: its second IP answers 40% of probes with 502. */
const FAILING = Array.from({ length: TARGETS / 100 }, (_, i) => id(i * 100));
const BAD_IP = '203.0.113.2';

function id(i: number): string {
  return `t${String(i).padStart(3, '0')}`;
}

/** Every (target, region, IP)'s result of the minute starting at `minuteMs`, a few seconds into it. */
function minute(minuteMs: number, random: () => number): ProbeResult[] {
  const out: ProbeResult[] = [];
  for (let t = 0; t < TARGETS; t++) {
    const target = id(t);
    for (const [r, region] of REGIONS.entries()) {
      for (const ip of ['203.0.113.1', BAD_IP]) {
        const fails = FAILING.includes(target) && ip === BAD_IP && random() < 0.4;
        out.push(fakeResult({ target, region, agent: `${region}-1`, ip, startedAtMs: minuteMs + 1_000 * r + (ip === BAD_IP ? 10 : 0) + (t % 50), failure: fails ? 'HTTP_STATUS' : null, identity: {} }));
      }
    }
  }
  return out;
}

interface Answered {
  readonly url: string;
  readonly status: number | string;
}

describe('collector with a fleet', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossprobe-fleet-'));
  let nats: NatsServer | null = null;
  let nc: NatsConnection | null = null;
  let collector: CollectorProcess | null = null;

  before(async () => {
    nats = await NatsServer.start();
    nc = await connect({ servers: nats.url });
  });
  after(async () => {
    await collector?.kill();
    await nc?.close();
    await nats?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fleet - 400 targets: ticks judge every one while ingest runs and every API request is answered; exactly the failing nodes open incidents', async () => {
    const random = rng(11);
    const js = nc!.jetstream();
    await ensureResultsStream(await nc!.jetstreamManager());
    // the last 30 minutes, queued in JetStream before the collector starts (as after a restart)
    const nowMinute = Math.floor(Date.now() / 60_000) * 60_000;
    const backfill: ProbeResult[] = [];
    for (let m = nowMinute - 30 * 60_000; m < nowMinute; m += 60_000) backfill.push(...minute(m, random));
    await publishPipelined(js, asMessages(backfill));

    const port = await freePort();
    collector = CollectorProcess.start(['--nats', nats!.url, '--db', join(dir, 'fleet.db'), '--listen', `127.0.0.1:${port}`, '--incident-interval', '2s']);
    const api = `http://127.0.0.1:${port}`;
    await waitFor('the collector', () => collector!.hasLog('collector started'), 30_000);

    // live results keep arriving (this minute's, a slice a second) while the loop ticks and the API is asked
    let live = true;
    const feeding = (async () => {
      let at = nowMinute;
      while (live) {
        const round = minute(at, random).filter((_, i) => i % 10 === Math.floor((Date.now() / 1_000) % 10));
        await publishPipelined(js, asMessages(round.filter((r) => r.startedAtMs! <= Date.now())));
        await new Promise((r) => setTimeout(r, 1_000));
        if (Date.now() >= at + 60_000) at += 60_000;
      }
    })();
    const answered: Answered[] = [];
    let asking = true;
    const urls = [`${api}/healthz`, `${api}/api/v1/targets/${FAILING[0]!}/diagnosis`, `${api}/api/v1/targets/${id(1)}/diagnosis`, `${api}/metrics`];
    const askingDone = (async () => {
      for (let i = 0; asking; i++) {
        const url = urls[i % urls.length]!;
        try {
          const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
          await res.arrayBuffer();
          answered.push({ url, status: res.status });
        } catch (err) {
          answered.push({ url, status: String(err) });
        }
      }
    })();

    try {
      const ticks = () => collector!.logs.filter((l) => l.event === 'incident-tick');
      // every failing target's incident opens; then two more ticks, to see that nothing else opens
      const opened = await waitFor('an incident per failing target', () => {
        const targets = new Set(collector!.logs.filter((l) => l.event === 'incident-opened').map((l) => l.target));
        return FAILING.every((t) => targets.has(t)) ? ticks().length : null;
      }, 120_000);
      await waitFor('two more ticks', () => ticks().length >= opened + 2 || null, 60_000);
    } finally {
      asking = false;
      live = false;
      await askingDone;
      await feeding;
    }

    const failed = answered.filter((a) => a.status !== 200);
    assert.deepEqual(failed, [], 'every request answered 200');
    assert.ok(answered.length >= 20, `${answered.length} requests`);

    const res = await fetch(`${api}/api/v1/incidents?state=open`);
    const { incidents } = (await res.json()) as { incidents: { target: string; verdict: string; suspects: { dimension: string; value: string }[] }[] };
    assert.deepEqual(incidents.map((i) => i.target).sort(), FAILING, 'an incident for each failing target, and no other');
    for (const i of incidents) {
      assert.equal(i.verdict, 'lb-node', i.target);
      assert.deepEqual(i.suspects, [{ dimension: 'ip', value: BAD_IP }], i.target);
    }

    // the last tick judged every target; only the failing ones needed their raw results
    const last = collector.logs.filter((l) => l.event === 'incident-tick').at(-1)!;
    assert.equal(last.targets, TARGETS);
    assert.equal(last.failed, 0);
    assert.equal(last.fullDiagnoses, FAILING.length, 'raw results read for the targets with a finding only');

    const metrics = await (await fetch(`${api}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
    assert.ok(value('crossprobe_incident_tick_seconds_count') >= 3, 'ticks counted');
    assert.ok(value('crossprobe_incident_tick_seconds_sum') > 0);
    assert.equal(value('crossprobe_incident_tick_targets'), TARGETS);
    assert.equal(value('crossprobe_incident_tick_full_diagnoses'), FAILING.length);
    assert.ok(value('crossprobe_event_loop_lag_seconds_count') > 0, 'event-loop lag observed');
    assert.match(metrics, /^crossprobe_incident_tick_seconds_bucket\{le="\+Inf"\} \d+$/m);
    assert.ok(value('crossprobe_diagnosis_counted_results') > 0);

    assert.equal(await collector.stop(20_000), 0, collector.stderr);
  });
});
