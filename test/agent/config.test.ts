import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAgentConfig } from '../../agent/config.js';
import { loadTargetsFile } from '../../agent/targets/file.js';
import { cliPath } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'crossprobe-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const base = ['--region', 'eu-west', '--id', 'fra-1'];

test('agent config - defaults, flags, environment and config file merge in that order', () => {
  const cfgFile = file('agent.yaml', 'region: us-east\nid: nyc-1\nconcurrency: 8\nheartbeatInterval: 2s\n');
  const c = parseAgentConfig(['--config', cfgFile, '--id', 'nyc-2', '--control', 'https://a.example/', '--control', 'http://b.example/x'], {
    CROSSPROBE_CONCURRENCY: '16',
  });
  assert.equal(c.region, 'us-east'); // file
  assert.equal(c.id, 'nyc-2'); // flag beats file
  assert.equal(c.concurrency, 16); // env beats file
  assert.equal(c.heartbeatIntervalMs, 2_000);
  assert.deepEqual(c.controls, ['https://a.example/', 'http://b.example/x']);
  assert.deepEqual(c.nats, ['nats://127.0.0.1:4222']);
  assert.equal(c.bodyCapBytes, 1024 * 1024);
  assert.equal(c.spoolMaxBytes, 256 * 1024 * 1024);
  assert.deepEqual(c.ipFamilies, [4, 6]);
  assert.equal(c.kv, true);
  assert.ok(Object.isFrozen(c));
  const off = parseAgentConfig([...base, '--no-kv', '--no-ipv6', '--spool-max', '10MB'], {});
  assert.equal(off.kv, false);
  assert.deepEqual(off.ipFamilies, [4]);
  assert.equal(off.spoolMaxBytes, 10_000_000);
});

test('agent config - errors name the key in every spelling', () => {
  const cases: [string[], NodeJS.ProcessEnv, string][] = [
    [['--id', 'fra-1'], {}, 'region (--region, CROSSPROBE_REGION): is required'],
    [['--region', 'EU West', '--id', 'a'], {}, 'region (--region, CROSSPROBE_REGION): must be 1–63 characters of a–z, 0–9 and "-" (got "EU West")'],
    [[...base, '--heartbeat-interval', '5 seconds'], {}, 'heartbeatInterval (--heartbeat-interval, CROSSPROBE_HEARTBEAT_INTERVAL): must be a duration such as 500ms, 30s, 15m or 1h (got "5 seconds")'],
    [[...base, '--control', 'ftp://x'], {}, 'control[0] (--control, CROSSPROBE_CONTROL): must be an http:// or https:// URL (got "ftp://x")'],
    [[...base, '--source-address', 'eth0'], {}, 'sourceAddress (--source-address, CROSSPROBE_SOURCE_ADDRESS): must be an IP address (got "eth0")'],
    [[...base], { CROSSPROBE_CONCURRENCY: 'lots' }, 'concurrency (CROSSPROBE_CONCURRENCY): must be a whole number (got "lots")'],
    [[...base, '--nats', 'http://x'], {}, 'nats (--nats, CROSSPROBE_NATS): "http://x" is not a NATS URL; expected e.g. nats://127.0.0.1:4222'],
  ];
  for (const [argv, env, message] of cases) assert.throws(() => parseAgentConfig(argv, env), { name: 'ConfigError', message });
  assert.throws(() => parseAgentConfig([...base, '--frobnicate'], {}), { name: 'ConfigError', message: /Unknown option '--frobnicate'/ });
  const bad = file('bad.yaml', 'region: eu-west\nid: a\nspool: /tmp\n');
  assert.throws(() => parseAgentConfig(['--config', bad], {}), { message: /config file .*bad\.yaml: unknown key "spool" \(known keys: nats, region, id,/ });
});

test('targets file - YAML and JSON, defaults applied', () => {
  const y = loadTargetsFile(file('t.yaml', 'targets:\n  - id: shop\n    url: https://shop.example.com/health\n    expect: { bodyContains: ok }\n    identity:\n      - { header: X-Served-By }\n'));
  assert.equal(y.length, 1);
  assert.deepEqual({ ...y[0]! }, {
    id: 'shop', url: 'https://shop.example.com/health', method: 'GET', intervalMs: 60_000, timeoutMs: 10_000,
    expectStatus: [200, 399], bodyContains: 'ok', resolveAll: true, regions: [],
    identity: [{ header: 'x-served-by', pattern: null, name: 'x-served-by' }], headers: {},
  });
  const j = loadTargetsFile(file('t.json', JSON.stringify({ targets: [{ id: 'a', url: 'http://127.0.0.1:8080/', interval: '5s', regions: ['eu-west'] }] })));
  assert.equal(j[0]!.intervalMs, 5_000);
  assert.equal(j[0]!.timeoutMs, 5_000, 'the timeout defaults to at most the interval');
});

test('targets file - every mistake names the target and field', () => {
  const cases: [string, RegExp][] = [
    ['targets:\n  - id: a\n    url: http://x/\n    intervall: 5s\n', /t\.yaml: targets\[0\]\.intervall: unknown key \(known keys: id, url, method, interval/],
    ['targets:\n  - id: a\n    url: not a url\n', /targets\[0\]\.url: not a valid URL \(got "not a url"\)/],
    ['targets:\n  - id: a\n    url: ftp://x/\n', /targets\[0\]\.url: must be an http:\/\/ or https:\/\/ URL/],
    ['targets:\n  - id: a\n    url: http://x/\n  - id: b\n    url: http://x/\n    interval: 1 minute\n', /targets\[1\]\.interval: must be a duration such as 500ms, 30s, 15m or 1h \(got "1 minute"\)/],
    ['targets:\n  - id: a\n    url: http://x/\n    interval: 10s\n    timeout: 30s\n', /targets\[0\]\.timeout: must not exceed interval \(10s\); got 30s/],
    ['targets:\n  - id: a\n    url: http://x/\n    interval: 30d\n', /t\.yaml: targets\[0\]\.interval: must be at most 24h \(got "30d"\)$/],
    ['targets:\n  - id: a\n    url: http://x/\n    headers: { Upgrade: h2c }\n', /targets\[0\]\.headers\.Upgrade: a probe is a plain request, not a protocol upgrade \(undici refuses this header\); remove it$/],
    ['targets:\n  - id: Shop\n    url: http://x/\n', /targets\[0\]\.id: must be 1–63 characters of a–z, 0–9 and "-" \(got "Shop"\)/],
    ['targets:\n  - id: a\n    url: http://x/\n    regions: [EU]\n', /targets\[0\]\.regions\[0\]: must be 1–63 characters/],
    ['targets:\n  - id: a\n    url: http://x/\n    expect: { status: [500, 200] }\n', /targets\[0\]\.expect\.status: min 500 is above max 200/],
    ['targets:\n  - id: a\n    url: http://x/\n    identity: [{ header: x-a, pattern: "(" }]\n', /targets\[0\]\.identity\[0\]\.pattern: not a regular expression RE2 accepts \(no backreferences or lookaround: patterns must run in linear time\): error parsing regexp: missing closing \): `\(`$/],
    ['targets:\n  - id: a\n    url: http://x/\n  - id: a\n    url: http://y/\n', /targets\[1\]\.id: "a" is used by an earlier target/],
    ['target:\n  - id: a\n', /t\.yaml: unknown key "target" \(known keys: targets\)/],
    ['targets:\n  - id: a\n    url: http://x/\n    headers: { x-a: "one\\r\\ntwo" }\n', /targets\[0\]\.headers\.x-a: a header value cannot contain CR, LF or NUL/],
    ['targets:\n  - id: a\n    url: http://x/\n    headers: { Host: other }\n', /targets\[0\]\.headers\.Host: set by crossprobe itself \(the URL's host\); remove it$/],
  ];
  for (const [text, message] of cases) assert.throws(() => loadTargetsFile(file('t.yaml', text)), { name: 'ConfigError', message });
});

test('agent command - bad configuration exits non-zero with a message naming the key', () => {
  const targets = file('bad-targets.yaml', 'targets:\n  - id: a\n    url: http://127.0.0.1/\n    interval: soon\n');
  const runs: [string[], RegExp][] = [
    [['--region', 'Bad_Region', '--id', 'a'], /^crossprobe agent: region \(--region, CROSSPROBE_REGION\): must be 1–63 characters/],
    [[...base, '--targets', targets], /^crossprobe agent: .*bad-targets\.yaml: targets\[0\]\.interval: must be a duration/],
    [[...base, '--control', 'nope'], /^crossprobe agent: control\[0\] \(--control, CROSSPROBE_CONTROL\): must be an http/],
    [[...base, '--no-such-flag'], /^crossprobe agent: Unknown option '--no-such-flag'/],
    [['--config', file('c.yaml', 'region: a\nid: b\nbogus: 1\n')], /^crossprobe agent: config file .*c\.yaml: unknown key "bogus"/],
  ];
  for (const [argv, message] of runs) {
    const r = spawnSync(process.execPath, [cliPath, 'agent', ...argv], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, CROSSPROBE_NATS: 'nats://127.0.0.1:1' } });
    assert.equal(r.status, 2, `exit code for ${argv.join(' ')}: stderr ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});

test('agent config - private targets are refused unless --allow-private-targets; DNS fan-out capped by --max-ips-per-round; timers at most 24h', () => {
  const d = parseAgentConfig([...base], {});
  assert.equal(d.allowPrivateTargets, false);
  assert.equal(d.maxIpsPerRound, 16);
  const c = parseAgentConfig([...base, '--allow-private-targets', '--max-ips-per-round', '4'], {});
  assert.equal(c.allowPrivateTargets, true);
  assert.equal(c.maxIpsPerRound, 4);
  assert.equal(parseAgentConfig([...base], { CROSSPROBE_ALLOW_PRIVATE_TARGETS: 'true' }).allowPrivateTargets, true);
  assert.throws(() => parseAgentConfig([...base, '--heartbeat-interval', '30d'], {}), {
    message: 'heartbeatInterval (--heartbeat-interval, CROSSPROBE_HEARTBEAT_INTERVAL): must be at most 24h (got "30d")',
  });
  assert.throws(() => parseAgentConfig([...base, '--shutdown-timeout', `${'9'.repeat(309)}d`], {}), {
    message: `shutdownTimeout (--shutdown-timeout, CROSSPROBE_SHUTDOWN_TIMEOUT): must be at most 3650d (got "${'9'.repeat(309)}d")`,
  });
  assert.throws(() => parseAgentConfig([...base, '--max-ips-per-round', '0'], {}), {
    message: 'maxIpsPerRound (--max-ips-per-round, CROSSPROBE_MAX_IPS_PER_ROUND): must be a whole number from 1 to 256 (got 0)',
  });
});

test('agent config - the spool defaults to the agent\'s own state directory keyed by region and id, never the working directory', () => {
  const spoolOf = (env: NodeJS.ProcessEnv) => parseAgentConfig(base, env).spoolDir;
  assert.equal(spoolOf({ STATE_DIRECTORY: '/var/lib/crossprobe-agent:/var/lib/other' }), '/var/lib/crossprobe-agent/crossprobe/eu-west/fra-1/spool');
  assert.equal(spoolOf({ XDG_STATE_HOME: '/home/op/.state', HOME: '/home/op' }), '/home/op/.state/crossprobe/eu-west/fra-1/spool');
  assert.equal(spoolOf({ HOME: '/home/op' }), '/home/op/.local/state/crossprobe/eu-west/fra-1/spool');
  // relative values are invalid (XDG base directory specification): ignored
  assert.equal(spoolOf({ STATE_DIRECTORY: 'state', XDG_STATE_HOME: 'rel', HOME: '/home/op' }), '/home/op/.local/state/crossprobe/eu-west/fra-1/spool');
  assert.equal(parseAgentConfig([...base, '--spool-dir', '/srv/spool'], {}).spoolDir, '/srv/spool');
  assert.equal(parseAgentConfig(base, {}).spoolMemoryMaxBytes, 32 * 1024 * 1024);
  assert.equal(parseAgentConfig([...base, '--spool-memory-max', '8MiB'], {}).spoolMemoryMaxBytes, 8 * 1024 * 1024);
});

test('agent config - a relative spool directory is refused in every spelling, naming the default', () => {
  const message = 'spoolDir (--spool-dir, CROSSPROBE_SPOOL_DIR): must be an absolute path (got ".crossprobe/spool"); a relative one would depend on the directory the agent starts in. Give an absolute path, or leave it out for /home/op/.local/state/crossprobe/eu-west/fra-1/spool';
  assert.throws(() => parseAgentConfig([...base, '--spool-dir', '.crossprobe/spool'], { HOME: '/home/op' }), { name: 'ConfigError', message });
  assert.throws(() => parseAgentConfig(base, { HOME: '/home/op', CROSSPROBE_SPOOL_DIR: '.crossprobe/spool' }), { name: 'ConfigError', message });
  const cfg = file('relative-spool.yaml', 'spoolDir: .crossprobe/spool\n');
  assert.throws(() => parseAgentConfig([...base, '--config', cfg], { HOME: '/home/op' }), { name: 'ConfigError', message });
});

test('agent config - a memory queue beyond a quarter of the heap is refused, naming the limit', () => {
  assert.throws(() => parseAgentConfig([...base, '--spool-memory-max', '100GiB'], {}), {
    name: 'ConfigError',
    message: /^spoolMemoryMax \(--spool-memory-max, CROSSPROBE_SPOOL_MEMORY_MAX\): must be above 0 and at most a quarter of this agent's heap limit, \d+MiB \(got "100GiB"\); lower it, or raise node's --max-old-space-size$/,
  });
  assert.throws(() => parseAgentConfig([...base, '--spool-memory-max', '0'], {}), { name: 'ConfigError', message: /^spoolMemoryMax .*\(got "0"\)/ });
});

test('agent command - --help shows the spool directory\'s real default', () => {
  const r = spawnSync(process.execPath, [cliPath, 'agent', '--help'], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, STATE_DIRECTORY: '', XDG_STATE_HOME: '/srv/state' } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /--spool-dir VALUE\s+CROSSPROBE_SPOOL_DIR\s+where unpublished results wait on disk, locked by this agent \(absolute path; default \/srv\/state\/crossprobe\/<region>\/<id>\/spool\)/);
  assert.match(r.stdout, /--spool-memory-max VALUE\s+CROSSPROBE_SPOOL_MEMORY_MAX\s+bound of the memory queue/);
});
