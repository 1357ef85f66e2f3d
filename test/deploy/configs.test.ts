import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { parseAgentConfig } from '../../agent/config.js';
import { parseCollectorConfig } from '../../collector/config.js';
import { loadNatsAccess, natsConnectOptions } from '../../proto/nats-options.js';
import { adapt, deployDir, enroll, hubConfig, NatsNode, natsServerBin, usersFileWithInspector, writeTestPki } from '../helpers/nats-deploy.js';
import { freePort } from '../helpers/net.js';

const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const run = (cmd: string, args: string[], opts: { cwd?: string } = {}) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};

describe('deploy - NATS server configs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossprobe-deploy-configs-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('nats configs - hub, hub cluster and leaf pass nats-server -t as shipped, with users of every kind enrolled', async () => {
    // only the paths move (TLS files, includes, store) to a directory holding what /etc/nats would
    await writeTestPki(dir);
    const users = join(dir, 'crossprobe-users.conf');
    copyFileSync(join(deployDir, 'nats', 'crossprobe-users.conf'), users);
    mkdirSync(join(dir, 'keys'));
    await enroll(['--collector', '--out', join(dir, 'keys'), '--users-file', users]);
    await enroll(['--region', 'eu-west', '--id', 'fra-1', '--out', join(dir, 'keys'), '--users-file', users]);
    await enroll(['--leaf', '--region', 'eu-west', '--hub', 'hub-1.example.net:7422,hub-2.example.net:7422', '--out', join(dir, 'keys'), '--users-file', users]);
    copyFileSync(join(dir, 'keys', 'leaf-eu-west-uplink.conf'), join(dir, 'leaf-uplink.conf'));
    await enroll(['--cluster', '--hub', 'hub-1.example.net:6222,hub-2.example.net:6222,hub-3.example.net:6222', '--out', join(dir, 'keys')]);
    copyFileSync(join(dir, 'keys', 'hub-routes.conf'), join(dir, 'hub-routes.conf'));
    for (const name of ['hub.conf', 'hub-cluster.conf', 'leaf.conf']) {
      const text = readFileSync(join(deployDir, 'nats', name), 'utf8');
      const file = join(dir, name);
      writeFileSync(file, adapt(text, [['/etc/nats/', `${dir}/`], ...(name === 'leaf.conf' ? [] : ([['"/var/lib/nats"', JSON.stringify(join(dir, 'store'))]] as [string, string][]))], name));
      const r = run(natsServerBin(), ['-t', '-c', file]);
      assert.deepEqual(r, { code: 0, out: `nats-server: configuration file ${file} is valid\n` }, name);
    }
    // the check can fail: a key nats-server does not know
    const broken = join(dir, 'broken.conf');
    writeFileSync(broken, `${readFileSync(join(dir, 'hub.conf'), 'utf8')}\njetstreem: enabled\n`);
    const r = run(natsServerBin(), ['-t', '-c', broken]);
    assert.equal(r.code, 1);
    assert.match(r.out, /unknown field "jetstreem"/);
  });

  it('make-certs.sh - a CA and a certificate a hub serves TLS with, which agent and collector trust through --nats-ca', { skip: !has('openssl') && 'openssl is not installed' }, async () => {
    const pki = join(dir, 'made');
    const ca = run('sh', [join(deployDir, 'nats', 'make-certs.sh'), pki, 'ca']);
    assert.equal(ca.code, 0, ca.out);
    const cert = run('sh', [join(deployDir, 'nats', 'make-certs.sh'), pki, 'cert', 'server', 'hub-1.example.net', '127.0.0.1']);
    assert.equal(cert.code, 0, cert.out);
    assert.equal(run('sh', [join(deployDir, 'nats', 'make-certs.sh'), pki, 'ca']).out, `make-certs.sh: ${pki}/ca.pem exists; kept\n`, 'the CA is never replaced');
    const verify = run('openssl', ['verify', '-purpose', 'sslclient', '-CAfile', join(pki, 'ca.pem'), join(pki, 'server.pem')]);
    assert.equal(verify.code, 0, `good for the client end too (cluster routes): ${verify.out}`);

    const hubDir = join(dir, 'made-hub');
    mkdirSync(join(hubDir, 'tls'), { recursive: true });
    for (const f of ['ca.pem', 'server.pem', 'server-key.pem']) copyFileSync(join(pki, f), join(hubDir, 'tls', f));
    usersFileWithInspector(hubDir, 'inspector-password');
    const ports = { client: await freePort(), http: await freePort(), leaf: await freePort() };
    const hub = await NatsNode.start(hubDir, 'hub-1', hubConfig('hub', hubDir, 'hub-1', ports), ports);
    try {
      const access = loadNatsAccess({ natsCa: join(pki, 'ca.pem') }, [hub.url]);
      const nc = await connect({ ...natsConnectOptions([hub.url], access), user: 'inspector', pass: 'inspector-password' });
      assert.equal(nc.info?.tls_required, true);
      await nc.close();
      // without the CA, the system's trust store refuses the private CA: TLS is verified
      await assert.rejects(connect({ ...natsConnectOptions([hub.url], loadNatsAccess({}, [hub.url])), user: 'inspector', pass: 'inspector-password', reconnect: false }), /self[- ]signed|unable to (verify|get local issuer)/i);
    } finally {
      await hub.stop();
    }
  });
});

describe('deploy - mutual TLS', () => {
  it('mutual TLS - with the commented lines of hub.conf turned on, a client needs --nats-cert/--nats-key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossprobe-deploy-mtls-'));
    const hubDir = join(dir, 'hub');
    mkdirSync(hubDir);
    const ports = { client: await freePort(), http: await freePort(), leaf: await freePort() };
    let hub: NatsNode | null = null;
    try {
      const { caFile } = await writeTestPki(hubDir);
      usersFileWithInspector(hubDir, 'inspector-password');
      const config = adapt(hubConfig('hub', hubDir, 'hub-1', ports), [[`  # ca_file: "${hubDir}/tls/ca.pem"\n  # verify: true`, `  ca_file: "${hubDir}/tls/ca.pem"\n  verify: true`]], 'hub.conf mutual TLS lines');
      hub = await NatsNode.start(hubDir, 'hub-1', config, ports);
      const login = { user: 'inspector', pass: 'inspector-password', reconnect: false };
      // the test PKI's server certificate is good for client authentication too
      const withCert = loadNatsAccess({ natsCa: caFile, natsCert: join(hubDir, 'tls', 'server.pem'), natsKey: join(hubDir, 'tls', 'server-key.pem') }, [hub.url]);
      const nc = await connect({ ...natsConnectOptions([hub.url], withCert), ...login });
      await nc.flush();
      await nc.close();
      const without = loadNatsAccess({ natsCa: caFile }, [hub.url]);
      await assert.rejects(
        (async () => {
          const c = await connect({ ...natsConnectOptions([hub.url], without), ...login });
          await c.flush(); // the server may only refuse once the handshake is over
          await c.close();
        })(),
      );
    } finally {
      await hub?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deploy - systemd units', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossprobe-deploy-units-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const unit = (name: string) => readFileSync(join(deployDir, 'systemd', name), 'utf8');
  /** The [Service] settings of a unit (a key given twice keeps its last value). */
  const service = (text: string): Map<string, string> => {
    const section = text.split(/^\[Service\]$/m)[1]!.split(/^\[/m)[0]!;
    return new Map(section.split('\n').filter((l) => /^\w+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as [string, string]));
  };

  it('systemd - agent and collector units: restart policy, a dynamic user with a state directory, hardening, stop timeout beyond the agent\'s', () => {
    const agentDefaults = parseAgentConfig(['--region', 'eu-west', '--id', 'a'], {});
    const collectorDefaults = parseCollectorConfig([], { STATE_DIRECTORY: '/var/lib/crossprobe' });
    const want = {
      Restart: 'always',
      RestartSec: '5s',
      KillSignal: 'SIGTERM',
      DynamicUser: 'yes',
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      CapabilityBoundingSet: '',
      RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX AF_NETLINK',
      LoadCredential: 'nats.nkey:/etc/crossprobe/nats.nkey',
      Environment: 'CROSSPROBE_NATS_NKEY=%d/nats.nkey',
    };
    for (const [name, env, state, extra] of [
      ['crossprobe-agent.service', '/etc/crossprobe/agent.env', 'crossprobe-agent', { MemoryMax: '256M' }],
      ['crossprobe-collector.service', '/etc/crossprobe/collector.env', 'crossprobe', {}],
    ] as const) {
      const s = service(unit(name));
      const got = Object.fromEntries(Object.keys({ ...want, ...extra }).map((k) => [k, s.get(k)]));
      assert.deepEqual(got, { ...want, ...extra }, name);
      assert.equal(s.get('EnvironmentFile'), env);
      assert.equal(s.get('StateDirectory'), state);
      assert.equal(s.get('WorkingDirectory'), `/var/lib/${state}`);
      // the state directory is where the binaries put their files by default
      const stop = Number(/^(\d+)s$/.exec(s.get('TimeoutStopSec') ?? '')?.[1]) * 1000;
      if (name === 'crossprobe-agent.service') {
        assert.equal(parseAgentConfig(['--region', 'eu-west', '--id', 'a'], { STATE_DIRECTORY: `/var/lib/${state}` }).spoolDir, `/var/lib/${state}/crossprobe/eu-west/a/spool`);
        // probes get shutdownTimeout to finish, then the sink as long again to publish or spool
        assert.ok(stop > 2 * agentDefaults.shutdownTimeoutMs, `TimeoutStopSec ${stop} ms`);
      } else {
        assert.equal(collectorDefaults.db, '/var/lib/crossprobe/collector.db');
        assert.ok(stop >= 30_000);
      }
    }
  });

  it('systemd - the agent unit runs node with the V8 flags every agent runs with (bin/agent-node-flags)', () => {
    const flags = readFileSync(join(deployDir, '..', 'bin', 'agent-node-flags'), 'utf8').trim();
    assert.equal(service(unit('crossprobe-agent.service')).get('ExecStart'), `/usr/bin/node ${flags} /opt/crossprobe/crossprobe-agent.mjs agent`);
  });

  it('systemd - the agent\'s heap cap and memory queue stay below the unit\'s MemoryMax, with room for what lives outside the heap', () => {
    const s = service(unit('crossprobe-agent.service'));
    const heapMiB = Number(/--max-old-space-size=(\d+)\b/.exec(s.get('ExecStart') ?? '')?.[1]);
    const memoryMaxMiB = Number(/^(\d+)M$/.exec(s.get('MemoryMax') ?? '')?.[1]);
    assert.ok(heapMiB > 0 && memoryMaxMiB > 0, `ExecStart ${s.get('ExecStart')}, MemoryMax ${s.get('MemoryMax')}`);
    const queueMiB = parseAgentConfig(['--region', 'eu-west', '--id', 'a'], {}).spoolMemoryMaxBytes / 1024 / 1024;
    // outside the V8 heap: node and V8 themselves, compiled code, undici's WebAssembly, socket buffers
    // (an idle agent with these flags: RSS 65 MiB, of which heapTotal 14 MiB), plus a margin
    const nonHeapMiB = 56;
    assert.ok(heapMiB + queueMiB + nonHeapMiB <= memoryMaxMiB, `heap ${heapMiB} MiB + memory queue ${queueMiB} MiB + ${nonHeapMiB} MiB > MemoryMax ${memoryMaxMiB} MiB`);
    assert.ok(queueMiB <= heapMiB / 4, 'the memory queue default passes the agent\'s own check against its heap');
  });

  it('systemd - install-agent.sh installs exactly deploy/systemd/crossprobe-agent.service', () => {
    const script = readFileSync(join(deployDir, 'install-agent.sh'), 'utf8');
    const embedded = /cat >"\$TMP\/unit" <<'UNIT'\n([\s\S]*?)\nUNIT\n/.exec(script)?.[1];
    assert.equal(`${embedded}\n`, unit('crossprobe-agent.service'));
  });

  it('systemd - systemd-analyze verify finds nothing to say, and the exposure score stays low', { skip: !has('systemd-analyze') && 'systemd-analyze is not installed' }, () => {
    const units = join(dir, 'units');
    mkdirSync(units);
    for (const name of ['crossprobe-agent.service', 'crossprobe-collector.service']) copyFileSync(join(deployDir, 'systemd', name), join(units, name));
    // a drop-in is checked merged into Debian's nats-server.service (ExecStart= reset, then set)
    const base = existsSync('/lib/systemd/system/nats-server.service') ? readFileSync('/lib/systemd/system/nats-server.service', 'utf8') : '[Unit]\nDescription=NATS Server\n\n[Service]\nExecStart=/usr/sbin/nats-server\n\n[Install]\nWantedBy=multi-user.target\n';
    for (const role of ['hub', 'leaf']) {
      const dropIn = readFileSync(join(deployDir, 'systemd', `nats-server-${role}.conf`), 'utf8');
      writeFileSync(join(units, `nats-server-${role}.service`), `${base}\n${dropIn.replace('[Service]', '')}`.replace(/\n\[Install\][\s\S]*?(?=\n\[|$)/, '') + '\n[Install]\nWantedBy=multi-user.target\n');
      assert.match(dropIn, new RegExp(`^ExecStart=/usr/sbin/nats-server -c /etc/nats/${role}.conf$`, 'm'));
    }
    for (const name of ['crossprobe-agent.service', 'crossprobe-collector.service', 'nats-server-hub.service', 'nats-server-leaf.service']) {
      const r = run('systemd-analyze', ['verify', name], { cwd: units });
      assert.deepEqual(r, { code: 0, out: '' }, name);
    }
    // the check can fail: an unknown directive is reported
    writeFileSync(join(units, 'typo.service'), unit('crossprobe-agent.service').replace('ProtectSystem=strict', 'ProtectSytem=strict'));
    assert.match(run('systemd-analyze', ['verify', 'typo.service'], { cwd: units }).out, /Unknown key 'ProtectSytem'/);

    for (const name of ['crossprobe-agent.service', 'crossprobe-collector.service']) {
      const r = run('systemd-analyze', ['security', '--offline=true', name], { cwd: units });
      if (r.code !== 0 && /unrecognized option|offline/i.test(r.out)) return; // systemd < 250: no offline scoring
      const score = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(r.out)?.[1]);
      assert.ok(score <= 2.0, `${name}: exposure ${score}\n${r.out.slice(-400)}`);
    }
  });
});

describe('deploy - env examples', () => {
  it('env - the example files parse as the binaries\' configuration', () => {
    const parse = (file: string): NodeJS.ProcessEnv =>
      Object.fromEntries(
        readFileSync(join(deployDir, 'env', file), 'utf8')
          .split('\n')
          .filter((l) => /^[A-Z_]+=/.test(l))
          .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
    const agentEnv = parse('agent.env.example');
    // the CA file is where the install script puts it, absent here: the rest must parse as given
    {
      const a = parseAgentConfig([], { ...agentEnv, CROSSPROBE_NATS_CA: undefined });
      assert.deepEqual({ nats: a.nats, region: a.region, id: a.id, tls: a.natsAccess?.tlsRequired }, { nats: ['tls://hub-1.example.net:4222'], region: 'eu-west', id: 'fra-1', tls: true });
      assert.equal(agentEnv.CROSSPROBE_NATS_CA, '/etc/crossprobe/nats-ca.pem');
      const c = parseCollectorConfig([], { ...parse('collector.env.example'), CROSSPROBE_NATS_CA: undefined, STATE_DIRECTORY: '/var/lib/crossprobe' });
      assert.deepEqual({ nats: c.nats, listen: c.listen, tls: c.natsAccess?.tlsRequired, token: c.apiToken }, { nats: ['tls://hub-1.example.net:4222'], listen: { host: '127.0.0.1', port: 8080 }, tls: true, token: null });
    }
  });
});
