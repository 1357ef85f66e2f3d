import { after, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closestOption } from '../../common/index.js';
import { defaultDbPath } from '../../collector/config.js';
import { CollectorProcess, type CliRun } from '../helpers/collector-api-process.js';
import { cliPath } from '../helpers/paths.js';
import { NatsServer } from '../helpers/nats-server.js';
import { freePort } from '../helpers/net.js';
import { waitFor } from '../helpers/stream.js';

/** The test runner's own CROSSPROBE_* variables left out: each run says exactly what it is given. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CROSSPROBE_')) env[k] = v;
  return { ...env, ...extra };
}

/** `node dist/cli/main.js ...args` with exactly `env` (no CROSSPROBE_* of the runner's), in `cwd`. */
function run(args: string[], extra: NodeJS.ProcessEnv = {}, cwd = process.cwd()): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { env: cleanEnv(extra), cwd, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

test('closestOption - a prefix or a typo or two away, nothing when far', () => {
  const known = ['nats', 'region', 'id', 'targets', 'target-file', 'spool-dir', 'config'];
  assert.equal(closestOption('--target', ['nats', 'targets', 'config']), 'targets');
  assert.equal(closestOption('--regoin', known), 'region');
  assert.equal(closestOption('--spool-dri', known), 'spool-dir');
  assert.equal(closestOption('--nast', known), 'nats');
  assert.equal(closestOption('--colour', known), null);
  assert.equal(closestOption('--frobnicate', known), null);
  assert.equal(closestOption('-x', known), null);
});

test('usage - an unknown option names the one meant, exit 2', async () => {
  const cases: [string[], string][] = [
    [['agent', '--region', 'eu-west', '--id', 'a', '--target', 't.yaml'], "crossprobe agent: Unknown option '--target'; did you mean --targets? (see --help)\n"],
    [['collector', '--lsiten', '127.0.0.1:0'], "crossprobe collector: Unknown option '--lsiten'; did you mean --listen? (see --help)\n"],
    [['report', '--api', 'http://127.0.0.1:1', '--target', 'shop', '--formt', 'md'], "crossprobe report: Unknown option '--formt'; did you mean --format? (see --help)\n"],
    [['dev', '--sped', '2'], "crossprobe dev: Unknown option '--sped'; did you mean --speed? (see --help)\n"],
    [['agent', '--frobnicate'], "crossprobe agent: Unknown option '--frobnicate' (see --help)\n"],
  ];
  for (const [argv, stderr] of cases) {
    const r = await run(argv);
    assert.equal(r.stderr, stderr, argv.join(' '));
    assert.equal(r.code, 2, argv.join(' '));
  }
});

test('usage - every missing required option at once, exit 2', async () => {
  const cases: [string[], string][] = [
    [['agent'], 'crossprobe agent: region (--region, CROSSPROBE_REGION), id (--id, CROSSPROBE_ID): are required\n'],
    [['agent', '--id', 'a'], 'crossprobe agent: region (--region, CROSSPROBE_REGION): is required\n'],
    [['diagnose'], 'crossprobe diagnose: api (--api, CROSSPROBE_API), target (--target, CROSSPROBE_TARGET): are required\n'],
    [['report', '--since', '1h'], 'crossprobe report: api (--api, CROSSPROBE_API), target (--target, CROSSPROBE_TARGET): are required\n'],
    [['targets', 'add'], 'crossprobe targets: api (--api, CROSSPROBE_API), id (--id), url (--url): are required for "targets add" (or --file instead of --id and --url)\n'],
    [['targets', 'add', '--api', 'http://127.0.0.1:1'], 'crossprobe targets: id (--id), url (--url): are required for "targets add" (or --file instead of --id and --url)\n'],
  ];
  for (const [argv, stderr] of cases) {
    const r = await run(argv);
    assert.equal(r.stderr, stderr, argv.join(' '));
    assert.equal(r.code, 2, argv.join(' '));
  }
});

test('usage - a flag left without its value names the flag and the fix, not the parser\'s "ambiguous"', async () => {
  const followed = await run(['agent', '--nats', '--region', 'x', '--id', 'a']);
  assert.equal(
    followed.stderr,
    'crossprobe agent: --nats needs a value, but the next argument is the option "--region": write --nats VALUE --region … (a value that starts with "-" goes as --nats=-VALUE) (see --help)\n',
  );
  assert.equal(followed.code, 2);
  const last = await run(['collector', '--db']);
  assert.equal(last.stderr, 'crossprobe collector: --db needs a value: --db VALUE (see --help)\n');
  assert.equal(last.code, 2);
});

test('usage - a missing --targets (or targets add --file) file names the flag, exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossprobe-usage-'));
  try {
    const missing = join(dir, 'missing.yaml');
    const r = await run(['agent', '--region', 'eu-west', '--id', 'a', '--nats', 'nats://127.0.0.1:1', '--targets', missing, '--spool-dir', join(dir, 'spool')]);
    assert.equal(r.stderr, `crossprobe agent: targets (--targets, CROSSPROBE_TARGETS): cannot read ${missing}: no such file\n`);
    assert.equal(r.code, 2);
    assert.deepEqual(readdirSync(dir), [], 'nothing created');
    const add = await run(['targets', 'add', '--api', 'http://127.0.0.1:1', '--file', missing]);
    assert.equal(add.stderr, `crossprobe targets: file (--file): cannot read ${missing}: no such file\n`);
    assert.equal(add.code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('collector config - the default database is in the state directory, never the working directory', () => {
  assert.equal(defaultDbPath({ STATE_DIRECTORY: '/var/lib/crossprobe:/var/lib/other', HOME: '/home/op' }), '/var/lib/crossprobe/collector.db');
  assert.equal(defaultDbPath({ XDG_STATE_HOME: '/home/op/.state', HOME: '/home/op' }), '/home/op/.state/crossprobe/collector.db');
  assert.equal(defaultDbPath({ HOME: '/home/op' }), '/home/op/.local/state/crossprobe/collector.db');
  // relative values are ignored (XDG base directory specification), as the agent's spool does
  assert.equal(defaultDbPath({ STATE_DIRECTORY: 'state', XDG_STATE_HOME: 'rel', HOME: '/home/op' }), '/home/op/.local/state/crossprobe/collector.db');
});

describe('crossprobe collector: first start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossprobe-first-start-'));
  const home = join(dir, 'home');
  const cwd = join(dir, 'cwd');
  mkdirSync(home);
  mkdirSync(cwd);
  const started: CollectorProcess[] = [];
  let nats: NatsServer | null = null;
  after(async () => {
    for (const c of started) await c.kill();
    await nats?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('collector - without NATS: exit 1, says how to start one, and creates no file anywhere', async () => {
    const nowhere = await freePort();
    const r = await run(['collector', '--nats', `nats://127.0.0.1:${nowhere}`, '--listen', '127.0.0.1:0'], { HOME: home, STATE_DIRECTORY: '', XDG_STATE_HOME: '' }, cwd);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^crossprobe collector: cannot connect to NATS at nats://127\\.0\\.0\\.1:${nowhere}: CONNECTION_REFUSED\\n`));
    assert.match(r.stderr, /sudo apt-get install nats-server && nats-server -js/);
    assert.match(r.stderr, /crossprobe dev/);
    assert.deepEqual(readdirSync(home), [], 'no state directory created');
    assert.deepEqual(readdirSync(cwd), [], 'nothing in the working directory');
  });

  it('collector - without --db: the database goes to the user\'s state directory', async () => {
    nats = await NatsServer.start();
    const c = CollectorProcess.start(['--nats', nats.url, '--listen', '127.0.0.1:0', '--log-level', 'info'], { HOME: home, STATE_DIRECTORY: '', XDG_STATE_HOME: '', CROSSPROBE_DB: '' });
    started.push(c);
    const open = await waitFor('the database open', () => c.logs.find((l) => l.msg === 'database open'), 30_000);
    const db = join(home, '.local', 'state', 'crossprobe', 'collector.db');
    assert.equal(open.db, db);
    await waitFor('the collector started', () => c.hasLog('collector started'), 30_000);
    assert.ok(existsSync(db));
    assert.equal(await c.stop(), 0, c.stderr);
  });
});
