import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsResolver, probeTarget } from '../../../agent/probes/index.js';
import { startDnsServer, type DnsServer } from '../../../lab/dns.js';
import { issueCert, makeCa, type TestCa, type TestCert } from '../../../lab/certs.js';
import { failureOf, startHttpServer, startOnHosts, testContext, testTarget, type TestHttpServer } from '../../helpers/probe-servers.js';

const ROUND = 1_763_776_000_000;
const NODES = ['127.0.0.11', '127.0.0.12', '127.0.0.13'];

describe('probe connections', () => {
  let dns: DnsServer;
  let resolver: DnsResolver;
  let ca: TestCa;
  let cert: TestCert;
  const servers: TestHttpServer[] = [];

  before(async () => {
    dns = await startDnsServer({
      records: {
        'multi.test': { A: NODES },
        'shop.test': { A: ['127.0.0.1'] },
        'dual.test': { A: ['127.0.0.1'], AAAA: ['::1'] },
      },
    });
    resolver = new DnsResolver({ server: dns.address, timeoutMs: 1000 });
    ca = await makeCa();
    cert = await issueCert(ca, { hosts: ['multi.test', 'shop.test', 'dual.test'] });
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await dns?.close();
  });

  const onNodes = async (tls: boolean): Promise<TestHttpServer[]> => {
    const started = await startOnHosts(NODES, (host, port) =>
      startHttpServer({ host, port, ...(tls ? { tls: cert } : {}), handler: (req, res) => res.end(`node ${req.socket.localAddress ?? ''}`) }),
    );
    servers.push(...started);
    return started;
  };

  test('probe - resolveAll probes every A record: one result per IP, same round, each IP once', async () => {
    const nodes = await onNodes(true);
    const port = nodes[0]!.port;
    const results = await probeTarget(testTarget({ url: `https://multi.test:${port}/health` }), ROUND, testContext(resolver, { ca: [ca.cert] }));
    assert.equal(results.length, 3);
    assert.deepEqual(results.map((r) => r.ip).sort(), NODES);
    assert.equal(new Set(results.map((r) => r.resultId)).size, 3, 'each result has its own id');
    for (const r of results) {
      assert.equal(r.ok, true, r.failureDetail ?? '');
      assert.equal(r.ipsInRound, 3);
      assert.equal(r.ipFamily, 4);
      assert.equal(r.roundAtMs, ROUND);
      assert.equal(r.startedAtMs, results[0]!.startedAtMs, 'one probe start for the round');
    }
    for (const [i, node] of nodes.entries()) {
      assert.equal(node.requests.length, 1, `${NODES[i]!} got exactly one request`);
      const seen = node.requests[0]!;
      assert.equal(seen.localAddress, NODES[i]);
      assert.equal(seen.headers.host, `multi.test:${port}`, 'the original Host header');
      assert.equal(seen.servername, 'multi.test', 'TLS SNI is the hostname');
      const r = results.find((x) => x.ip === NODES[i])!;
      assert.equal(seen.headers['crossprobe-probe-id'], r.resultId, 'each IP saw its own result id');
    }
  });

  test('probe - resolveAll over plain HTTP keeps the Host header per IP', async () => {
    const nodes = await onNodes(false);
    const results = await probeTarget(testTarget({ url: `http://multi.test:${nodes[0]!.port}/` }), ROUND, testContext(resolver));
    assert.equal(results.length, 3);
    for (const node of nodes) {
      assert.equal(node.requests.length, 1);
      assert.equal(node.requests[0]!.headers.host, `multi.test:${nodes[0]!.port}`);
      assert.equal(node.requests[0]!.servername, null);
    }
  });

  test('probe - without resolveAll only the first address is probed', async () => {
    const nodes = await onNodes(false);
    const results = await probeTarget(testTarget({ url: `http://multi.test:${nodes[0]!.port}/`, resolveAll: false }), ROUND, testContext(resolver));
    assert.equal(results.length, 1);
    assert.equal(results[0]!.ip, NODES[0]);
    assert.equal(results[0]!.ipsInRound, 1);
    assert.deepEqual(nodes.map((n) => n.requests.length), [1, 0, 0]);
  });

  test('probe - A and AAAA are both probed, each over its family', async () => {
    const [v4, v6] = await startOnHosts(['127.0.0.1', '::1'], (host, port) => startHttpServer({ host, port }));
    servers.push(v4!, v6!);
    const results = await probeTarget(testTarget({ url: `http://dual.test:${v4!.port}/` }), ROUND, testContext(resolver));
    assert.deepEqual(results.map((r) => [r.ip, r.ipFamily, r.ok, r.ipsInRound]), [['127.0.0.1', 4, true, 2], ['::1', 6, true, 2]]);
    assert.equal(v6!.requests[0]?.remoteAddress, '::1');
    assert.equal(v6!.requests[0]?.headers.host, `dual.test:${v4!.port}`);
    const only4 = await probeTarget(testTarget({ url: `http://dual.test:${v4!.port}/` }), ROUND, testContext(resolver, { ipFamilies: [4] }));
    assert.deepEqual(only4.map((r) => r.ip), ['127.0.0.1']);
  });

  test('probe - every probe opens a fresh connection and a full TLS handshake (no reuse, no resumption)', async () => {
    const server = await startHttpServer({ tls: cert });
    servers.push(server);
    const target = testTarget({ url: `https://shop.test:${server.port}/` });
    const ctx = testContext(resolver, { ca: [ca.cert] });
    for (let i = 0; i < 3; i++) {
      const [r] = await probeTarget(target, ROUND, ctx);
      assert.equal(r?.ok, true, r?.failureDetail ?? '');
    }
    assert.equal(server.requests.length, 3);
    assert.equal(server.connections, 3, 'three TCP connections');
    assert.equal(server.handshakes, 3, 'three TLS handshakes');
    assert.deepEqual(server.requests.map((r) => r.connection), [1, 2, 3], 'each request on its own connection');
    assert.deepEqual(server.requests.map((r) => r.sessionReused), [false, false, false], 'no TLS session resumption');
  });

  test('probe - plain HTTP probes do not share a keep-alive connection', async () => {
    const server = await startHttpServer();
    servers.push(server);
    const target = testTarget({ url: `http://shop.test:${server.port}/` });
    await probeTarget(target, ROUND, testContext(resolver));
    await probeTarget(target, ROUND, testContext(resolver));
    assert.equal(server.connections, 2);
    assert.deepEqual(server.requests.map((r) => r.connection), [1, 2]);
  });

  test('probe - sourceAddress binds the connection, and the result says which address it left from', async () => {
    const server = await startHttpServer();
    servers.push(server);
    const [r] = await probeTarget(testTarget({ url: `http://shop.test:${server.port}/` }), ROUND, testContext(resolver, { sourceAddress: '127.0.1.7' }));
    assert.ok(r);
    assert.equal(r.ok, true, r.failureDetail ?? '');
    assert.equal(server.requests[0]?.remoteAddress, '127.0.1.7');
    assert.equal(r.sourceAddress, '127.0.1.7');
  });

  test('probe - sourceAddress is reported even when the connection never opened', async () => {
    const [r] = await probeTarget(testTarget({ url: 'http://127.0.0.1:1/' }), ROUND, testContext(resolver, { sourceAddress: '127.0.1.8' }));
    assert.ok(r);
    assert.equal(failureOf(r), 'CONNECT_REFUSED');
    assert.equal(r.sourceAddress, '127.0.1.8');
  });
});
