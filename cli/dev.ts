import { Type } from '@sinclair/typebox';
import { ConfigError, idProblem } from '../proto/index.js';
import { startFleet, playStory, SCENARIOS, type Step } from '../dev/index.js';
import { configHelp, loadConfig } from '../common/index.js';

const USAGE = `Usage: crossprobe dev [--scenario story|lb-node|routing|origin|healthy] [--speed N] [--regions a,b,c] [--keep]

Starts, on this machine: nats-server, a collector, one agent per region (each binding its own
127.0.1.x source address), and the fault lab (a DNS server and 3 load-balancer nodes in front of
an origin, with injectable faults). Then plays a scenario and prints each verdict as it changes.
The story takes ${Math.round(storySeconds(1) / 60)} minutes at --speed 1 (--speed 2: half that); Ctrl-C stops everything it started.`;

/** What `crossprobe dev` takes (flags only). */
export const DevCliSchema = Type.Object(
  {
    scenario: Type.String({
      description: 'story: healthy → one LB node with intermittent 502s → a region\'s route breaks → the origin crashes → recovery; or one fault held until Ctrl-C (lb-node, routing, origin, healthy)',
    }),
    speed: Type.String({ description: '2 plays the story twice as fast (probes twice as often), from 0.25 to 4' }),
    regions: Type.String({ description: 'region names, 2 to 6, comma-separated' }),
    keep: Type.Boolean({ description: 'keep everything running after the story, until Ctrl-C' }),
  },
  { additionalProperties: false },
);

/** What `crossprobe dev` uses for a key nobody set (the parser applies these, --help shows them). */
export const DEV_DEFAULTS = Object.freeze({ scenario: 'story', speed: '1', regions: 'eu-west,us-east,ap-south', keep: false });

/** The demo's settings, checked. */
export interface DevOptions {
  readonly scenario: string;
  readonly steps: readonly Step[];
  readonly speed: number;
  readonly regions: readonly string[];
  readonly keep: boolean;
}

/** Seconds the story's steps last at `speed` (the fleet's start-up comes on top). */
export function storySeconds(speed: number): number {
  return (SCENARIOS.story ?? []).reduce((sum, s) => sum + s.seconds, 0) / speed;
}

/** Parses `crossprobe dev`'s flags (and --config file; no environment); throws ConfigError. */
export function parseDevArgs(argv: readonly string[]): DevOptions {
  const { config: values, positionals } = loadConfig(DevCliSchema, argv, {}, DEV_DEFAULTS);
  if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}" (see --help)`);
  const steps = SCENARIOS[values.scenario];
  if (!steps) throw new ConfigError(`--scenario: unknown scenario "${values.scenario}" (known: ${Object.keys(SCENARIOS).join(', ')})`, 'scenario');
  const speed = Number(values.speed);
  if (!(speed >= 0.25 && speed <= 4)) throw new ConfigError(`--speed: must be a number from 0.25 to 4 (got ${JSON.stringify(values.speed)})`, 'speed');
  const regions = values.regions.split(',').map((r) => r.trim()).filter(Boolean);
  if (regions.length < 2 || regions.length > 6 || regions.some((r) => idProblem(r) !== null)) {
    throw new ConfigError(`--regions: 2 to 6 region names of a–z, 0–9 and "-", comma-separated (got ${JSON.stringify(values.regions)})`, 'regions');
  }
  return { scenario: values.scenario, steps, speed, regions, keep: values.keep };
}

/** `crossprobe dev`: the local demo fleet. */
export async function devCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${configHelp(DevCliSchema, USAGE, { defaults: DEV_DEFAULTS, env: false })}\n`);
    return 0;
  }
  const { steps, speed, regions, keep } = parseDevArgs(argv);

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
    say(`dashboard    ${fleet.api}/   ← open this in a browser`);
    say(`alerts       ${fleet.alerts.url}   (the alerts received so far, newest first)`);
    say(`API          ${fleet.api}/api/v1/targets`);
    say(`diagnosis    ${fleet.api}/api/v1/targets/${fleet.target}/diagnosis`);
    say(`             ./bin/crossprobe diagnose --api ${fleet.api} --target ${fleet.target}`);
    say(`agents       ${fleet.api}/api/v1/agents      metrics ${fleet.api}/metrics`);
    const seconds = Math.round(steps.reduce((sum, s) => sum + s.seconds, 0) / speed);
    const lasts = seconds >= 120 ? `${Math.round(seconds / 6) / 10} min` : `${seconds} s`;
    say(`${steps.length > 1 ? `The story plays for ${lasts}, step by step below, then a summary table` : `The fault is held for ${lasts}`}. Ctrl-C stops everything.`);
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
    if (keep && !stop.signal.aborted) {
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
