import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport, reportRange } from '../../../collector/reports/index.js';
import { DEFAULT_DIAGNOSIS_OPTIONS, detectMinuteCluster, tallyMinutes, type MinuteTally, type Observation } from '../../../collector/diagnosis/index.js';
import { minuteOfHourHint } from '../../../collector/diagnosis/hints.js';
import type { ResultRecord } from '../../../collector/store/index.js';
import { seededRandom } from '../../../lab/faults.js';
import { TempDir, tempStore } from '../../helpers/collector-store.js';
import { craftResults, HOUR_MS, NGINX_502, type Fault } from '../../helpers/report-fixtures.js';

const END = Date.UTC(2025, 10, 22, 12, 0, 0);
const MINUTE = 60_000;
const HOURS = 6;
const minuteOf = (atMs: number): number => new Date(atMs).getUTCMinutes();

/** 60 tallies: `failures` at the given minutes (each failing in `hours` hours), 100 probes a minute. */
function tallies(failing: Readonly<Record<number, { failures: number; hours: number }>>): MinuteTally[] {
  return Array.from({ length: 60 }, (_, m) => ({ failures: failing[m]?.failures ?? 0, probes: 100, hours: failing[m]?.hours ?? 0 }));
}

describe('minute-of-hour detector', () => {
  it('minute-of-hour detector - the same minutes in several hours, standing out from the rest of the hour, is a cluster', () => {
    const c = detectMinuteCluster(tallies({ 0: { failures: 5, hours: 5 }, 1: { failures: 6, hours: 5 } }), DEFAULT_DIAGNOSIS_OPTIONS);
    assert.deepEqual(c, { first: 0, last: 1, peak: 1, failures: 11, probes: 200, totalFailures: 11, hours: 5 });
  });

  it('minute-of-hour detector - a cluster wrapping past :59 keeps its order', () => {
    const c = detectMinuteCluster(tallies({ 59: { failures: 4, hours: 4 }, 0: { failures: 4, hours: 4 } }), DEFAULT_DIAGNOSIS_OPTIONS);
    assert.deepEqual(c && [c.first, c.last, c.peak], [59, 0, 59]);
  });

  it('minute-of-hour detector - the least evidence: minFailures failures, a minute failing in 2 different hours', () => {
    const options = DEFAULT_DIAGNOSIS_OPTIONS;
    assert.equal(options.minFailures, 3);
    assert.notEqual(detectMinuteCluster(tallies({ 15: { failures: 3, hours: 2 } }), options), null);
    assert.equal(detectMinuteCluster(tallies({ 15: { failures: 2, hours: 2 } }), options), null, 'too few failures');
    assert.equal(detectMinuteCluster(tallies({ 15: { failures: 3, hours: 1 } }), options), null, 'one hour: a burst');
    assert.equal(detectMinuteCluster(tallies({ 15: { failures: 2, hours: 1 }, 16: { failures: 2, hours: 1 } }), options), null, 'each minute in one hour only');
  });

  it('minute-of-hour detector - failures not above the rest of the hour, or nothing to compare with, are no cluster', () => {
    // 2 failures a minute everywhere, 4 at :30: no more than noise explains at alpha / 60
    const noisy = Object.fromEntries(Array.from({ length: 60 }, (_, m) => [m, { failures: m === 30 ? 4 : 2, hours: 2 }]));
    assert.equal(detectMinuteCluster(tallies(noisy), DEFAULT_DIAGNOSIS_OPTIONS), null);
    // probes only at :15 (an hourly probe): every failure is at :15, whatever fails
    const hourly = Array.from({ length: 60 }, (_, m) => ({ failures: m === 15 ? 3 : 0, probes: m === 15 ? 6 : 0, hours: m === 15 ? 3 : 0 }));
    assert.equal(detectMinuteCluster(hourly, DEFAULT_DIAGNOSIS_OPTIONS), null);
  });
});

// The report (rollups in SQLite, summed per minute of the hour) and the diagnosis' hint (the raw
// observations) read the same results: both find the same cluster or both find none.
describe('minute-of-hour - the report and the diagnosis agree', () => {
  const dir = new TempDir();
  const store = tempStore(dir);
  after(() => {
    store.close();
    dir.dispose();
  });

  const random = seededRandom(23);
  const cases: { name: string; fault: Fault; detected: number | null }[] = [
    { name: 'a cron job failing every node at :00-:01 every hour', fault: (p) => (minuteOf(p.atMs) < 2 ? NGINX_502 : null), detected: 0 },
    {
      // the old hint wanted 60% of the failures in the cluster: noise over the other 58 minutes hid this job
      name: 'a job failing 20% at :30 amid 1% noise',
      fault: (p) => (random() < (minuteOf(p.atMs) === 30 ? 0.2 : 0.01) ? NGINX_502 : null),
      detected: 30,
    },
    { name: '1% noise all over the hour', fault: () => (random() < 0.01 ? NGINX_502 : null), detected: null },
    // the old report called a single failure a peak
    { name: 'a single failure at :17', fault: (p) => (p.atMs >= END - 2 * HOUR_MS + 17 * MINUTE && p.atMs < END - 2 * HOUR_MS + 18 * MINUTE && p.region === 'eu-west' && p.node === 'lb-1' ? NGINX_502 : null), detected: null },
    // the old hint counted the hours of the whole stretch: one burst across the top of the hour made "2 different hours"
    { name: 'one burst from :58 to :02', fault: (p) => (p.atMs >= END - 2 * HOUR_MS - 2 * MINUTE && p.atMs < END - 2 * HOUR_MS + 3 * MINUTE ? NGINX_502 : null), detected: null },
    { name: 'one burst from :15 to :19', fault: (p) => (p.atMs >= END - 3 * HOUR_MS + 15 * MINUTE && p.atMs < END - 3 * HOUR_MS + 20 * MINUTE ? NGINX_502 : null), detected: null },
    {
      name: 'the least evidence: one region failing once at :45 in three different hours',
      fault: (p) => (minuteOf(p.atMs) === 45 && p.atMs > END - 3 * HOUR_MS && p.region === 'eu-west' && p.node === 'lb-1' ? NGINX_502 : null),
      detected: 45,
    },
  ];

  cases.forEach((c, i) => {
    it(`minute-of-hour agreement - ${c.name}`, () => {
      const target = `t${i}`;
      const results: ResultRecord[] = craftResults({ target, endMs: END, minutes: HOURS * 60, fault: c.fault });
      store.insertResults(results);
      const { fromMs, toMs } = reportRange(HOURS * HOUR_MS, END, END);
      const report = buildReport(store, { target, fromMs, toMs, nowMs: END });
      const observations = results.map(observationOf);
      const failures = observations.filter((o) => !o.ok);
      const hint = minuteOfHourHint(
        { kind: 'origin', where: 'every node', regions: [], ips: [], failures, observations },
        DEFAULT_DIAGNOSIS_OPTIONS,
      );
      const cluster = detectMinuteCluster(tallyMinutes(observations, failures), DEFAULT_DIAGNOSIS_OPTIONS);
      assert.equal(report.minuteOfHour.peak?.minute ?? null, c.detected, 'report');
      assert.equal(cluster?.peak ?? null, c.detected, 'diagnosis');
      assert.equal(hint !== undefined, c.detected !== null, `hint: ${hint}`);
      if (cluster !== null) assert.match(hint ?? '', new RegExp(`cluster at minutes? :${String(cluster.first).padStart(2, '0')}\\b.* \\(${cluster.failures}/${failures.length} failures, in ${cluster.hours} different hours\\)`));
    });
  });
});

function observationOf(r: ResultRecord): Observation {
  return {
    atMs: r.startedAtMs,
    region: r.region,
    agent: r.agent,
    ip: r.ip,
    identity: {},
    ok: r.failure === null,
    failure: r.failure,
    status: r.status,
    provenance: r.provenance,
    firstByteMs: null,
    totalMs: null,
    resultId: r.resultId,
  };
}
