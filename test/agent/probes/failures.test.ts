import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import { pb, type FailureCode, type ProbeResult } from '../../../proto/index.js';
import { DnsResolver, probeTarget, type ProbeContext } from '../../../agent/probes/index.js';
import { startDnsServer, type DnsServer } from '../../../lab/dns.js';
import { issueCert, makeCa, type TestCa } from '../../../lab/certs.js';
import {
  failureOf, freePort, startHttpServer, startTcpServer, testContext, testTarget,
  type TestHttpServer, type TestTcpServer,
} from '../../helpers/probe-servers.js';

const ROUND = 1_763_776_000_000;
const DAY = 24 * 60 * 60 * 1000;

/** Probes once and checks the one result failed with `code`, as a result (never a throw). */
async function probeFails(url: string, ctx: ProbeContext, code: FailureCode, spec: Record<string, unknown> = {}): Promise<ProbeResult> {
  const results = await probeTarget(testTarget({ url, timeout: '800ms', ...spec }), ROUND, ctx);
  assert.equal(results.length, 1);
  const r = results[0]!;
  assert.equal(r.ok, false);
  assert.equal(failureOf(r), code, `got ${failureOf(r) ?? 'ok'}: ${r.failureDetail ?? ''}`);
  assert.ok((r.failureDetail ?? '').length > 0, 'a human-readable detail');
  assert.equal(typeof r.phases?.total, 'number', 'total is always measured');
  return r;
}

/** A raw server that reads the request and then does `then` with the socket. */
function afterRequest(then: (socket: Socket) => void): (socket: Socket) => void {
  return (socket) => socket.once('data', () => then(socket));
}

describe('probe failures', () => {
  let dns: DnsServer;
  let resolver: DnsResolver;
  let ca: TestCa;
  const servers: { close(): Promise<void> }[] = [];
  const serve = async <T extends TestHttpServer | TestTcpServer>(s: Promise<T>): Promise<T> => {
    const started = await s;
    servers.push(started);
    return started;
  };

  before(async () => {
    dns = await startDnsServer({ records: { 'shop.test': { A: ['127.0.0.1'] }, 'slow.test': { A: ['127.0.0.1'] }, 'broken.test': { A: ['127.0.0.1'] } } });
    dns.setFault('slow.test', 'timeout');
    dns.setFault('broken.test', 'servfail');
    resolver = new DnsResolver({ server: dns.address, timeoutMs: 500 });
    ca = await makeCa();
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await dns?.close();
  });

  test('probe - an unknown name is DNS_NXDOMAIN, with one result and no IP', async () => {
    const r = await probeFails('http://nope.test/', testContext(resolver), 'DNS_NXDOMAIN');
    assert.equal(r.ip, '');
    assert.equal(r.ipFamily, 0);
    assert.equal(r.ipsInRound, 0);
    assert.equal(r.status, undefined);
    assert.equal(r.phases?.dns, undefined, 'a failed lookup is not a completed phase');
    assert.equal(r.provenance, pb.Provenance.PROVENANCE_UNSPECIFIED);
    assert.match(r.resultId ?? '', /^[0-9a-f-]{36}$/);
  });

  test('probe - a SERVFAIL answer is DNS_SERVFAIL', async () => {
    await probeFails('http://broken.test/', testContext(resolver), 'DNS_SERVFAIL');
  });

  test('probe - a DNS server that never answers is DNS_TIMEOUT within the target timeout', async () => {
    const r = await probeFails('http://slow.test/', testContext(resolver), 'DNS_TIMEOUT');
    assert.equal(r.phases?.connect, undefined);
  });

  test('probe - a closed port is CONNECT_REFUSED', async () => {
    const port = await freePort();
    const r = await probeFails(`http://shop.test:${port}/`, testContext(resolver), 'CONNECT_REFUSED');
    assert.equal(r.ip, '127.0.0.1');
    assert.equal(typeof r.phases?.dns, 'number');
    assert.equal(r.phases?.connect, undefined);
    assert.equal(r.status, undefined);
  });

  test('probe - an expired certificate is TLS_CERT_EXPIRED, and its expiry is still recorded', async () => {
    const expired = await issueCert(ca, { hosts: ['shop.test'], notBefore: new Date(Date.now() - 10 * DAY), notAfter: new Date(Date.now() - DAY) });
    const server = await serve(startHttpServer({ tls: expired }));
    const r = await probeFails(`https://shop.test:${server.port}/`, testContext(resolver, { ca: [ca.cert] }), 'TLS_CERT_EXPIRED');
    assert.equal(r.tlsCertNotAfterMs, Date.parse(new X509Certificate(expired.cert).validTo));
    assert.equal(typeof r.phases?.connect, 'number');
    assert.equal(r.phases?.tls, undefined, 'a rejected handshake is not a completed phase');
    assert.equal(server.requests.length, 0, 'no request went over the rejected connection');
  });

  test('probe - a certificate for another host is TLS_CERT_INVALID', async () => {
    const wrongHost = await issueCert(ca, { hosts: ['other.test'] });
    const server = await serve(startHttpServer({ tls: wrongHost }));
    const r = await probeFails(`https://shop.test:${server.port}/`, testContext(resolver, { ca: [ca.cert] }), 'TLS_CERT_INVALID');
    assert.match(r.failureDetail ?? '', /shop\.test/);
    assert.equal(typeof r.tlsCertNotAfterMs, 'number');
    assert.equal(server.requests.length, 0, 'no request went over the rejected connection');
  });

  test('probe - a certificate from a CA the agent does not trust is TLS_CERT_INVALID', async () => {
    const good = await issueCert(ca, { hosts: ['shop.test'] });
    const server = await serve(startHttpServer({ tls: good }));
    await probeFails(`https://shop.test:${server.port}/`, testContext(resolver, { ca: null }), 'TLS_CERT_INVALID');
  });

  test('probe - a server speaking plain text on an https URL is TLS_HANDSHAKE', async () => {
    const server = await serve(startTcpServer({ onSocket: (s) => s.once('data', () => s.write('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')) }));
    const r = await probeFails(`https://shop.test:${server.port}/`, testContext(resolver, { ca: [ca.cert] }), 'TLS_HANDSHAKE');
    assert.equal(typeof r.phases?.connect, 'number');
    assert.equal(r.phases?.tls, undefined);
  });

  test('probe - a server that accepts and never answers is HEADERS_TIMEOUT', async () => {
    const server = await serve(startTcpServer({ onSocket: () => undefined }));
    const r = await probeFails(`http://shop.test:${server.port}/`, testContext(resolver), 'HEADERS_TIMEOUT');
    assert.equal(typeof r.phases?.connect, 'number');
    assert.equal(r.phases?.firstByte, undefined);
    assert.equal(r.status, undefined);
  });

  test('probe - a TLS server that never answers the request is HEADERS_TIMEOUT, after a completed tls phase', async () => {
    const cert = await issueCert(ca, { hosts: ['shop.test'] });
    const server = await serve(startTcpServer({ tls: cert, onSocket: () => undefined }));
    const r = await probeFails(`https://shop.test:${server.port}/`, testContext(resolver, { ca: [ca.cert] }), 'HEADERS_TIMEOUT');
    assert.equal(typeof r.phases?.tls, 'number');
  });

  test('probe - headers then a stalled body is BODY_TIMEOUT, with the status kept', async () => {
    const server = await serve(
      startTcpServer({ onSocket: afterRequest((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nServer: stall\r\n\r\npartial')) }),
    );
    const r = await probeFails(`http://shop.test:${server.port}/`, testContext(resolver), 'BODY_TIMEOUT');
    assert.equal(r.status, 200);
    assert.equal(r.headers?.server, 'stall');
    assert.equal(r.bodyBytes, 'partial'.length);
    assert.equal(typeof r.phases?.firstByte, 'number');
    assert.equal(r.phases?.download, undefined);
  });

  test('probe - a reset in the middle of the body is RESET_MID_BODY', async () => {
    const server = await serve(
      startTcpServer({
        onSocket: afterRequest((s) => {
          s.write('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n' + 'x'.repeat(1000));
          // let the client take the headers off the socket before the RST discards what is unread
          setTimeout(() => s.resetAndDestroy(), 150);
        }),
      }),
    );
    const r = await probeFails(`http://shop.test:${server.port}/`, testContext(resolver), 'RESET_MID_BODY', { timeout: '3s' });
    assert.equal(r.status, 200);
    assert.equal(r.bodyBytes, 1000);
  });

  test('probe - a reset before any response is CONNECT_RESET', async () => {
    const server = await serve(startTcpServer({ onSocket: afterRequest((s) => s.resetAndDestroy()) }));
    const r = await probeFails(`http://shop.test:${server.port}/`, testContext(resolver), 'CONNECT_RESET', { timeout: '3s' });
    assert.equal(r.status, undefined);
    assert.equal(r.sourceAddress, '127.0.0.1');
  });

  test('probe - shutdown while waiting for headers returns a result with HEADERS_TIMEOUT, not a throw', async () => {
    const controller = new AbortController();
    const server = await serve(startTcpServer({ onSocket: afterRequest(() => controller.abort()) }));
    const r = await probeFails(`http://shop.test:${server.port}/`, testContext(resolver, { signal: controller.signal }), 'HEADERS_TIMEOUT', { timeout: '10s' });
    assert.match(r.failureDetail ?? '', /shutdown/);
  });

  test('probe - shutdown while reading the body returns BODY_TIMEOUT with the status', async () => {
    const controller = new AbortController();
    const server = await serve(
      startTcpServer({
        onSocket: afterRequest((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', () => setTimeout(() => controller.abort(), 200))),
      }),
    );
    const r = await probeFails(`http://shop.test:${server.port}/`, testContext(resolver, { signal: controller.signal }), 'BODY_TIMEOUT', { timeout: '10s' });
    assert.equal(r.status, 200);
  });

  test('probe - an already aborted signal fails in DNS without asking the network', async () => {
    const controller = new AbortController();
    controller.abort();
    await probeFails('http://shop.test/', testContext(resolver, { signal: controller.signal }), 'DNS_TIMEOUT');
  });
});
