/**
 * Load generator for bench/agent.ts, run as its own process so the orchestrator's work never counts.
 *   node dist/bench/probe-load.js crossprobe URL CONCURRENCY SECONDS
 *       runs crossprobe's real probe (fresh connection each) against URL
 *   node dist/bench/probe-load.js blackbox URL CONCURRENCY SECONDS EXPORTER
 *       asks blackbox_exporter (http_2xx module) to probe URL, as Prometheus would
 * Prints one JSON line: { probes, ok, seconds, cpuS } (cpuS: this process' CPU time, user + system).
 */
import { Pool } from 'undici';
import { parseTarget } from '../proto/index.js';
import { DnsResolver, probeTarget } from '../agent/probes/index.js';

const [mode, url, concurrencyText, secondsText, exporter] = process.argv.slice(2);
const concurrency = Number(concurrencyText);
const seconds = Number(secondsText);

async function main(): Promise<void> {
  let probes = 0;
  let ok = 0;
  const until = performance.now() + seconds * 1_000;
  let one: () => Promise<boolean>;
  if (mode === 'crossprobe') {
    const target = parseTarget({ id: 'bench', url, interval: '10s', timeout: '5s', resolveAll: false });
    const ctx = { agent: 'bench', region: 'bench', resolver: new DnsResolver({ server: null }), sourceAddress: null, ca: null, bodyCapBytes: 1 << 20, userAgent: 'crossprobe-bench', allowPrivateTargets: true };
    one = async () => (await probeTarget(target, Date.now(), ctx)).every((r) => r.ok);
  } else {
    const pool = new Pool(exporter!, { connections: concurrency });
    const path = `/probe?module=http_2xx&target=${encodeURIComponent(url!)}`;
    one = async () => {
      const res = await pool.request({ path, method: 'GET' });
      return (await res.body.text()).includes('\nprobe_success 1');
    };
  }
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        probes++;
        if (await one()) ok++;
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`${JSON.stringify({ probes, ok, seconds: (performance.now() - start) / 1_000, cpuS: (cpu.user + cpu.system) / 1e6 })}\n`);
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
