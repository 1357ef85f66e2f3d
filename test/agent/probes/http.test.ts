import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { pb } from '../../../proto/index.js';
import { DnsResolver, probeTarget } from '../../../agent/probes/index.js';
import { startDnsServer, type DnsServer } from '../../../lab/dns.js';
import { issueCert, makeCa, type TestCa, type TestCert } from '../../../lab/certs.js';
import { failureOf, startHttpServer, testContext, testTarget, type TestHttpServer } from '../../helpers/probe-servers.js';

const ROUND = 1_763_776_000_000;
const MiB = 1024 * 1024;

describe('probe responses', () => {
  let dns: DnsServer;
  let resolver: DnsResolver;
  let ca: TestCa;
  let leaf: TestCert;
  let http: TestHttpServer;
  let https: TestHttpServer;

  const routes = (path: string): { status: number; headers: Record<string, string>; body: Buffer | string } => {
    switch (path) {
      case '/health':
        return { status: 200, headers: { server: 'nginx/1.25', via: '1.1 edge', 'x-cache': 'MISS', 'x-unrelated': 'no' }, body: 'all ok here' };
      case '/bad-gateway':
        return { status: 502, headers: { 'content-type': 'text/html' }, body: '<html><body>upstream down</body></html>' };
      case '/big':
        return { status: 200, headers: {}, body: Buffer.alloc(3 * MiB, 'a') };
      case '/small':
        return { status: 200, headers: {}, body: Buffer.alloc(MiB - 1, 'b') };
      case '/identity':
        return {
          status: 200,
          headers: { 'x-served-by': 'lb-2', 'cf-ray': '8a1b2c3d4e5f6a7b-FRA', 'x-node': 'node-17.eu', 'x-region': 'eu' },
          body: 'ok',
        };
      default:
        return { status: 404, headers: {}, body: 'not found' };
    }
  };

  before(async () => {
    dns = await startDnsServer({ records: { 'shop.test': { A: ['127.0.0.1'] } } });
    resolver = new DnsResolver({ server: dns.address, timeoutMs: 1000 });
    ca = await makeCa();
    leaf = await issueCert(ca, { hosts: ['shop.test', '127.0.0.1'] });
    const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
      const r = routes(new URL(req.url ?? '/', 'http://x').pathname);
      res.writeHead(r.status, r.headers);
      res.end(r.body);
    };
    http = await startHttpServer({ handler });
    https = await startHttpServer({ handler, tls: leaf });
  });
  after(async () => {
    await Promise.all([http?.close(), https?.close(), dns?.close()]);
  });

  test('probe - a good HTTP target is ok with dns, connect, firstByte, download and total, and no tls', async () => {
    const target = testTarget({ url: `http://shop.test:${http.port}/health`, expect: { bodyContains: 'ok' } });
    const results = await probeTarget(target, ROUND, testContext(resolver));
    assert.equal(results.length, 1);
    const r = results[0]!;
    assert.equal(r.ok, true, r.failureDetail ?? '');
    assert.equal(failureOf(r), null);
    assert.equal(r.failureDetail, '');
    assert.equal(r.status, 200);
    assert.equal(r.target, 'probe-test');
    assert.equal(r.url, target.url);
    assert.equal(r.method, 'GET');
    assert.equal(r.agent, 'test-agent');
    assert.equal(r.region, 'test-region');
    assert.equal(r.roundAtMs, ROUND);
    assert.equal(typeof r.startedAtMs, 'number');
    assert.ok(Math.abs(r.startedAtMs! - Date.now()) < 60_000, 'startedAtMs is Unix ms');
    assert.equal(r.ip, '127.0.0.1');
    assert.equal(r.ipFamily, 4);
    assert.equal(r.ipsInRound, 1);
    assert.equal(r.sourceAddress, '127.0.0.1', 'the actual local address of the socket');
    assert.match(r.resultId ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const p = r.phases!;
    for (const phase of ['dns', 'connect', 'firstByte', 'download', 'total'] as const) {
      assert.equal(typeof p[phase], 'number', `${phase} is set`);
      assert.ok(p[phase]! >= 0, `${phase} is not negative`);
    }
    assert.equal(p.tls, undefined, 'no TLS phase over plain HTTP');
    assert.ok(p.total! >= p.dns! + p.connect! + p.firstByte!, 'total covers the phases');
    assert.equal(r.bodyMatch, pb.BodyMatch.BODY_MATCH_MATCHED);
    assert.equal(r.bodyBytes, 'all ok here'.length);
    assert.equal(r.bodyTruncated, false);
    assert.equal(r.provenance, pb.Provenance.PROVENANCE_UNSPECIFIED, 'provenance is only judged for 5xx');
    assert.equal(r.tlsCertNotAfterMs, undefined);
  });

  test('probe - a good HTTPS target is ok with every phase set and the certificate expiry', async () => {
    const target = testTarget({ url: `https://shop.test:${https.port}/health` });
    const [r] = await probeTarget(target, ROUND, testContext(resolver, { ca: [ca.cert] }));
    assert.ok(r);
    assert.equal(r.ok, true, r.failureDetail ?? '');
    assert.equal(r.status, 200);
    for (const phase of ['dns', 'connect', 'tls', 'firstByte', 'download', 'total'] as const) {
      assert.equal(typeof r.phases?.[phase], 'number', `${phase} is set`);
    }
    const notAfter = Date.parse(new X509Certificate(leaf.cert).validTo);
    assert.equal(r.tlsCertNotAfterMs, notAfter);
    assert.equal(r.bodyMatch, pb.BodyMatch.BODY_MATCH_UNSPECIFIED, 'no body check configured');
    const seen = https.requests.at(-1)!;
    assert.equal(seen.servername, 'shop.test', 'SNI is the hostname, not the IP');
    assert.equal(seen.headers.host, `shop.test:${https.port}`);
  });

  test('probe - an IP-literal URL skips DNS: dns is a measured 0', async () => {
    const [r] = await probeTarget(testTarget({ url: `https://127.0.0.1:${https.port}/health` }), ROUND, testContext(resolver, { ca: [ca.cert] }));
    assert.ok(r);
    assert.equal(r.ok, true, r.failureDetail ?? '');
    assert.equal(r.phases?.dns, 0);
    assert.equal(r.ip, '127.0.0.1');
  });

  test('probe - localhost resolves to loopback without asking DNS', async () => {
    const before = dns.queries.get('localhost') ?? 0;
    const results = await probeTarget(testTarget({ url: `http://localhost:${http.port}/health` }), ROUND, testContext(resolver, { ipFamilies: [4] }));
    assert.equal(results.length, 1);
    assert.equal(results[0]!.ok, true, results[0]!.failureDetail ?? '');
    assert.equal(results[0]!.ip, '127.0.0.1');
    assert.equal(results[0]!.phases?.dns, 0);
    assert.equal(dns.queries.get('localhost') ?? 0, before);
  });

  test('probe - a 502 is HTTP_STATUS with its status, and provenance is judged', async () => {
    const [r] = await probeTarget(testTarget({ url: `http://shop.test:${http.port}/bad-gateway` }), ROUND, testContext(resolver));
    assert.ok(r);
    assert.equal(r.ok, false);
    assert.equal(failureOf(r), 'HTTP_STATUS');
    assert.equal(r.status, 502);
    assert.match(r.failureDetail ?? '', /502/);
    assert.notEqual(r.provenance, pb.Provenance.PROVENANCE_UNSPECIFIED);
    assert.equal(typeof r.phases?.download, 'number', 'the error page was read');
  });

  test('probe - a status failure takes precedence over a body mismatch', async () => {
    const [r] = await probeTarget(
      testTarget({ url: `http://shop.test:${http.port}/bad-gateway`, expect: { bodyContains: 'healthy' } }),
      ROUND,
      testContext(resolver),
    );
    assert.ok(r);
    assert.equal(failureOf(r), 'HTTP_STATUS');
    assert.equal(r.bodyMatch, pb.BodyMatch.BODY_MATCH_MISMATCHED);
  });

  test('probe - expect.status widens what counts as ok', async () => {
    const [r] = await probeTarget(testTarget({ url: `http://shop.test:${http.port}/bad-gateway`, expect: { status: [200, 599] } }), ROUND, testContext(resolver));
    assert.ok(r);
    assert.equal(r.ok, true, r.failureDetail ?? '');
    assert.equal(r.status, 502);
  });

  test('probe - a body without the expected substring is BODY_MISMATCH', async () => {
    const [r] = await probeTarget(testTarget({ url: `http://shop.test:${http.port}/health`, expect: { bodyContains: 'healthy' } }), ROUND, testContext(resolver));
    assert.ok(r);
    assert.equal(r.ok, false);
    assert.equal(failureOf(r), 'BODY_MISMATCH');
    assert.equal(r.status, 200);
    assert.equal(r.bodyMatch, pb.BodyMatch.BODY_MATCH_MISMATCHED);
    assert.match(r.failureDetail ?? '', /healthy/);
  });

  test('probe - a 3 MiB body with a 1 MiB cap reads exactly 1 MiB and says truncated', async () => {
    const [r] = await probeTarget(testTarget({ url: `http://shop.test:${http.port}/big` }), ROUND, testContext(resolver, { bodyCapBytes: MiB }));
    assert.ok(r);
    assert.equal(r.ok, true, r.failureDetail ?? '');
    assert.equal(r.bodyBytes, MiB);
    assert.equal(r.bodyTruncated, true);
    assert.equal(typeof r.phases?.download, 'number');
  });

  test('probe - a body just under the cap is read whole and not truncated', async () => {
    const [r] = await probeTarget(testTarget({ url: `http://shop.test:${http.port}/small` }), ROUND, testContext(resolver, { bodyCapBytes: MiB }));
    assert.ok(r);
    assert.equal(r.bodyBytes, MiB - 1);
    assert.equal(r.bodyTruncated, false);
  });

  test('probe - the body check only sees bytes below the cap', async () => {
    // "a" repeats through the body, but only 10 bytes may be read: "aaaaaaaaaaa" (11) cannot match
    const [r] = await probeTarget(
      testTarget({ url: `http://shop.test:${http.port}/big`, expect: { bodyContains: 'aaaaaaaaaaa' } }),
      ROUND,
      testContext(resolver, { bodyCapBytes: 10 }),
    );
    assert.ok(r);
    assert.equal(r.bodyBytes, 10);
    assert.equal(r.bodyTruncated, true);
    assert.equal(failureOf(r), 'BODY_MISMATCH');
  });

  test('probe - the request carries crossprobe-probe-id = resultId, the user agent, target headers and method', async () => {
    const target = testTarget({ url: `http://shop.test:${http.port}/health?x=1`, method: 'POST', headers: { 'X-Team': 'payments' } });
    const [r] = await probeTarget(target, ROUND, testContext(resolver));
    assert.ok(r);
    const seen = http.requests.at(-1)!;
    assert.equal(seen.headers['crossprobe-probe-id'], r.resultId);
    assert.equal(seen.headers['user-agent'], 'crossprobe/test');
    assert.equal(seen.headers['x-team'], 'payments');
    assert.equal(seen.method, 'POST');
    assert.equal(seen.url, '/health?x=1');
    assert.equal(seen.headers.host, `shop.test:${http.port}`);
    assert.equal(r.method, 'POST');
  });

  test('probe - selected response headers are recorded, others are not', async () => {
    const [r] = await probeTarget(testTarget({ url: `http://shop.test:${http.port}/health` }), ROUND, testContext(resolver));
    assert.ok(r);
    assert.deepEqual(r.headers, { server: 'nginx/1.25', via: '1.1 edge', 'x-cache': 'MISS' });
  });

  test('probe - identity rules take the header, or the regex capture, and are absent when missing or unmatched', async () => {
    const target = testTarget({
      url: `http://shop.test:${http.port}/identity`,
      identity: [
        { header: 'X-Served-By' },
        { header: 'cf-ray', pattern: '-(\\w+)$', name: 'pop' },
        { header: 'x-node', pattern: 'node-\\d+', name: 'node' },
        { header: 'x-region', pattern: '^(us)-', name: 'us-region' },
        { header: 'x-missing', name: 'missing' },
      ],
    });
    const [r] = await probeTarget(target, ROUND, testContext(resolver));
    assert.ok(r);
    assert.deepEqual(r.identity, { 'x-served-by': 'lb-2', pop: 'FRA', node: 'node-17' });
    assert.equal(r.headers?.['x-served-by'], 'lb-2');
    assert.equal(r.headers?.['cf-ray'], '8a1b2c3d4e5f6a7b-FRA');
    assert.equal(r.headers?.['x-node'], 'node-17.eu', 'identity headers are recorded too');
  });
});

test('probe - a header value undici refuses is bad configuration: parseTarget refuses it, probeTarget throws', async () => {
  const resolver = new DnsResolver({ server: null });
  assert.throws(() => testTarget({ url: 'http://127.0.0.1:1/', headers: { 'x-bad': 'a\r\nb' } }), { name: 'ConfigError', message: /headers\.x-bad: a header value cannot contain CR, LF or NUL/ });
  // a Target that bypassed validation is a bug: thrown, never turned into a result
  const target = { ...testTarget({ url: 'http://127.0.0.1:1/' }), headers: { 'x-bad': 'a\r\nb' } };
  await assert.rejects(probeTarget(target, ROUND, testContext(resolver)), { code: 'UND_ERR_INVALID_ARG' });
});
