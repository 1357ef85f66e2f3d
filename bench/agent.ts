/**
 * npm run bench:agent — the agent's speed and memory, beside prometheus-blackbox-exporter measured in
 * the same run against the same local nginx.
 *   1. probe rate: fresh-connection HTTP probes per second, each tool driven by its own load process
 *      (crossprobe: its real probe code; blackbox: /probe?module=http_2xx, as Prometheus calls it),
 *      ROUNDS rounds alternating the two, so a burst of load from elsewhere on the machine shows up as
 *      spread between rounds rather than as the result; the ratio reported is the median of the rounds'

 *   2. memory: the real `crossprobe agent` (bin/crossprobe, as deployed) with 1,000 targets (10 s interval, publishing to a real
 *      nats-server) — peak RSS; blackbox_exporter's peak RSS after its load run for comparison
 * Targets (issue #2): probe rate ≥ 1.5× blackbox_exporter's; agent RSS ≤ 100 MB at 1,000 targets.
 * Env: BENCH_SECONDS (default 10), BENCH_CONCURRENCY (default 32), BENCH_RSS_SECONDS (default 25),
 * BENCH_ROUNDS (default 3).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { startNginx, freePort } from '../test/helpers/nginx.js';
import { NatsServer } from '../test/helpers/nats-server.js';
import { ensureResultsStream, RESULTS_STREAM } from '../proto/index.js';
import { binPath, repoRoot } from '../test/helpers/paths.js';

const run = promisify(execFile);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const RSS_SECONDS = Number(process.env.BENCH_RSS_SECONDS ?? 25);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const BLACKBOX = '/usr/bin/prometheus-blackbox-exporter';
const loadScript = join(repoRoot, 'dist', 'bench', 'probe-load.js');

interface Load { probes: number; ok: number; seconds: number; cpuS: number }

/** The V8 flags bin/crossprobe gives the agent (bin/agent-node-flags): crossprobe's probe rate is measured with them too. */
const AGENT_FLAGS = readFileSync(join(repoRoot, 'bin', 'agent-node-flags'), 'utf8').trim().split(/\s+/);

async function load(args: string[]): Promise<Load> {
  const flags = args[0] === 'crossprobe' ? AGENT_FLAGS : [];
  const { stdout } = await run(process.execPath, [...flags, loadScript, ...args], { timeout: (SECONDS + 60) * 1_000 });
  return JSON.parse(stdout) as Load;
}

/** Peak and current resident memory of a process, in MB, from /proc. */
function rss(pid: number): { peakMb: number; nowMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { peakMb: kb('VmHWM') / 1024, nowMb: kb('VmRSS') / 1024 };
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(t);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'crossprobe-bench-'));
  const nginx = await startNginx({
    servers: 'server { listen 127.0.0.1:{{port}} backlog=4096; access_log off; location / { return 200 "ok\\n"; } }',
  });
  const url = `http://127.0.0.1:${nginx.port}/health`;
  const procs: ChildProcess[] = [];
  let nats: NatsServer | null = null;
  try {
    process.stdout.write(`nginx on ${url}; ${SECONDS}s per run, concurrency ${CONCURRENCY}\n`);
    // warm-up of both, so neither pays first-run costs in its measured run
    await load(['crossprobe', url, String(CONCURRENCY), '1']);

    const bbPort = await freePort();
    const bbConfig = join(dir, 'blackbox.yml');
    writeFileSync(bbConfig, 'modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n    http:\n      preferred_ip_protocol: ip4\n');
    const bb = spawn(BLACKBOX, [`--config.file=${bbConfig}`, `--web.listen-address=127.0.0.1:${bbPort}`], { stdio: 'ignore' });
    procs.push(bb);
    const exporter = `http://127.0.0.1:${bbPort}`;
    for (let i = 0; i < 50; i++) {
      if (await fetch(`${exporter}/-/healthy`).then((r) => r.ok, () => false)) break;
      await sleep(100);
    }
    await load(['blackbox', url, String(CONCURRENCY), '1', exporter]);

    const rounds: { ours: Load; theirs: Load }[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // alternating which goes first, so neither always runs on a machine the other just warmed
      const first = i % 2 === 0 ? 'crossprobe' : 'blackbox';
      const a = await load([first, url, String(CONCURRENCY), String(SECONDS), ...(first === 'blackbox' ? [exporter] : [])]);
      const second = first === 'crossprobe' ? 'blackbox' : 'crossprobe';
      const b = await load([second, url, String(CONCURRENCY), String(SECONDS), ...(second === 'blackbox' ? [exporter] : [])]);
      const round = first === 'crossprobe' ? { ours: a, theirs: b } : { ours: b, theirs: a };
      rounds.push(round);
      process.stdout.write(`round ${i + 1}: crossprobe ${(round.ours.probes / round.ours.seconds).toFixed(0)} probes/s (${((round.ours.cpuS / round.ours.probes) * 1e6).toFixed(0)} µs CPU each), blackbox_exporter ${(round.theirs.probes / round.theirs.seconds).toFixed(0)} probes/s, ratio ${((round.ours.probes / round.ours.seconds) / (round.theirs.probes / round.theirs.seconds)).toFixed(2)}\n`);
    }
    const bbMem = rss(bb.pid!);
    await stop(bb);

    // memory: the real agent with 1,000 targets
    nats = await NatsServer.start();
    const nc = await nats.connect();
    await ensureResultsStream(await nc.jetstreamManager());
    const targets = Array.from({ length: 1_000 }, (_, i) => ({ id: `t-${i}`, url: `${url}?t=${i}`, interval: '10s', timeout: '5s' }));
    const targetsFile = join(dir, 'targets.json');
    writeFileSync(targetsFile, JSON.stringify({ targets }));
    const agent = spawn(binPath, ['agent', '--nats', nats.url, '--region', 'bench', '--id', 'bench-1', '--targets', targetsFile, '--no-kv', '--allow-private-targets', '--spool-dir', join(dir, 'spool'), '--log-level', 'warn'], { stdio: 'ignore' });
    procs.push(agent);
    await sleep(RSS_SECONDS * 1_000);
    const agentMem = rss(agent.pid!);
    const published = (await (await nc.jetstreamManager()).streams.info(RESULTS_STREAM)).state.messages;
    await stop(agent);
    await nc.close();

    const rate = (l: Load) => l.probes / l.seconds;
    const ratio = median(rounds.map((r) => rate(r.ours) / rate(r.theirs)));
    const sum = (pick: (r: { ours: Load; theirs: Load }) => Load, f: (l: Load) => number) => rounds.reduce((n, r) => n + f(pick(r)), 0);
    const rows = [
      ['', 'crossprobe', 'blackbox_exporter', 'ratio'],
      [`probes/s (fresh connection), median of ${ROUNDS}`, median(rounds.map((r) => rate(r.ours))).toFixed(0), median(rounds.map((r) => rate(r.theirs))).toFixed(0), `${ratio.toFixed(2)}× (median of the rounds' ratios)`],
      ['probes ok / all rounds', `${sum((r) => r.ours, (l) => l.ok)}/${sum((r) => r.ours, (l) => l.probes)}`, `${sum((r) => r.theirs, (l) => l.ok)}/${sum((r) => r.theirs, (l) => l.probes)}`, ''],
      ['peak RSS MB', `${agentMem.peakMb.toFixed(1)} (agent, 1,000 targets)`, `${bbMem.peakMb.toFixed(1)} (after load runs)`, ''],
    ];
    const w = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
    for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(w[i]!)).join('  ')}\n`);
    process.stdout.write(`agent published ${published} results in ${RSS_SECONDS}s with 1,000 targets at 10s\n`);
    process.stdout.write(`target probe rate ≥ 1.5× blackbox: ${ratio >= 1.5 ? 'met' : 'NOT met'} (${ratio.toFixed(2)}×)\n`);
    process.stdout.write(`target agent RSS ≤ 100 MB at 1,000 targets: ${agentMem.peakMb <= 100 ? 'met' : 'NOT met'} (${agentMem.peakMb.toFixed(1)} MB)\n`);
  } finally {
    for (const p of procs) await stop(p);
    await nats?.dispose();
    await nginx.stop();
  }
}

await main();
