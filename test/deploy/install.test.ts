import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { parse as parseYaml } from 'yaml';
import { ensureResultsStream, ensureTargetsBucket, parseTarget, targetToWire } from '../../proto/index.js';
import { connectInspector, deployDir, enroll, hubConfig, NatsNode, usersFileWithInspector, writeTestPki } from '../helpers/nats-deploy.js';
import { freePort } from '../helpers/net.js';
import { repoRoot } from '../helpers/paths.js';
import { RecordingServer } from '../helpers/recording-server.js';
import { readResults, waitFor } from '../helpers/stream.js';

const script = join(deployDir, 'install-agent.sh');
const unitText = readFileSync(join(deployDir, 'systemd', 'crossprobe-agent.service'), 'utf8');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `cmd` to completion without blocking this process (its own servers must keep answering). */
function runAsync(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    p.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs install-agent.sh with `args` (Node.js: this test's own unless NODE says otherwise). */
function install(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync('sh', [script, ...args], { encoding: 'utf8', env: { ...process.env, NODE: process.execPath, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const mode = (file: string): number => statSync(file).mode & 0o777;
const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('deploy - install-agent.sh and cloud-init', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossprobe-deploy-install-'));
  const keys = join(dir, 'keys');
  const bundle = join(dir, 'crossprobe-agent.mjs');
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  let caFile = '';
  let seedFile = '';

  before(async () => {
    mkdirSync(keys);
    ({ caFile } = await writeTestPki(dir));
    // the bundle as scripts/build-agent.mjs makes it, into this test's own directory
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    await build({
      entryPoints: [join(repoRoot, 'cli', 'agent-bundle.ts')],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      define: { __CROSSPROBE_VERSION__: JSON.stringify(version) },
      banner: { js: "import { createRequire as __cpCreateRequire } from 'node:module'; const require = __cpCreateRequire(import.meta.url);" },
      logLevel: 'warning',
    });
    const users = usersFileWithInspector(dir, 'inspector-password');
    await enroll(['--region', 'eu-west', '--id', 'a', '--out', keys, '--users-file', users]);
    // the agent deploy/cloud-init/agent.yaml sets up
    await enroll(['--region', 'eu-west', '--id', 'fra-1', '--out', keys, '--users-file', users]);
    seedFile = join(keys, 'eu-west-a.nkey');
  });

  after(async () => {
    for (const c of cleanups.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('install - a dry run into a root directory installs the bundle, the seed (0600), the CA, the settings and the unit', () => {
    const root = join(dir, 'root-1');
    const r = install(['--root', root, '--no-systemd', '--bundle', bundle, '--sha256', sha256(bundle), '--nats', 'tls://hub-1.example.net:4222', '--region', 'eu-west', '--id', 'a', '--nkey-file', seedFile, '--ca-file', caFile, '--control', 'https://www.example.org/']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^install-agent\.sh: Node\.js \d+\.\d+\.\d+ at /);
    const etc = join(root, 'etc', 'crossprobe');
    assert.deepEqual(readFileSync(join(root, 'opt', 'crossprobe', 'crossprobe-agent.mjs')), readFileSync(bundle));
    assert.equal(mode(join(root, 'opt', 'crossprobe', 'crossprobe-agent.mjs')), 0o644);
    assert.equal(readFileSync(join(etc, 'nats.nkey'), 'utf8'), readFileSync(seedFile, 'utf8'));
    assert.equal(mode(join(etc, 'nats.nkey')), 0o600);
    assert.equal(readFileSync(join(etc, 'nats-ca.pem'), 'utf8'), readFileSync(caFile, 'utf8'));
    assert.equal(readFileSync(join(etc, 'agent.env'), 'utf8').split('\n').filter((l) => !l.startsWith('#')).join('\n'), [
      'CROSSPROBE_NATS=tls://hub-1.example.net:4222',
      'CROSSPROBE_REGION=eu-west',
      'CROSSPROBE_ID=a',
      'CROSSPROBE_NATS_CA=/etc/crossprobe/nats-ca.pem',
      'CROSSPROBE_CONTROL=https://www.example.org/',
      '',
    ].join('\n'));
    assert.equal(readFileSync(join(root, 'etc', 'systemd', 'system', 'crossprobe-agent.service'), 'utf8'), unitText);
    assert.match(r.stdout, /skipped systemctl \(--no-systemd\)/);
  });

  it('install - running it again updates what it manages, keeps the seed it has and the lines the operator added', () => {
    const root = join(dir, 'root-1');
    const env = join(root, 'etc', 'crossprobe', 'agent.env');
    writeFileSync(env, `${readFileSync(env, 'utf8')}CROSSPROBE_LOG_LEVEL=debug\n`);
    const seedBefore = readFileSync(join(root, 'etc', 'crossprobe', 'nats.nkey'), 'utf8');
    const r = install(['--root', root, '--no-systemd', '--bundle', bundle, '--sha256', sha256(bundle), '--nats', 'tls://hub-2.example.net:4222', '--region', 'eu-west', '--id', 'a']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(env, 'utf8').split('\n').filter((l) => !l.startsWith('#')).join('\n'), [
      'CROSSPROBE_NATS=tls://hub-2.example.net:4222',
      'CROSSPROBE_REGION=eu-west',
      'CROSSPROBE_ID=a',
      'CROSSPROBE_NATS_CA=/etc/crossprobe/nats-ca.pem',
      'CROSSPROBE_CONTROL=https://www.example.org/',
      'CROSSPROBE_LOG_LEVEL=debug',
      '',
    ].join('\n'));
    assert.equal(readFileSync(join(root, 'etc', 'crossprobe', 'nats.nkey'), 'utf8'), seedBefore);
    assert.equal(mode(join(root, 'etc', 'crossprobe', 'nats.nkey')), 0o600);
  });

  it('install - refuses what it cannot install, saying why: usage (exit 2), a file that is no seed, no seed at all, a wrong SHA-256, an old Node.js, no bundle', () => {
    const root = join(dir, 'root-2');
    const base = ['--root', root, '--no-systemd', '--bundle', bundle, '--sha256', sha256(bundle), '--nats', 'tls://hub-1.example.net:4222', '--region', 'eu-west', '--id', 'a'];
    const oldNode = join(dir, 'old-node');
    writeFileSync(oldNode, '#!/bin/sh\necho v18.19.0\n');
    chmodSync(oldNode, 0o755);
    const notABundle = join(dir, 'not-a-bundle.mjs');
    writeFileSync(notABundle, 'process.exit(3)\n');
    const cases: [string[], NodeJS.ProcessEnv, number, RegExp][] = [
      [[], {}, 2, /^install-agent\.sh: --bundle is required\nUsage: install-agent\.sh /],
      [[...base, '--region', 'EU'], {}, 2, /^install-agent\.sh: --region "EU" must be 1-63 characters of a-z, 0-9 and -\n/],
      [[...base, '--frobnicate'], {}, 2, /^install-agent\.sh: unknown option --frobnicate\n/],
      [[...base, '--nkey-file', caFile], {}, 1, new RegExp(`^install-agent\\.sh: ${caFile} holds no NATS user nkey seed`)],
      [base, {}, 1, /^install-agent\.sh: --nkey-file is needed on the first install \(crossprobe enroll --region eu-west --id a writes it\)\n$/],
      [[...base, '--nkey-file', seedFile, '--sha256', '0'.repeat(64)], {}, 1, new RegExp(`^install-agent\\.sh: the bundle's SHA-256 is ${sha256(bundle)}, not 0{64}: not installing it\\n$`)],
      [[...base, '--nkey-file', seedFile], { NODE: oldNode }, 1, new RegExp(`^install-agent\\.sh: Node\\.js >= 20\\.18 is needed at ${oldNode} \\(found: 18\\.19\\.0\\)`)],
      [[...base.map((a) => (a === bundle ? notABundle : a === sha256(bundle) ? sha256(notABundle) : a)), '--nkey-file', seedFile], {}, 1, /is not a crossprobe agent bundle/],
    ];
    for (const [args, env, code, stderr] of cases) {
      const r = install(args, env);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, stderr);
    }
    assert.throws(() => statSync(join(root, 'etc', 'crossprobe', 'nats.nkey')), /ENOENT/, 'nothing secret left behind by a refused run');
  });

  it('install - the bundle\'s SHA-256 is required and checked before any of it runs; plain http:// is refused', () => {
    const root = join(dir, 'root-3');
    const rest = ['--nats', 'tls://hub-1.example.net:4222', '--region', 'eu-west', '--id', 'a', '--nkey-file', seedFile];
    // a bundle that leaves a mark when it runs (the installer runs a bundle to ask its version)
    const marker = join(dir, 'bundle-ran');
    const marking = join(dir, 'marking.mjs');
    writeFileSync(marking, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nconsole.log('0.0.0');\n`);
    const cases: [string[], number, RegExp][] = [
      [['--bundle', bundle, ...rest], 2, /^install-agent\.sh: --sha256 is required: the bundle's SHA-256 \(sha256sum crossprobe-agent\.mjs where you built it\), checked before any of it runs\nUsage: /],
      [['--bundle', bundle, '--sha256', 'abc', ...rest], 2, /^install-agent\.sh: --sha256 "abc" must be 64 hexadecimal digits \(the first word sha256sum prints\)\n/],
      [['--bundle', 'http://downloads.example.net/crossprobe-agent.mjs', '--sha256', sha256(bundle), ...rest], 2, /^install-agent\.sh: --bundle http:\/\/downloads\.example\.net\/crossprobe-agent\.mjs is plain HTTP, which anyone on the way can alter: serve it over https:\/\/, or copy the file here and give its path\n/],
      [['--bundle', 'ftp://downloads.example.net/crossprobe-agent.mjs', '--sha256', sha256(bundle), ...rest], 2, /^install-agent\.sh: --bundle ftp:\/\/downloads\.example\.net\/crossprobe-agent\.mjs: only https:\/\/ URLs and local files are accepted\n/],
      [['--bundle', marking, '--sha256', sha256(bundle), ...rest], 1, new RegExp(`^install-agent\\.sh: the bundle's SHA-256 is ${sha256(marking)}, not ${sha256(bundle)}: not installing it\\n$`)],
    ];
    for (const [args, code, stderr] of cases) {
      const r = install(['--root', root, '--no-systemd', ...args]);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, stderr);
    }
    assert.throws(() => statSync(marker), /ENOENT/, 'a bundle whose hash does not match never runs');
    assert.throws(() => statSync(join(root, 'opt')), /ENOENT/, 'nothing installed');
    // an upper-case hash is the same hash; with it, the same bundle runs (the mark is left) and installs
    const r = install(['--root', root, '--no-systemd', '--bundle', marking, '--sha256', sha256(marking).toUpperCase(), ...rest]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(marker, 'utf8'), 'ran');
    assert.deepEqual(readFileSync(join(root, 'opt', 'crossprobe', 'crossprobe-agent.mjs')), readFileSync(marking));
  });

  it('cloud-init - its commands, run against a local download server, install an agent that starts as its unit starts it and delivers to a TLS hub', async () => {
    const doc = readFileSync(join(deployDir, 'cloud-init', 'agent.yaml'), 'utf8');
    assert.equal(doc.split('\n')[0], '#cloud-config');
    const ci = parseYaml(doc) as { packages: string[]; write_files: { path: string; permissions: string; content: string }[]; runcmd: string[][] };
    assert.deepEqual(ci.packages, ['ca-certificates', 'curl']);
    assert.deepEqual(ci.write_files.map((f) => [f.path, f.permissions]), [['/etc/crossprobe/nats.nkey', '0600'], ['/etc/crossprobe/nats-ca.pem', '0644']]);

    // the downloads the operator serves (over HTTPS, with a certificate of this test's CA, which curl
    // trusts through CURL_CA_BUNDLE), the hub, the target
    const files: Record<string, Buffer> = {
      '/crossprobe/install-agent.sh': readFileSync(script),
      '/crossprobe/crossprobe-agent.mjs': readFileSync(bundle),
    };
    const downloads: Server = createHttpsServer(
      { cert: readFileSync(join(dir, 'tls', 'server.pem')), key: readFileSync(join(dir, 'tls', 'server-key.pem')) },
      (req, res) => {
        const body = files[req.url ?? ''];
        res.writeHead(body ? 200 : 404).end(body ?? 'not found');
      },
    );
    await new Promise<void>((resolve) => downloads.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => downloads.close(resolve)));
    const base = `https://127.0.0.1:${(downloads.address() as AddressInfo).port}`;
    const ports = { client: await freePort(), http: await freePort(), leaf: await freePort() };
    const hub = await NatsNode.start(dir, 'hub-1', hubConfig('hub', dir, 'hub-1', ports), ports);
    cleanups.push(() => hub.stop());
    const web = await RecordingServer.start('127.0.0.1');
    cleanups.push(() => web.close());

    // the VPS: write_files with the operator's values, then runcmd, under a root directory
    assert.equal(ci.runcmd.length, 1, 'one command: cloud-init would run a second one even after the first failed');
    const run = ci.runcmd[0]!;
    assert.deepEqual(run.slice(0, 2), ['sh', '-ec']);
    assert.match(run[2]!, /sha256sum -c -/);
    assert.deepEqual([run[run.indexOf('--region') + 1], run[run.indexOf('--id') + 1]], ['eu-west', 'fra-1']);
    const vps = (name: string): string => {
      const root = join(dir, name);
      const values: Record<string, string> = { '/etc/crossprobe/nats.nkey': readFileSync(join(keys, 'eu-west-fra-1.nkey'), 'utf8'), '/etc/crossprobe/nats-ca.pem': readFileSync(caFile, 'utf8') };
      for (const f of ci.write_files) {
        assert.match(f.content, /REPLACE/, `${f.path} says what to fill in`);
        mkdirSync(join(root, 'etc', 'crossprobe'), { recursive: true });
        writeFileSync(join(root, f.path), values[f.path]!, { mode: Number.parseInt(f.permissions, 8) });
      }
      mkdirSync(join(root, 'root'));
      return root;
    };
    const runcmd = (root: string, values: { base: string; installerSha256: string }): Promise<Run> => {
      const fill = (arg: string): string =>
        arg
          .replace('https://REPLACE-downloads.example.net', values.base)
          .replace('REPLACE-WITH-THE-INSTALLER-SHA256', values.installerSha256)
          .replace('REPLACE-WITH-THE-BUNDLE-SHA256', sha256(bundle))
          .replace('tls://hub-1.example.net:4222', hub.url)
          .replace('https://www.example.org/', web.url('/control'))
          .replace(/^\/(root|etc)\//, `${root}/$1/`);
      return runAsync(run[0]!, [...run.slice(1).map(fill), '--root', root, '--no-systemd'], { ...process.env, NODE: process.execPath, CURL_CA_BUNDLE: caFile });
    };

    // an installer that is not the one whose hash the operator pinned never runs, nor does anything after it
    const refusedRoot = vps('vps-refused');
    const refused = await runcmd(refusedRoot, { base, installerSha256: '0'.repeat(64) });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stdout + refused.stderr, /install-agent\.sh: FAILED/);
    // the installer as an attacker who took the download server would serve it
    files['/crossprobe/install-agent.sh'] = Buffer.from(`touch ${JSON.stringify(join(dir, 'tampered-ran'))}\n${readFileSync(script, 'utf8')}`);
    const tampered = await runcmd(refusedRoot, { base, installerSha256: sha256(script) });
    files['/crossprobe/install-agent.sh'] = readFileSync(script);
    assert.notEqual(tampered.code, 0);
    assert.match(tampered.stdout + tampered.stderr, /install-agent\.sh: FAILED/);
    assert.throws(() => statSync(join(dir, 'tampered-ran')), /ENOENT/, 'the tampered installer did not run');
    assert.throws(() => statSync(join(refusedRoot, 'opt')), /ENOENT/, 'nothing installed');
    // nor is anything fetched over plain HTTP
    const plain = await runcmd(refusedRoot, { base: base.replace('https:', 'http:'), installerSha256: sha256(script) });
    assert.notEqual(plain.code, 0);
    assert.match(plain.stderr, /Protocol "?http"? (not supported|disabled)/i);

    const root = vps('vps');
    const r = await runcmd(root, { base, installerSha256: sha256(script) });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /install-agent\.sh: OK/);

    // the target reaches the agent through the KV bucket (the collector's job, done here by hand)
    const inspector = await connectInspector(hub.url, caFile, 'inspector-password');
    cleanups.push(() => inspector.close());
    await ensureResultsStream(await inspector.jetstreamManager());
    const kv = await ensureTargetsBucket(inspector);
    await kv.put('web', targetToWire(parseTarget({ id: 'web', url: web.url('/web'), interval: '250ms', timeout: '250ms' })));

    // started as the unit starts it: its ExecStart, its EnvironmentFile, its credential, its state directory
    const execStart = /^ExecStart=(.*)$/m.exec(unitText)![1]!.split(' ');
    assert.equal(execStart[0], '/usr/bin/node');
    const envFile = join(root, 'etc', 'crossprobe', 'agent.env');
    // lines of the operator's own: the control URL is probed every 15s by default, and this test's
    // target is on loopback, which an agent refuses to probe unless allowed
    writeFileSync(envFile, `${readFileSync(envFile, 'utf8')}CROSSPROBE_CONTROL_INTERVAL=500ms\nCROSSPROBE_ALLOW_PRIVATE_TARGETS=true\n`);
    const env: NodeJS.ProcessEnv = {};
    for (const line of readFileSync(envFile, 'utf8').split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line);
      if (m) env[m[1]!] = m[2]!.replace(/^\/etc\//, `${root}/etc/`);
    }
    const state = join(root, 'var', 'lib', 'crossprobe-agent');
    mkdirSync(state, { recursive: true });
    const agent = spawn(process.execPath, execStart.slice(1).map((a) => a.replace(/^\/opt\//, `${root}/opt/`)), {
      cwd: state,
      env: { PATH: process.env.PATH, ...env, CROSSPROBE_NATS_NKEY: join(root, 'etc', 'crossprobe', 'nats.nkey'), STATE_DIRECTORY: state },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let logs = '';
    agent.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    agent.stdout!.on('data', (d: Buffer) => (logs = (logs + d.toString()).slice(-8_000)));
    const exited = new Promise<number | null>((resolve) => agent.once('exit', resolve));
    cleanups.push(() => agent.kill('SIGKILL'));
    const results = await waitFor('3 results of the installed agent in the stream', async () => {
      const rs = (await readResults(inspector)).filter((x) => x.agent === 'fra-1' && x.region === 'eu-west' && x.target === 'web');
      return rs.length >= 3 && web.requests.some((x) => x.url === '/control') ? rs : null;
    }, 30_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${logs}\n${stderr}`);
    });
    agent.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    assert.ok(results.every((x) => x.ok));
    assert.ok(web.requests.some((x) => x.url === '/control'), 'its control URL, from the settings, is probed');
    assert.ok(statSync(join(state, 'crossprobe', 'eu-west', 'fra-1', 'spool')).isDirectory(), 'its spool lives in the state directory, keyed by region and id');
    assert.doesNotMatch(hub.log, /Violation/);
  });
});
