/**
 * node dist/bench/collector-ingest.js — the collector's ingest throughput, from one run:
 *   1. ceiling: `store.insertResults` in batches of BATCH (one transaction each, rollups included) of
 *      the same decoded rows, into a fresh SQLite file;
 *   2. end-to-end: N results pre-published to JetStream (pipelined), then consumed by `startIngest`
 *      into a fresh file, timed from the moment ingest is set up until the last batch is committed,
 *      with the main thread's event-loop delay meanwhile (commits run on the writer thread); and its
 *      steady rate, over the results after the first WARMUP: each round starts a fresh writer thread,
 *      whose code V8 compiles anew while it works (the ceiling runs on the already warm main thread
 *      from round 2), a one-time cost of a collector's start, not of its ingest;
 *   3. the ratio 2 / 1 (target ≥ 0.6): best steady e2e over best ceiling, and the median of the
 *      rounds' own ratios (each e2e round beside the ceiling round run just before it);
 *   4. the schema choices behind the store: rollups at insert vs none vs a rollup pass afterwards, and a
 *      rowid results table vs a WITHOUT ROWID one.
 * 1 and 2 run ROUNDS times each, alternating (each e2e round with its own durable consumer reading the
 * same stream), so a burst of load from elsewhere on the machine shows up as spread, not as the result.
 * The writer thread commits with synchronous=FULL, as the collector does (an acked batch survives a host
 * crash), and so does the ceiling; BENCH_SYNC=both adds, in every round, an e2e round whose writer
 * commits with NORMAL, the setting before, so the cost of FULL is read off one run.
 * Env: BENCH_N (default 100000), BENCH_BATCH (default 500), BENCH_ROUNDS (default 5), BENCH_WARMUP (default 10000),
 * BENCH_SYNC (FULL, NORMAL or both; default FULL).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { connect, type NatsConnection } from 'nats';
import { encodeResult, ensureResultsStream } from '../proto/index.js';
import { openStore, openDatabase, migrate, MIGRATIONS, type ResultRecord, ResultsTable, RESULTS_INSERT_SQL, resultRow, RollupsTable } from '../collector/store/index.js';
import { readResult, startIngest } from '../collector/ingest/index.js';
import { NatsServer } from '../test/helpers/nats-server.js';
import { asMessages, publishPipelined, variedResults } from '../test/helpers/collector-fixtures.js';

const N = Number(process.env.BENCH_N ?? 100_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 10_000);
const SYNC = process.env.BENCH_SYNC ?? 'FULL';
const SYNCS: readonly ('FULL' | 'NORMAL')[] = SYNC === 'both' ? ['FULL', 'NORMAL'] : SYNC === 'NORMAL' ? ['NORMAL'] : ['FULL'];
const out = (line: string) => process.stdout.write(`${line}\n`);
const rate = (n: number, ms: number) => Math.round((n / ms) * 1_000);
const fmt = (n: number) => n.toLocaleString('en-US');
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The machine's CPU time (all cores) and the part of it the hypervisor gave to others (steal), from /proc/stat. */
function machineTicks(): { total: number; steal: number } {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/);
  const ticks = fields.map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already counted in user)
  return { total: ticks.slice(0, 8).reduce((a, b) => a + b, 0), steal: ticks[7] ?? 0 };
}

/** Runs fn and says which share of the machine's time was stolen meanwhile (another VM ran instead). */
async function withSteal<T>(fn: () => T | Promise<T>): Promise<T & { readonly stealPct: number }> {
  const before = machineTicks();
  const result = await fn();
  const after = machineTicks();
  const total = after.total - before.total;
  return { ...result, stealPct: total > 0 ? ((after.steal - before.steal) / total) * 100 : 0 };
}

function timeBatches(records: readonly ResultRecord[], insert: (batch: readonly ResultRecord[]) => void): number {
  const t0 = performance.now();
  for (let i = 0; i < records.length; i += BATCH) insert(records.slice(i, i + BATCH));
  return performance.now() - t0;
}

interface Round {
  readonly rate: number;
  readonly cpuS: number;
}

function ceilingRound(path: string, records: readonly ResultRecord[]): Round {
  // the writer's durability, so the ratio measures the pipeline, not a cheaper commit
  const store = openStore(path, { synchronous: SYNCS[0]! });
  try {
    const cpu0 = process.cpuUsage();
    const ms = timeBatches(records, (b) => store.insertResults(b));
    const cpu = process.cpuUsage(cpu0);
    if (store.countResults() !== N) throw new Error(`ceiling stored ${store.countResults()} rows`);
    return { rate: rate(N, ms), cpuS: (cpu.user + cpu.system) / 1e6 };
  } finally {
    store.close();
  }
}

/** Where an e2e round stood at one commit. */
interface Mark {
  readonly at: number;
  readonly committed: number;
  readonly cpu: NodeJS.CpuUsage;
  /** nats-server's CPU seconds so far. */
  readonly serverS: number;
}

/** The collector process's CPU seconds (user + system) from one mark to a later one. */
function cpuSecondsBetween(from: Mark, to: Mark): number {
  return (to.cpu.user + to.cpu.system - from.cpu.user - from.cpu.system) / 1e6;
}

interface E2eRound extends Round {
  /** Rows per second after the commit that took the count to WARMUP or past it. */
  readonly steadyRate: number;
  /** Rows committed by then. */
  readonly warmedAfter: number;
  /** CPU per result (µs) after the warm-up: the collector process, and nats-server. */
  readonly steadyCpuUs: number;
  readonly steadyServerCpuUs: number;
  readonly serverCpuS: number;
  readonly batches: number;
  /** The main thread's event-loop delay meanwhile: what an API request or the incidents loop waits. */
  readonly loopP99Ms: number;
  readonly loopMaxMs: number;
}

async function e2eRound(nc: NatsConnection, serverPid: number, path: string, durable: string, synchronous: 'FULL' | 'NORMAL'): Promise<E2eRound> {
  const store = openStore(path);
  try {
    let committed = 0;
    const marks: { warm: Mark | null; end: Mark | null } = { warm: null, end: null };
    const mark = (): Mark => ({ at: performance.now(), committed, cpu: process.cpuUsage(), serverS: cpuSeconds(serverPid) });
    // Stamps the commits that end the warm-up and the run, rather than the next poll.
    const onCommitted = (batch: { readonly inserted: number }) => {
      committed += batch.inserted;
      if (marks.warm === null && committed >= WARMUP) marks.warm = mark();
      if (committed >= N && marks.end === null) marks.end = mark();
    };
    const ingest = await startIngest({ nc, store, logger: pino({ level: 'warn' }), batchSize: BATCH, durable, onCommitted, synchronous });
    // Set-up (stream, bucket, durable) is a one-time cost: the clock starts once it is done.
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const start = mark();
    while (marks.end === null) await new Promise((r) => setTimeout(r, 5));
    loop.disable();
    const stats = ingest.stats();
    await ingest.stop();
    if (store.countResults() !== N || stats.inserted !== N) throw new Error(`end to end stored ${store.countResults()} rows (${stats.inserted} inserted)`);
    const { warm, end } = marks;
    if (warm === null) throw new Error('the run ended without its warm-up mark');
    const steady = N - warm.committed;
    return {
      rate: rate(N, end.at - start.at),
      steadyRate: rate(steady, end.at - warm.at),
      warmedAfter: warm.committed,
      steadyCpuUs: (cpuSecondsBetween(warm, end) * 1e6) / steady,
      steadyServerCpuUs: ((end.serverS - warm.serverS) * 1e6) / steady,
      cpuS: cpuSecondsBetween(start, end),
      serverCpuS: end.serverS - start.serverS,
      batches: stats.batches,
      loopP99Ms: loop.percentile(99) / 1e6,
      loopMaxMs: loop.max / 1e6,
    };
  } finally {
    store.close();
  }
}

/** Inserts through the store's own tables on a bare database, with or without rollups, rowid or not. */
function variant(path: string, opts: { rollups: boolean; withoutRowid?: boolean }, records: readonly ResultRecord[]): { rate: number; mb: number } {
  const db = openDatabase(path);
  try {
    if (opts.withoutRowid) {
      // the same schema, with the results table clustered on result_id
      const steps = MIGRATIONS.map((m) => (m.version === 1 ? { ...m, sql: m.sql.replace(/received_at_ms INTEGER NOT NULL\n\);/, 'received_at_ms INTEGER NOT NULL\n) WITHOUT ROWID;') } : m));
      if (steps[0]!.sql === MIGRATIONS[0]!.sql) throw new Error('WITHOUT ROWID variant not applied');
      migrate(db, steps);
      const stmt = db.prepare(RESULTS_INSERT_SQL);
      const rollups = new RollupsTable(db);
      const tx = db.transaction((batch: readonly ResultRecord[]) => {
        const fresh = batch.filter((r) => stmt.run(...resultRow(r)).changes === 1);
        if (opts.rollups) rollups.add(fresh);
      });
      return measured(db, path, timeBatches(records, tx));
    }
    migrate(db);
    const results = new ResultsTable(db);
    const rollups = new RollupsTable(db);
    const tx = db.transaction((batch: readonly ResultRecord[]) => {
      const fresh = results.insert(batch);
      if (opts.rollups) rollups.add(fresh);
    });
    return measured(db, path, timeBatches(records, tx));
  } finally {
    db.close();
  }
}

/** The insert rate, and the file's size once the WAL is folded in. */
function measured(db: ReturnType<typeof openDatabase>, path: string, ms: number): { rate: number; mb: number } {
  db.pragma('wal_checkpoint(TRUNCATE)');
  return { rate: rate(N, ms), mb: statSync(path).size / 1e6 };
}

async function main(): Promise<void> {
  if (!Number.isSafeInteger(WARMUP) || WARMUP < 0 || WARMUP >= N) throw new RangeError(`BENCH_WARMUP must be an integer from 0 to below BENCH_N (${N}), got ${process.env.BENCH_WARMUP}`);
  const dir = mkdtempSync(join(tmpdir(), 'crossprobe-bench-ingest-'));
  let nats: NatsServer | null = null;
  try {
    if (SYNC !== 'both' && SYNC !== 'FULL' && SYNC !== 'NORMAL') throw new RangeError(`BENCH_SYNC must be FULL, NORMAL or both, got ${SYNC}`);
    out(`${fmt(N)} results, batches of ${BATCH}, ${ROUNDS} rounds, SQLite WAL, writer thread synchronous=${SYNCS.join(' and ')} (ceiling ${SYNCS[0]}), ${availableParallelism()} cores, files in ${dir}`);
    // A live stream is close to time order (agents publish as probes finish); so is this one.
    const wire = variedResults(N, 1).sort((a, b) => a.startedAtMs! - b.startedAtMs!);
    const records = wire.map((r) => readResult(encodeResult(r), Date.now()));

    nats = await NatsServer.start();
    const serverPid = nats.pid!;
    const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1 });
    await ensureResultsStream(await nc.jetstreamManager());
    const pubStart = performance.now();
    await publishPipelined(nc.jetstream(), asMessages(wire), 2_000);
    out(`pre-published with js.publish, 2,000 in flight: ${fmt(rate(N, performance.now() - pubStart))} msg/s`);
    out('');

    const ceilings: (Round & { readonly stealPct: number })[] = [];
    const e2es: (E2eRound & { readonly stealPct: number })[] = [];
    const bySync = new Map<string, number[]>();
    for (let i = 0; i < ROUNDS; i++) {
      const c = await withSteal(() => ceilingRound(join(dir, `ceiling-${i}.db`), records));
      ceilings.push(c);
      for (const [k, sync] of SYNCS.entries()) {
        // NORMAL's rounds alternate place with FULL's, so neither always runs right after the ceiling
        const synchronous = SYNCS.length > 1 && i % 2 === 1 ? SYNCS[SYNCS.length - 1 - k]! : sync;
        const e = await withSteal(() => e2eRound(nc, serverPid, join(dir, `e2e-${i}-${synchronous}.db`), `bench-${i}-${synchronous}`, synchronous));
        if (synchronous === SYNCS[0]) e2es.push(e);
        bySync.set(synchronous, [...(bySync.get(synchronous) ?? []), e.steadyRate]);
        out(
          `round ${i + 1}${SYNCS.length > 1 ? ` ${synchronous}` : ''}: ceiling ${fmt(c.rate)} rows/s (${((c.cpuS * 1e6) / N).toFixed(1)} µs CPU/row, steal ${c.stealPct.toFixed(0)}%) | e2e ${fmt(e.rate)} rows/s from start, ${fmt(e.steadyRate)} steady ` +
            `(µs CPU/result steady: collector ${e.steadyCpuUs.toFixed(1)}, nats-server ${e.steadyServerCpuUs.toFixed(1)}; from start ${((e.cpuS * 1e6) / N).toFixed(1)} + ${((e.serverCpuS * 1e6) / N).toFixed(1)}; ` +
            `steal ${e.stealPct.toFixed(0)}%, ${e.batches} batches, event loop p99 ${e.loopP99Ms.toFixed(0)} ms, max ${e.loopMaxMs.toFixed(0)} ms) | ratio steady ${(e.steadyRate / c.rate).toFixed(2)}, from start ${(e.rate / c.rate).toFixed(2)}`,
        );
      }
    }
    await nc.close();

    const bestCeiling = Math.max(...ceilings.map((c) => c.rate));
    const bestE2e = Math.max(...e2es.map((e) => e.steadyRate));
    const ratio = bestE2e / bestCeiling;
    const paired = median(e2es.map((e, i) => e.steadyRate / ceilings[i]!.rate));
    const verdict = (r: number) => `target ≥ 0.6: ${r >= 0.6 ? 'met' : 'NOT met'}`;
    out('');
    out(`ceiling   insertResults, batches of ${BATCH}:  best ${fmt(bestCeiling)} rows/s, median ${fmt(median(ceilings.map((c) => c.rate)))}`);
    out(`e2e       JetStream → committed SQLite:  steady (after the first ${fmt(e2es[0]!.warmedAfter)}) best ${fmt(bestE2e)} rows/s, median ${fmt(median(e2es.map((e) => e.steadyRate)))}; from start best ${fmt(Math.max(...e2es.map((e) => e.rate)))}`);
    if (SYNCS.length > 1) {
      const full = bySync.get('FULL')!;
      const normal = bySync.get('NORMAL')!;
      out(`writer    synchronous=FULL steady median ${fmt(median(full))} rows/s (best ${fmt(Math.max(...full))}), NORMAL median ${fmt(median(normal))} (best ${fmt(Math.max(...normal))}): FULL/NORMAL ${(median(full) / median(normal)).toFixed(2)}`);
    }
    out(`ratio     best e2e / best ceiling:       ${ratio.toFixed(3)}  (${verdict(ratio)})`);
    out(`          median of the rounds' ratios:  ${paired.toFixed(3)}  (${verdict(paired)})`);

    out('');
    out(`schema choices (fresh file each, same ${fmt(N)} rows, batches of ${BATCH}, best of ${ROUNDS}):`);
    const best = (xs: { rate: number; mb: number }[]) => xs.reduce((a, b) => (b.rate > a.rate ? b : a));
    const runs = { withRollups: [] as { rate: number; mb: number }[], noRollups: [] as { rate: number; mb: number }[], noRowid: [] as { rate: number; mb: number }[] };
    for (let i = 0; i < ROUNDS; i++) {
      runs.withRollups.push(variant(join(dir, `v-rollups-${i}.db`), { rollups: true }, records));
      runs.noRollups.push(variant(join(dir, `v-none-${i}.db`), { rollups: false }, records));
      runs.noRowid.push(variant(join(dir, `v-without-rowid-${i}.db`), { rollups: true, withoutRowid: true }, records));
    }
    const withRollups = best(runs.withRollups);
    const noRollups = best(runs.noRollups);
    const noRowid = best(runs.noRowid);
    const passDb = openDatabase(join(dir, 'v-none-0.db'));
    const pass = new RollupsTable(passDb);
    const passStart = performance.now();
    passDb.transaction(() => pass.rebuild(0, Date.now() + 86_400_000))();
    const passMs = performance.now() - passStart;
    passDb.close();
    const mb = (v: { mb: number }) => `${v.mb.toFixed(1)} MB`;
    out(`  rowid results, rollups at insert (chosen): ${fmt(withRollups.rate)} rows/s, ${mb(withRollups)}`);
    out(`  rowid results, no rollups:                 ${fmt(noRollups.rate)} rows/s, ${mb(noRollups)}  (rollups at insert: ${(((noRollups.rate - withRollups.rate) / noRollups.rate) * 100).toFixed(0)}% fewer rows/s)`);
    out(`  rollup pass afterwards over all ${fmt(N)} rows: ${passMs.toFixed(0)} ms in one transaction (the writer waits meanwhile)`);
    out(`  WITHOUT ROWID results, rollups at insert:  ${fmt(noRowid.rate)} rows/s, ${mb(noRowid)}`);
  } finally {
    await nats?.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
