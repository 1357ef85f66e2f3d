import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { AGENT_DEFAULTS, parseAgentConfig } from '../../agent/config.js';
import { collectorDefaults, parseCollectorConfig } from '../../collector/config.js';
import { showDefault } from '../../common/index.js';
import { DEV_DEFAULTS, parseDevArgs } from '../../cli/dev.js';
import { DIAGNOSE_DEFAULTS, parseDiagnoseArgs } from '../../cli/diagnose.js';
import { ENROLL_DEFAULTS, parseEnrollArgs } from '../../cli/enroll.js';
import { REPORT_DEFAULTS, parseReportArgs } from '../../cli/report.js';
import { TARGETS_DEFAULTS, parseTargetsArgs } from '../../cli/targets.js';
import { cliPath } from '../helpers/paths.js';

/** The environment both the --help process and the parser see: no state directory, a known home. */
const ENV: NodeJS.ProcessEnv = { HOME: '/home/op' };

interface Command {
  readonly name: string;
  /** The defaults object the command's parser applies. */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** The command's real parser, given the required options plus `argv`. */
  parse(argv: readonly string[]): unknown;
}

const COMMANDS: readonly Command[] = [
  { name: 'agent', defaults: AGENT_DEFAULTS, parse: (argv) => parseAgentConfig(['--region', 'eu-west', '--id', 'fra-1', ...argv], ENV) },
  { name: 'collector', defaults: collectorDefaults(ENV), parse: (argv) => parseCollectorConfig(argv, ENV) },
  { name: 'diagnose', defaults: DIAGNOSE_DEFAULTS, parse: (argv) => parseDiagnoseArgs(['--api', 'http://127.0.0.1:8080', '--target', 'shop', ...argv], {}) },
  { name: 'report', defaults: REPORT_DEFAULTS, parse: (argv) => parseReportArgs(['--api', 'http://127.0.0.1:8080', '--target', 'shop', ...argv], {}) },
  { name: 'targets', defaults: TARGETS_DEFAULTS, parse: (argv) => parseTargetsArgs(['list', ...argv], {}) },
  { name: 'enroll', defaults: ENROLL_DEFAULTS, parse: (argv) => parseEnrollArgs(['--collector', ...argv]) },
  { name: 'dev', defaults: DEV_DEFAULTS, parse: (argv) => parseDevArgs(argv) },
];

const flagOf = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** `crossprobe <name> --help`, run as a user runs it: option flag → the default it shows. */
function helpDefaults(name: string): Map<string, string> {
  const r = spawnSync(process.execPath, [cliPath, name, '--help'], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, ...ENV, STATE_DIRECTORY: '', XDG_STATE_HOME: '' },
  });
  assert.equal(r.status, 0, `${name} --help: ${r.stderr}`);
  const shown = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^\s+--([a-z0-9-]+)\b.*\(default: ([^()]*)\)$/.exec(line);
    if (m) shown.set(m[1]!, m[2]!);
  }
  return shown;
}

test('help - every command shows each option\'s default, and it is the value its parser uses', () => {
  for (const cmd of COMMANDS) {
    const shown = helpDefaults(cmd.name);
    for (const [key, value] of Object.entries(cmd.defaults)) {
      const want = showDefault(value);
      if (want === null) continue; // off or empty: nothing to show
      assert.equal(shown.get(flagOf(key)), want, `crossprobe ${cmd.name} --help shows --${flagOf(key)}'s default`);
    }
    for (const [flag, value] of shown) {
      // giving the shown default explicitly must change nothing in what the parser produces
      assert.deepEqual(cmd.parse(['--' + flag, value]), cmd.parse([]), `crossprobe ${cmd.name} --${flag} ${value}: the shown default is the one the parser uses`);
    }
  }
});

test('help - the collector\'s database default follows the environment, never the working directory', () => {
  assert.equal(helpDefaults('collector').get('db'), '/home/op/.local/state/crossprobe/collector.db');
  const r = spawnSync(process.execPath, [cliPath, 'collector', '--help'], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, STATE_DIRECTORY: '/var/lib/crossprobe' } });
  assert.match(r.stdout, /--db VALUE .*\(default: \/var\/lib\/crossprobe\/collector\.db\)$/m);
});

test('help - known defaults are shown as operators read them', () => {
  const agent = helpDefaults('agent');
  assert.equal(agent.get('concurrency'), '64');
  assert.equal(agent.get('spool-max'), '256MiB');
  assert.equal(agent.get('heartbeat-interval'), '5s');
  assert.equal(agent.has('no-kv'), false, 'a boolean off by default shows no default');
  const collector = helpDefaults('collector');
  assert.equal(collector.get('listen'), '127.0.0.1:8080');
  assert.equal(collector.get('retention-rollups'), '400d');
  assert.equal(helpDefaults('report').get('since'), '24h');
  assert.equal(helpDefaults('dev').get('regions'), 'eu-west,us-east,ap-south');
});
