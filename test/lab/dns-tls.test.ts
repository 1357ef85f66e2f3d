import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { Agent, request } from 'undici';
import { DnsResolver } from '../../agent/probes/dns.js';
import { Iptables } from '../../lab/netfault.js';
import { startLab, type Lab } from '../../lab/index.js';

const EU = '127.0.1.1';
const US = '127.0.1.2';
const AP = '127.0.1.3';

/** What the lab's DNS answers for its name, asked from `source` (as the agent's resolver does). */
async function resolveFrom(lab: Lab, source: string | null, families: readonly (4 | 6)[] = [4]): Promise<string[] | string> {
  const resolver = new DnsResolver({ server: lab.dnsAddress, timeoutMs: 300, tries: 1, localAddress: source });
  try {
    const res = await resolver.resolve(lab.name, { families, timeoutMs: 1000 });
    return res.addresses.map((a) => a.ip);
  } catch (err) {
    return String((err as { code?: unknown }).code);
  }
}

describe('lab DNS', () => {
  let lab: Lab;

  before(async () => {
    lab = await startLab({ name: 'shop.lab', nodes: 3, regions: { eu: EU, us: US, ap: AP } });
  });
  after(async () => {
    await lab?.close();
  });
  afterEach(async () => {
    await lab.clearAll();
  });

  test('dns - the name resolves to one A record per node, and no AAAA by default', async () => {
    assert.deepEqual(await resolveFrom(lab, null), ['127.0.0.11', '127.0.0.12', '127.0.0.13']);
    assert.deepEqual(await resolveFrom(lab, EU), ['127.0.0.11', '127.0.0.12', '127.0.0.13']);
    assert.equal(await resolveFrom(lab, null, [6]), 'ENODATA');
  });

  test('dns - nxdomain and servfail for everyone, until cleared', async () => {
    const nx = await lab.inject({ kind: 'dns', fault: 'nxdomain' });
    assert.equal(await resolveFrom(lab, null), 'ENOTFOUND');
    assert.equal(await resolveFrom(lab, US), 'ENOTFOUND');
    await lab.clear(nx);
    await lab.inject({ kind: 'dns', fault: 'servfail' });
    assert.equal(await resolveFrom(lab, EU), 'ESERVFAIL');
    await lab.clearAll();
    assert.equal((await resolveFrom(lab, EU)).length, 3);
  });

  test('dns - timeout: the server stays silent', async () => {
    await lab.inject({ kind: 'dns', fault: 'timeout' });
    assert.equal(await resolveFrom(lab, null), 'ETIMEOUT');
  });

  test("dns - a region's own nxdomain: queries from its source address fail, other regions resolve", async () => {
    await lab.inject({ kind: 'dns', fault: 'nxdomain', region: 'eu' });
    assert.equal(await resolveFrom(lab, EU), 'ENOTFOUND');
    assert.deepEqual(await resolveFrom(lab, US), ['127.0.0.11', '127.0.0.12', '127.0.0.13']);
    assert.deepEqual(await resolveFrom(lab, null), ['127.0.0.11', '127.0.0.12', '127.0.0.13']);
  });

  test('geo-dns - each listed region resolves to its nodes only; regions not listed get every node', async () => {
    await lab.inject({ kind: 'geo-dns', views: { eu: ['lb-1'], us: ['lb-2', 'lb-3'] } });
    assert.deepEqual(await resolveFrom(lab, EU), ['127.0.0.11']);
    assert.deepEqual(await resolveFrom(lab, US), ['127.0.0.12', '127.0.0.13']);
    assert.deepEqual(await resolveFrom(lab, AP), ['127.0.0.11', '127.0.0.12', '127.0.0.13']);
    await lab.clearAll();
    assert.deepEqual(await resolveFrom(lab, EU), ['127.0.0.11', '127.0.0.12', '127.0.0.13']);
  });

  test("geo-dns - a region's nxdomain wins over its geo view, and the view returns when the nxdomain is cleared", async () => {
    await lab.inject({ kind: 'geo-dns', views: { eu: ['lb-3'] } });
    const nx = await lab.inject({ kind: 'dns', fault: 'nxdomain', region: 'eu' });
    assert.equal(await resolveFrom(lab, EU), 'ENOTFOUND');
    await lab.clear(nx);
    assert.deepEqual(await resolveFrom(lab, EU), ['127.0.0.13']);
  });

  test('dns - a scheduled DNS fault is switched on at its window', async () => {
    await lab.inject({ kind: 'dns', fault: 'nxdomain', schedule: { from: 300, to: 60_000 } });
    assert.equal((await resolveFrom(lab, null)).length, 3);
    await new Promise((r) => setTimeout(r, 450));
    assert.equal(await resolveFrom(lab, null), 'ENOTFOUND');
  });

  test("dns - a region's own timeout needs kernel mode here", async () => {
    await assert.rejects(lab.inject({ kind: 'dns', fault: 'timeout', region: 'eu' }), {
      code: 'LAB_UNSUPPORTED',
      message: "fault dns: a region's own timeout needs netMode 'kernel' (iptables drops its queries) or per-client faults in lab/dns.ts",
    });
  });
});

describe('lab DNS (kernel)', async () => {
  const why = await Iptables.unavailable();
  test("dns - a region's own timeout: iptables drops its queries, other regions resolve", { skip: why === null ? false : why }, async () => {
    const lab = await startLab({ name: 'shop.lab', nodes: 1, regions: { eu: EU, us: US }, netMode: 'kernel' });
    try {
      await lab.inject({ kind: 'dns', fault: 'timeout', region: 'eu' });
      assert.equal(await resolveFrom(lab, EU), 'ETIMEOUT');
      assert.deepEqual(await resolveFrom(lab, US), ['127.0.0.11']);
    } finally {
      await lab.close();
    }
  });
});

describe('lab ipv6', () => {
  test('ipv6 - AAAA ::1 is answered and served by the first node', async () => {
    const lab = await startLab({ name: 'shop.lab', nodes: 2, ipv6: true });
    const dispatcher = new Agent();
    try {
      assert.deepEqual(await resolveFrom(lab, null, [4, 6]), ['127.0.0.11', '127.0.0.12', '::1']);
      assert.deepEqual(lab.nodes[0], { name: 'lb-1', ip: '127.0.0.11', ipv6: '::1' });
      const res = await request(`http://[::1]:${lab.httpPort}/health`, { headers: { host: lab.name }, dispatcher });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['x-served-by'], 'lb-1');
      await res.body.text();
    } finally {
      await dispatcher.destroy();
      await lab.close();
    }
  });
});

/** The certificate a node presents, not verified. */
async function peerCertificate(lab: Lab, node: string): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: lab.node(node).ip, port: lab.httpsPort ?? 0, servername: lab.name, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate());
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

describe('lab https', () => {
  let lab: Lab;

  before(async () => {
    lab = await startLab({ name: 'shop.lab', nodes: 2, https: true });
  });
  after(async () => {
    await lab?.close();
  });

  const getHttps = async (node: string): Promise<number | string> => {
    const dispatcher = new Agent({ connect: { ca: lab.caPem ?? '', servername: lab.name } });
    try {
      const res = await request(`https://${lab.node(node).ip}:${lab.httpsPort}/health`, { headers: { host: lab.name }, dispatcher });
      await res.body.text();
      return res.statusCode;
    } catch (err) {
      return String((err as { code?: unknown }).code);
    } finally {
      await dispatcher.destroy();
    }
  };

  test('https - every node serves a certificate for the name, signed by lab.caPem', async () => {
    assert.match(lab.caPem ?? '', /^-----BEGIN CERTIFICATE-----/);
    assert.equal(lab.url, `https://shop.lab:${lab.httpsPort}/health`);
    assert.equal(lab.httpUrl, `http://shop.lab:${lab.httpPort}/health`);
    assert.equal(await getHttps('lb-1'), 200);
    assert.equal(await getHttps('lb-2'), 200);
  });

  test('cert-expired - that node serves an expired certificate; the other node stays valid', async () => {
    const id = await lab.inject({ kind: 'cert-expired', node: 'lb-2' });
    try {
      assert.equal(await getHttps('lb-2'), 'CERT_HAS_EXPIRED');
      assert.equal(await getHttps('lb-1'), 200);
      const cert = await peerCertificate(lab, 'lb-2');
      assert.ok(Date.parse(cert.valid_to) < Date.now(), `notAfter ${cert.valid_to} is in the past`);
      assert.ok(Date.parse((await peerCertificate(lab, 'lb-1')).valid_to) > Date.now());
    } finally {
      await lab.clear(id);
    }
    assert.equal(await getHttps('lb-2'), 200);
  });
});
