/**
 * node dist/bench/report.js — how long a 30-day regional failure report takes, beside the plain SQL
 * read of the same rollup rows, measured in the same run on the same file:
 *   - data: 30 days of per-minute rollups for TARGETS targets × 10 regions probed once a minute
 *     (one of 3 IPs each minute, round robin), ~0.5% background failures, target-000's second IP
 *     failing 10% for the last 3 days; raw results for the last RAW_DAYS days of every target (as
 *     ingest interleaves them); the hourly rollups of migration v4 built as its backfill builds them;
 *   - baseline: SELECT * of the target's rollup rows over 30 days (432,000 rows), iterated;
 *   - report: buildReport (every store read + the diagnosis at the end + assembly), then the HTML and
 *     Markdown renderings; also a 24 h report and the dashboard over every target.
 * Median of RUNS after 3 warm-up runs. Target (issue #5): 30-day report (build + HTML) ≤ 300 ms.
 * Env: BENCH_TARGETS (default 100), BENCH_DAYS (30), BENCH_RAW_DAYS (2), BENCH_RUNS (15); BENCH_DIR keeps the
 * file there (default: a temp dir, removed), and a file already there is measured again instead of rebuilt.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase, openStore } from '../collector/store/index.js';
import { buildDashboard, buildReport, renderHtml, renderMarkdown, reportRange } from '../collector/reports/index.js';

const TARGETS = Number(process.env.BENCH_TARGETS ?? 100);
const DAYS = Number(process.env.BENCH_DAYS ?? 30);
const RAW_DAYS = Number(process.env.BENCH_RAW_DAYS ?? 2);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const REGIONS = 10;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TARGET_MS = 300;

const out = (line: string) => process.stdout.write(`${line}\n`);
const fmt = (n: number) => n.toLocaleString('en-US');
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = <T>(fn: () => T): [number, T] => {
  const t = performance.now();
  const v = fn();
  return [performance.now() - t, v];
};

// One probe per (target t, region r, minute m): the same expressions make the rollups and the raw
// rows, so the two agree. m counts minutes since the epoch; h is a cheap deterministic hash. Bound
// numbers arrive as REAL (better-sqlite3) and SQLite's % keeps REALs real: they are cast first.
const H = '((m * 2654435761 + r * 40503 + t * 9973) % 1000003)';
const K = '((m + r) % 3)';
const FAULT_FROM_MIN = 'CAST(@faultFrom AS INTEGER)';
const FAILED = `(${H} % 1000 < 5 OR (t = 0 AND ${K} = 1 AND m >= ${FAULT_FROM_MIN} AND ${H} % 10 = 0))`;
const GRID = (fromParam: string, toParam: string) => `WITH RECURSIVE
  mm(m) AS (SELECT CAST(${fromParam} AS INTEGER) UNION ALL SELECT m + 1 FROM mm WHERE m + 1 < ${toParam}),
  rr(r) AS (SELECT 0 UNION ALL SELECT r + 1 FROM rr WHERE r < ${REGIONS - 1}),
  tt(t) AS (SELECT 0 UNION ALL SELECT t + 1 FROM tt WHERE t < CAST(@targets AS INTEGER) - 1)`;
const ROLLUPS_SQL = `${GRID('@from', '@to')}
INSERT INTO rollups (target, minute_ms, region, agent, ip, n, failures, f_http_status, total_n, total_sum, total_max, first_byte_n, first_byte_sum, first_byte_max)
SELECT printf('target-%03d', t), m * 60000, printf('region-%d', r), printf('region-%d-1', r), '203.0.113.' || (1 + ${K}), 1,
  ${FAILED}, ${FAILED}, 1, 80 + ${H} % 40, 80 + ${H} % 40, 1, 50 + ${H} % 20, 50 + ${H} % 20
FROM mm, rr, tt`;
// The hourly sums of the same day, computed from the same expressions (as the v4 triggers would have
// kept them): re-reading the whole rollups table to backfill them costs minutes on a 7 GB file.
const HOURLY_SQL = `${GRID('@from', '@to')},
  minutes(t, m, r, failed, h) AS (SELECT t, m, r, ${FAILED}, ${H} FROM mm, rr, tt)
INSERT INTO rollups_hourly (target, hour_ms, region, agent, ip, n, failures, f_http_status, total_n, total_sum, total_max, first_byte_n, first_byte_sum, first_byte_max)
SELECT printf('target-%03d', t), (m / 60) * 3600000, printf('region-%d', r), printf('region-%d-1', r), '203.0.113.' || (1 + (m + r) % 3),
  COUNT(*), SUM(failed), SUM(failed), COUNT(*), SUM(80 + h % 40), MAX(80 + h % 40), COUNT(*), SUM(50 + h % 20), MAX(50 + h % 20)
FROM minutes GROUP BY t, m / 60, r, (m + r) % 3`;
const RAW_SQL = `${GRID('@from', '@to')}
INSERT INTO results (result_id, target, region, agent, url, method, ip, ip_family, started_at_ms, round_at_ms, ok, failure, failure_detail,
  status, dns_ms, connect_ms, tls_ms, first_byte_ms, download_ms, total_ms, source_address, headers, identity, body_match, body_bytes,
  body_truncated, provenance, tls_cert_not_after_ms, ips_in_round, received_at_ms)
SELECT printf('bench-%d-%d-%d', m, t, r), printf('target-%03d', t), printf('region-%d', r), printf('region-%d-1', r), 'https://shop.example/health', 'GET',
  '203.0.113.' || (1 + ${K}), 4, m * 60000 + r * 100 + t, m * 60000, NOT ${FAILED}, CASE WHEN ${FAILED} THEN 'HTTP_STATUS' END,
  CASE WHEN ${FAILED} THEN 'HTTP 502' END, CASE WHEN ${FAILED} THEN 502 ELSE 200 END, 1 + ${H} % 5, 2 + ${H} % 7, 5 + ${H} % 11,
  50 + ${H} % 20, 1, 80 + ${H} % 40, '198.51.100.' || r, '{"server":"nginx","x-served-by":"lb-' || (1 + ${K}) || '"}',
  '{"x-served-by":"lb-' || (1 + ${K}) || '"}', 'matched', 2, 0, CASE WHEN ${FAILED} THEN 'nginx' END, NULL, 1, m * 60000 + 500
FROM mm, rr, tt`;

const dir = process.env.BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'crossprobe-bench-report-'));
const path = join(dir, 'collector.db');
try {
  let now = Math.floor(Date.now() / MINUTE) * MINUTE;
  const firstMin = (now - DAYS * DAY) / MINUTE - 60;
  const lastMin = now / MINUTE;
  const faultFrom = (now - 3 * DAY) / MINUTE;

  // The schema as the collector makes it (v4), then a bulk load: the hourly triggers set aside while
  // the minutes and their hourly sums are written day by day, then put back.
  const reuse = existsSync(path);
  if (!reuse) openStore(path).close();
  const db = openDatabase(path);
  const [loadMs] = time(() => {
    if (reuse) return;
    const triggers = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'rollups'").pluck().all() as string[];
    for (const name of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'rollups'").pluck().all() as string[]) db.exec(`DROP TRIGGER ${name}`);
    db.pragma('synchronous = OFF');
    const rollups = db.prepare(ROLLUPS_SQL);
    const hourly = db.prepare(HOURLY_SQL);
    const raw = db.prepare(RAW_SQL);
    // whole hours at a time (the range starts on an hour, so no hour is split between two chunks)
    const start = Math.floor(firstMin / 60) * 60;
    for (let m = start; m < lastMin; m += 1_440) {
      const to = Math.min(lastMin, m + 1_440);
      db.transaction(() => {
        rollups.run({ from: m, to, targets: TARGETS, faultFrom });
        hourly.run({ from: m, to, targets: TARGETS, faultFrom });
        if (to > lastMin - RAW_DAYS * 1_440) raw.run({ from: Math.max(m, lastMin - RAW_DAYS * 1_440), to, targets: TARGETS, faultFrom });
      })();
    }
    for (const sql of triggers) db.exec(sql);
  });
  const counts = {
    rollups: db.prepare('SELECT COUNT(*) FROM rollups').pluck().get() as number,
    hourly: db.prepare('SELECT COUNT(*) FROM rollups_hourly').pluck().get() as number,
    raw: db.prepare('SELECT COUNT(*) FROM results').pluck().get() as number,
  };
  // a file measured again ends where its data ends, not at today's clock
  if (reuse) now = (db.prepare('SELECT MAX(minute_ms) FROM rollups').pluck().get() as number) + MINUTE;
  db.close();
  out(`data: ${TARGETS} targets × ${REGIONS} regions × ${DAYS} days at 1/min: ${fmt(counts.rollups)} rollup rows, ${fmt(counts.hourly)} hourly rows, ` +
    `${fmt(counts.raw)} raw results (last ${RAW_DAYS} d); file ${(statSync(path).size / 1e9).toFixed(2)} GB; ${reuse ? 'reused' : `loaded in ${(loadMs / 1000).toFixed(0)} s`}`);

  const store = openStore(path);
  const target = 'target-000';
  const diagnosis = { longWindowMs: HOUR, shortWindowMs: 5 * MINUTE };
  const month = reportRange(DAYS * DAY, null, now);
  const day = reportRange(DAY, null, now);
  // the baseline reads through a connection of its own, opened as the store opens its own
  const reader = openDatabase(path);
  const baselineSql = reader.prepare('SELECT * FROM rollups WHERE target = ? AND minute_ms >= ? AND minute_ms < ?').raw();
  const t: Record<string, number[]> = { baseline: [], build: [], html: [], md: [], total: [], day: [], dashboard: [] };
  let rows = 0;
  let cold = 0;
  let summary = '';
  let sizes = { html: 0, md: 0 };
  for (let i = 0; i < RUNS + 3; i++) {
    const [baseline, n] = time(() => {
      let k = 0;
      for (const _ of baselineSql.iterate(target, month.fromMs, month.toMs)) k++;
      return k;
    });
    const [build, data] = time(() => buildReport(store, { target, fromMs: month.fromMs, toMs: month.toMs, nowMs: now, diagnosis }));
    const [html, page] = time(() => renderHtml(data));
    const [md, text] = time(() => renderMarkdown(data));
    const [dayMs] = time(() => renderHtml(buildReport(store, { target, fromMs: day.fromMs, toMs: day.toMs, nowMs: now, diagnosis })));
    const [dash] = time(() => buildDashboard(store, { nowMs: now, staleAfterMs: 15_000, heartbeatIntervalMs: 5_000 }));
    if (i === 0) cold = build + html;
    if (i < 3) continue; // warm-up: the JIT, SQLite's page cache, the diagnosis' recent window
    rows = n;
    summary = `${data.verdict.verdict}: ${data.verdict.sentence}`;
    sizes = { html: page.length, md: text.length };
    t.baseline!.push(baseline);
    t.build!.push(build);
    t.html!.push(html);
    t.md!.push(md);
    t.total!.push(build + html);
    t.day!.push(dayMs);
    t.dashboard!.push(dash);
  }
  store.close();
  reader.close();
  const ms = (k: string) => `${median(t[k]!).toFixed(1).padStart(7)} ms`;
  out(`30-day report of ${target}, median of ${RUNS}: ${summary}`);
  out(`  baseline: SELECT * of its ${fmt(rows)} rollup rows, iterated   ${ms('baseline')}`);
  out(`  report data (buildReport: reads + diagnosis + assembly)   ${ms('build')}   = ${(median(t.build!) / median(t.baseline!)).toFixed(2)}× baseline`);
  out(`  render HTML (${fmt(sizes.html)} bytes)                        ${ms('html')}`);
  out(`  render Markdown (${fmt(sizes.md)} bytes)                    ${ms('md')}`);
  out(`  total (data + HTML)                                       ${ms('total')}`);
  out(`  the first one, cold (file just opened, JIT and caches empty) ${cold.toFixed(1).padStart(7)} ms`);
  out(`24-hour report (data + HTML)                                ${ms('day')}`);
  out(`dashboard data, ${TARGETS} targets × ${REGIONS} regions, last hour       ${ms('dashboard')}`);
  out(`target 30-day report ≤ ${TARGET_MS} ms: ${median(t.total!) <= TARGET_MS ? 'met' : 'NOT met'} (${median(t.total!).toFixed(1)} ms)`);
} finally {
  if (process.env.BENCH_DIR === undefined) rmSync(dir, { recursive: true, force: true });
}
