import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsResolver, probeTarget, type ProbeContext } from '../../agent/probes/index.js';
import { failureFromWire, parseTarget, pb, type ProbeResult } from '../../proto/index.js';
import { startLab, type Lab } from '../../lab/index.js';

// The agent's own probe against the lab: the faults the lab injects must come out as the failure
// codes and provenance the collector reasons with.

const EU = '127.0.1.1';
const US = '127.0.1.2';

describe('lab with agent probes', () => {
  let lab: Lab;

  before(async () => {
    lab = await startLab({ name: 'shop.lab', nodes: 3, https: true, regions: { eu: EU, us: US }, proxyTimeoutMs: 300 });
  });
  after(async () => {
    await lab?.close();
  });
  afterEach(async () => {
    await lab.clearAll();
  });

  const probe = async (region: 'eu' | 'us', url = lab.url): Promise<ProbeResult[]> => {
    const source = lab.sourceOf(region);
    const ctx: ProbeContext = {
      agent: `agent-${region}`,
      region,
      // the resolver leaves from the region's address too, so the lab's DNS answers with the region's view
      resolver: new DnsResolver({ server: lab.dnsAddress, timeoutMs: 300, tries: 1, localAddress: source }),
      sourceAddress: source,
      ca: lab.caPem === null ? null : [lab.caPem],
      bodyCapBytes: 64 * 1024,
      userAgent: 'crossprobe/test',
      ipFamilies: [4],
      allowPrivateTargets: true,
    };
    const target = parseTarget({ id: 'shop', url, timeout: '2s', expect: { bodyContains: 'ok' }, identity: [{ header: 'x-served-by' }] });
    const results = await probeTarget(target, Date.now(), ctx);
    return results.sort((a, b) => (a.ip ?? '').localeCompare(b.ip ?? ''));
  };
  const codes = (results: readonly ProbeResult[]): (string | null)[] => results.map((r) => failureFromWire(r.failure));

  test('probes - healthy: one ok result per node, each naming its node and the region source address', async () => {
    const results = await probe('eu');
    assert.deepEqual(codes(results), [null, null, null]);
    assert.deepEqual(
      results.map((r) => r.headers?.['x-served-by']),
      ['lb-1', 'lb-2', 'lb-3'],
    );
    assert.ok(results.every((r) => r.sourceAddress === EU));
  });

  test('probes - node-502: HTTP_STATUS with nginx provenance on that node only', async () => {
    await lab.inject({ kind: 'node-502', node: 'lb-2' });
    const results = await probe('us');
    assert.deepEqual(codes(results), [null, 'HTTP_STATUS', null]);
    assert.equal(results[1]?.status, 502);
    assert.equal(results[1]?.provenance, pb.Provenance.PROVENANCE_NGINX);
  });

  test('probes - origin-body: BODY_MISMATCH on every node', async () => {
    await lab.inject({ kind: 'origin-body', body: 'maintenance' });
    assert.deepEqual(codes(await probe('eu')), ['BODY_MISMATCH', 'BODY_MISMATCH', 'BODY_MISMATCH']);
  });

  test('probes - cert-expired: TLS_CERT_EXPIRED on that node only', async () => {
    await lab.inject({ kind: 'cert-expired', node: 'lb-3' });
    assert.deepEqual(codes(await probe('eu')), [null, null, 'TLS_CERT_EXPIRED']);
  });

  test('probes - path-reset: a connection failure from that region to that node only', async () => {
    await lab.inject({ kind: 'path-reset', region: 'eu', node: 'lb-1' });
    const eu = codes(await probe('eu'));
    assert.notEqual(eu[0], null);
    assert.match(eu[0] ?? '', /RESET/);
    assert.deepEqual(eu.slice(1), [null, null]);
    assert.deepEqual(codes(await probe('us')), [null, null, null]);
  });

  test("probes - a region's nxdomain: DNS_NXDOMAIN from that region only", async () => {
    await lab.inject({ kind: 'dns', fault: 'nxdomain', region: 'us' });
    assert.deepEqual(codes(await probe('us')), ['DNS_NXDOMAIN']);
    assert.deepEqual(codes(await probe('eu')), [null, null, null]);
  });

  test('probes - geo-dns: each region probes only its nodes', async () => {
    await lab.inject({ kind: 'geo-dns', views: { eu: ['lb-1'], us: ['lb-2', 'lb-3'] } });
    assert.deepEqual(
      (await probe('eu')).map((r) => r.ip),
      ['127.0.0.11'],
    );
    assert.deepEqual(
      (await probe('us')).map((r) => r.ip),
      ['127.0.0.12', '127.0.0.13'],
    );
  });

  test('probes - origin-slow past the proxy timeout: HTTP_STATUS 504 with nginx provenance everywhere', async () => {
    await lab.inject({ kind: 'origin-slow', delayMs: 1500 });
    const results = await probe('eu', lab.httpUrl);
    assert.deepEqual(codes(results), ['HTTP_STATUS', 'HTTP_STATUS', 'HTTP_STATUS']);
    assert.ok(results.every((r) => r.status === 504 && r.provenance === pb.Provenance.PROVENANCE_NGINX));
  });
});
