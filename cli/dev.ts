import { parseArgs } from 'node:util';
import { ConfigError, idProblem } from '../proto/index.js';
import { startFleet, playStory, SCENARIOS } from '../dev/index.js';

const USAGE = `Usage: crossprobe dev [--scenario story|lb-node|routing|origin|healthy] [--speed N] [--regions a,b,c] [--keep]

Starts, on this machine: nats-server, a collector, one agent per region (each binding its own
127.0.1.x source address), and the fault lab (a DNS server and 3 load-balancer nodes in front of
an origin, with injectable faults). Then plays a scenario and prints each verdict as it changes.
  --scenario  story (default: healthy → one LB node with intermittent 502s → a region's route
              breaks → the origin crashes → recovery), or one fault held until Ctrl-C
  --speed     2 plays the story twice as fast (probes twice as often); default 1
  --regions   region names, 2 to 6; default eu-west,us-east,ap-south
  --keep      keep everything running after the story, until Ctrl-C
Ctrl-C stops everything it started.`;

/** `crossprobe dev`: the local demo fleet. */
export async function devCommand(argv: string[]): Promise<number> {
  let values: { scenario?: string; speed?: string; regions?: string; keep?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { scenario: { type: 'string' }, speed: { type: 'string' }, regions: { type: 'string' }, keep: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (err) {
    throw new ConfigError(`${(err as Error).message} (see --help)`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const scenario = values.scenario ?? 'story';
  const steps = SCENARIOS[scenario];
  if (!steps) throw new ConfigError(`--scenario: unknown scenario "${scenario}" (known: ${Object.keys(SCENARIOS).join(', ')})`, 'scenario');
  const speed = Number(values.speed ?? 1);
  if (!(speed >= 0.25 && speed <= 4)) throw new ConfigError(`--speed: must be a number from 0.25 to 4 (got ${JSON.stringify(values.speed)})`, 'speed');
  const regions = (values.regions ?? 'eu-west,us-east,ap-south').split(',').map((r) => r.trim()).filter(Boolean);
  if (regions.length < 2 || regions.length > 6 || regions.some((r) => idProblem(r) !== null)) {
    throw new ConfigError(`--regions: 2 to 6 region names of a–z, 0–9 and "-", comma-separated (got ${JSON.stringify(values.regions)})`, 'regions');
  }

  const say = (line: string) => process.stdout.write(`${line}\n`);
  const stop = new AbortController();
  process.on('SIGINT', () => stop.abort());
  process.on('SIGTERM', () => stop.abort());
  say('crossprobe dev: starting the demo fleet…');
  // The demo's clock runs ~15-60× a real one: probes every second instead of every minute, windows of
  // 20 s and 60 s instead of 5 min and 1 h, incidents checked every 2 s and resolved after 10 s healthy.
  const fleet = await startFleet({
    regions,
    intervalMs: Math.max(250, Math.round(1_000 / speed)),
    shortWindowMs: Math.round(20_000 / speed),
    longWindowMs: Math.round(60_000 / speed),
    incidentIntervalMs: Math.round(2_000 / speed),
    resolveAfterMs: Math.round(10_000 / speed),
    say,
  });
  try {
    say('');
    say(`API          ${fleet.api}/api/v1/targets`);
    say(`diagnosis    ${fleet.api}/api/v1/targets/${fleet.target}/diagnosis`);
    say(`             ./bin/crossprobe diagnose --api ${fleet.api} --target ${fleet.target}`);
    say(`agents       ${fleet.api}/api/v1/agents      metrics ${fleet.api}/metrics`);
    say(`Ctrl-C stops everything.`);
    say('');
    const outcomes = await playStory(fleet, steps, speed, say, stop.signal);
    if (!stop.signal.aborted) {
      say('');
      say('step'.padEnd(78) + 'expected'.padEnd(10) + 'verdict'.padEnd(14) + 'seconds to verdict'.padEnd(20) + 'alerts (seconds into the step)');
      for (const o of outcomes) {
        const alerts = o.alerts.length === 0 ? 'none' : o.alerts.map((a) => `${a.type} ${a.seconds}`).join(', ');
        say(`${o.title.slice(0, 76).padEnd(78)}${o.expect.padEnd(10)}${o.verdict.padEnd(14)}${String(o.secondsToVerdict ?? 'not reached').padEnd(20)}${alerts}`);
      }
    }
    if (values.keep && !stop.signal.aborted) {
      say('\n--keep: everything keeps running; Ctrl-C stops it.');
      await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
    }
  } finally {
    say('stopping the demo fleet…');
    await fleet.stop();
    say('stopped: nothing left running.');
  }
  return 0;
}
