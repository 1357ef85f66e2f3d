import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { ensureResultsStream, ensureTargetsBucket, TARGETS_BUCKET } from '../../proto/index.js';
import { agentInboxPrefix, loadNatsAccess, natsConnectOptions } from '../../proto/nats-options.js';
import { adapt, connectInspector, deployDir, enroll, hubConfig, NatsNode, usersFileWithInspector, writeRoutesFile, writeTestPki, type NodePorts } from '../helpers/nats-deploy.js';
import { freePort } from '../helpers/net.js';
import { waitFor } from '../helpers/stream.js';

const INSPECTOR = 'inspector-password-for-tests-only';
const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** A PKI as README's "Deploy" makes it with make-certs.sh: the CA, the hub's certificate and a leaf node's. */
function makePki(dir: string): void {
  const certs = join(dir, 'made');
  for (const args of [['ca'], ['cert', 'server', '127.0.0.1'], ['cert', 'leaf-eu-west', '127.0.0.1']]) {
    const r = spawnSync('sh', [join(deployDir, 'nats', 'make-certs.sh'), certs, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
  mkdirSync(join(dir, 'tls'));
  for (const f of ['ca.pem', 'server.pem', 'server-key.pem', 'leaf-eu-west.pem', 'leaf-eu-west-key.pem']) copyFileSync(join(certs, f), join(dir, 'tls', f));
}

/** Number of routes a node holds now (its /routez). */
async function routes(node: NatsNode): Promise<number> {
  const r = await fetch(`http://127.0.0.1:${node.ports.http}/routez`);
  return ((await r.json()) as { num_routes: number }).num_routes;
}

describe('deploy - hub cluster routes', { skip: !has('openssl') && 'openssl is not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossprobe-deploy-routes-'));
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const hubs: NatsNode[] = [];

  before(async () => {
    makePki(dir);
    usersFileWithInspector(dir, INSPECTOR);
    const ports: NodePorts[] = [];
    for (let i = 0; i < 2; i++) ports.push({ client: await freePort(), http: await freePort(), leaf: await freePort(), cluster: await freePort() });
    // the route secret and URLs, as the operator makes them, the same file on every node
    await writeRoutesFile(dir, ports.map((p) => p.cluster!));
    const started = await Promise.all(ports.map((p, i) => NatsNode.start(dir, `hub-${i + 1}`, hubConfig('hub-cluster', dir, `hub-${i + 1}`, p), p)));
    hubs.push(...started);
    cleanups.push(() => Promise.all(hubs.map((n) => n.stop())));
  });

  after(async () => {
    for (const c of cleanups.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  it('routes - the hub nodes of the shipped hub-cluster.conf join each other with the secret enroll --cluster wrote', async () => {
    await waitFor('both hub nodes routed to each other', async () => (await routes(hubs[0]!)) === 1 && (await routes(hubs[1]!)) === 1, 30_000);
    const secret = readFileSync(join(dir, 'hub-routes.conf'), 'utf8');
    assert.match(secret, /^CROSSPROBE_ROUTE_PASSWORD: "[A-Za-z0-9_-]{43}"$/m);
    assert.match(secret, /^CROSSPROBE_ROUTES: \[ "nats-route:\/\/crossprobe-route:[A-Za-z0-9_-]{43}@127\.0\.0\.1:\d+", "nats-route:\/\/crossprobe-route:/m);
  });

  // a leaf VPS taken over holds a certificate of the same CA (serverAuth + clientAuth, from make-certs.sh)
  for (const [name, credentials] of [
    ['with no route credentials', ''],
    ['with a wrong route password', 'crossprobe-route:not-the-secret@'],
  ] as const) {
    it(`routes - a server with a leaf node's certificate of the CA, ${name}, is refused as a route`, async () => {
      const hub = hubs[0]!;
      const ports = { client: await freePort(), http: await freePort(), cluster: await freePort() };
      const rogueConfig = [
        `server_name: rogue-${ports.cluster}`,
        `listen: 127.0.0.1:${ports.client}`,
        `http: 127.0.0.1:${ports.http}`,
        'cluster {',
        '  name: crossprobe-hub',
        `  listen: 127.0.0.1:${ports.cluster}`,
        `  tls { cert_file: "${dir}/tls/leaf-eu-west.pem", key_file: "${dir}/tls/leaf-eu-west-key.pem", ca_file: "${dir}/tls/ca.pem", verify: true, timeout: 5 }`,
        `  routes: [ "nats-route://${credentials}127.0.0.1:${hub.ports.cluster}" ]`,
        '}',
        '',
      ].join('\n');
      await waitFor('both hub nodes routed to each other', async () => (await routes(hub)) === 1, 30_000);
      const rogue = await NatsNode.start(dir, `rogue-${ports.cluster}`, rogueConfig, ports);
      cleanups.push(() => rogue.stop());
      try {
        // the TLS handshake passes (a certificate of the CA): the route secret is what refuses it
        await waitFor('the rogue route refused', () => /Route Error 'Authorization Violation'/.test(rogue.log), 30_000);
        assert.equal(await routes(rogue), 0, 'the rogue holds no route');
        assert.equal(await routes(hub), 1, 'the hub node holds its one real route only');
        assert.match(hub.log, /authentication error/);
      } finally {
        await rogue.stop();
      }
    });
  }
});

describe('deploy - JetStream account limits', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossprobe-deploy-limits-'));
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  let caFile = '';
  let seedFile = '';

  before(async () => {
    ({ caFile } = await writeTestPki(dir));
    const users = usersFileWithInspector(dir, INSPECTOR);
    mkdirSync(join(dir, 'keys'));
    await enroll(['--region', 'eu-west', '--id', 'a', '--out', join(dir, 'keys'), '--users-file', users]);
    seedFile = join(dir, 'keys', 'eu-west-a.nkey');
  });

  after(async () => {
    for (const c of cleanups.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A hub of the shipped hub.conf, `edits` applied; the targets bucket created; an inspector connection. */
  async function hub(name: string, edits: [string, string][] = []): Promise<{ node: NatsNode; inspector: NatsConnection }> {
    const ports = { client: await freePort(), http: await freePort(), leaf: await freePort() };
    const node = await NatsNode.start(dir, name, adapt(hubConfig('hub', dir, name, ports), edits, 'hub.conf'), ports);
    cleanups.push(() => node.stop());
    const inspector = await connectInspector(node.url, caFile, INSPECTOR);
    cleanups.push(() => inspector.close());
    await ensureResultsStream(await inspector.jetstreamManager());
    await ensureTargetsBucket(inspector);
    return { node, inspector };
  }

  it('limits - a hub of the shipped hub.conf loads the CROSSPROBE account\'s JetStream limits', async () => {
    const { inspector } = await hub('hub-limits');
    const info = await (await inspector.jetstreamManager()).getAccountInfo();
    assert.deepEqual(
      { max_memory: info.limits.max_memory, max_storage: info.limits.max_storage, max_streams: info.limits.max_streams, max_consumers: info.limits.max_consumers },
      { max_memory: 64 * 1024 ** 2, max_storage: 20 * 1024 ** 3, max_streams: 10, max_consumers: 1000 },
    );
    assert.equal(info.streams, 2, 'the results stream and the targets bucket');
  });

  it('limits - an agent cannot create consumers on the targets bucket past max_consumers', async () => {
    // the shipped limit, lowered to 2 so that reaching it takes 2 consumers rather than 1000
    const { node } = await hub('hub-few', [['max_consumers: 1000', 'max_consumers: 2']]);
    const access = loadNatsAccess({ natsCa: caFile, natsNkey: seedFile }, [node.url]);
    const inbox = agentInboxPrefix('eu-west', 'a');
    const agent = await connect({ ...natsConnectOptions([node.url], access), inboxPrefix: inbox });
    cleanups.push(() => agent.close());
    const stream = `KV_${TARGETS_BUCKET}`;
    // what the agent's targets watch asks for (an ordered push consumer), through the subject its permissions allow
    const create = async (i: number): Promise<{ name?: string; error?: { err_code: number; description: string } }> => {
      const config = { deliver_subject: `${inbox}.watch-${i}`, filter_subject: `$KV.${TARGETS_BUCKET}.>`, ack_policy: 'none', deliver_policy: 'last_per_subject', mem_storage: true, inactive_threshold: 60_000_000_000 };
      const reply = await agent.request(`$JS.API.CONSUMER.CREATE.${stream}`, new TextEncoder().encode(JSON.stringify({ stream_name: stream, config })), { timeout: 5_000 });
      return JSON.parse(new TextDecoder().decode(reply.data)) as { name?: string; error?: { err_code: number; description: string } };
    };
    const first = await create(1);
    assert.equal(first.error, undefined, JSON.stringify(first));
    const second = await create(2);
    assert.equal(second.error, undefined, JSON.stringify(second));
    const third = await create(3);
    assert.deepEqual(third.error, { code: 400, err_code: 10026, description: 'maximum consumers limit reached' });
    assert.doesNotMatch(node.log, /Violation/, 'refused by the limit, not by a permission');
  });
});
