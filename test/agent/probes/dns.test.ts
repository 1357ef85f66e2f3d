import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsError, DnsResolver, toFailureCode } from '../../../agent/probes/index.js';
import { startDnsServer, type DnsServer } from '../../../lab/dns.js';
import { freePort } from '../../helpers/probe-servers.js';

/** Resolves and returns the DnsError it must fail with. */
async function failure(resolver: DnsResolver, name: string, timeoutMs = 2000): Promise<DnsError> {
  try {
    const res = await resolver.resolve(name, { families: [4, 6], timeoutMs });
    assert.fail(`expected ${name} to fail, got ${JSON.stringify(res.addresses)}`);
  } catch (err) {
    assert.ok(err instanceof DnsError, `not a DnsError: ${String(err)}`);
    return err;
  }
}

describe('dns resolver', () => {
  let dns: DnsServer;
  let resolver: DnsResolver;

  before(async () => {
    dns = await startDnsServer({
      records: {
        'both.test': { A: ['127.0.0.21', '127.0.0.22'], AAAA: ['::1'] },
        'v4only.test': { A: ['127.0.0.23'] },
        'empty.test': {},
        'Mixed.Case.test': { A: ['127.0.0.24'] },
      },
    });
    resolver = new DnsResolver({ server: dns.address, timeoutMs: 500 });
  });
  after(async () => {
    await dns?.close();
  });

  test('dns resolver - A and AAAA from the configured server, A first', async () => {
    const res = await resolver.resolve('both.test', { families: [4, 6], timeoutMs: 2000 });
    assert.deepEqual(res.addresses, [
      { ip: '127.0.0.21', family: 4 },
      { ip: '127.0.0.22', family: 4 },
      { ip: '::1', family: 6 },
    ]);
    assert.equal(typeof res.ms, 'number');
    assert.ok(res.ms > 0, 'a real lookup is timed');
    assert.equal(dns.queries.get('both.test'), 2, 'one A and one AAAA query');
  });

  test('dns resolver - families limits what is asked', async () => {
    const res = await resolver.resolve('both.test', { families: [6], timeoutMs: 2000 });
    assert.deepEqual(res.addresses, [{ ip: '::1', family: 6 }]);
  });

  test('dns resolver - one family without records still resolves with the other', async () => {
    const res = await resolver.resolve('v4only.test', { families: [4, 6], timeoutMs: 2000 });
    assert.deepEqual(res.addresses, [{ ip: '127.0.0.23', family: 4 }]);
  });

  test('dns resolver - names are case-insensitive', async () => {
    const res = await resolver.resolve('mixed.case.TEST', { families: [4], timeoutMs: 2000 });
    assert.deepEqual(res.addresses, [{ ip: '127.0.0.24', family: 4 }]);
  });

  test('dns resolver - an unknown name is NXDOMAIN', async () => {
    const err = await failure(resolver, 'nope.test');
    assert.equal(err.code, 'ENOTFOUND');
    assert.equal(toFailureCode(err, 'dns').code, 'DNS_NXDOMAIN');
  });

  test('dns resolver - a name without A or AAAA records (NODATA twice) is NXDOMAIN', async () => {
    const err = await failure(resolver, 'empty.test');
    assert.equal(err.code, 'ENODATA');
    assert.equal(toFailureCode(err, 'dns').code, 'DNS_NXDOMAIN');
  });

  test('dns resolver - SERVFAIL is DNS_SERVFAIL', async () => {
    dns.setFault('both.test', 'servfail');
    try {
      const err = await failure(resolver, 'both.test');
      assert.equal(err.code, 'ESERVFAIL');
      assert.equal(toFailureCode(err, 'dns').code, 'DNS_SERVFAIL');
    } finally {
      dns.setFault('both.test', null);
    }
  });

  test('dns resolver - an injected nxdomain hides a known name', async () => {
    dns.setFault('v4only.test', 'nxdomain');
    try {
      assert.equal(toFailureCode(await failure(resolver, 'v4only.test'), 'dns').code, 'DNS_NXDOMAIN');
    } finally {
      dns.setFault('v4only.test', null);
    }
  });

  test('dns resolver - a server that never answers is DNS_TIMEOUT within the deadline', async () => {
    dns.setFault('both.test', 'timeout');
    try {
      const err = await failure(resolver, 'both.test', 700);
      assert.equal(err.code, 'ETIMEOUT');
      assert.equal(toFailureCode(err, 'dns').code, 'DNS_TIMEOUT');
    } finally {
      dns.setFault('both.test', null);
    }
  });

  test('dns resolver - an aborted signal cancels the lookup (DNS_TIMEOUT)', async () => {
    dns.setFault('both.test', 'timeout');
    const controller = new AbortController();
    try {
      const pending = resolver.resolve('both.test', { families: [4, 6], timeoutMs: 10_000, signal: controller.signal });
      setImmediate(() => controller.abort());
      await assert.rejects(pending, (err: unknown) => {
        assert.ok(err instanceof DnsError);
        assert.equal(err.code, 'ECANCELLED');
        assert.equal(toFailureCode(err, 'dns').code, 'DNS_TIMEOUT');
        return true;
      });
    } finally {
      dns.setFault('both.test', null);
    }
  });

  test('dns resolver - a per-client view answers that client differently (geo-DNS)', async () => {
    dns.setClientView('127.0.1.9', { 'both.test': { A: ['127.0.0.99'] } });
    try {
      const fromView = new DnsResolver({ server: dns.address, localAddress: '127.0.1.9' });
      assert.deepEqual((await fromView.resolve('both.test', { families: [4], timeoutMs: 2000 })).addresses, [{ ip: '127.0.0.99', family: 4 }]);
      assert.deepEqual((await resolver.resolve('both.test', { families: [4], timeoutMs: 2000 })).addresses.map((a) => a.ip), ['127.0.0.21', '127.0.0.22']);
    } finally {
      dns.setClientView('127.0.1.9', null);
    }
  });

  test('dns resolver - setRecords replaces the zone', async () => {
    dns.setRecords({ 'new.test': { A: ['127.0.0.31'] } });
    try {
      assert.deepEqual((await resolver.resolve('new.test', { families: [4], timeoutMs: 2000 })).addresses, [{ ip: '127.0.0.31', family: 4 }]);
      assert.equal((await failure(resolver, 'both.test')).code, 'ENOTFOUND');
    } finally {
      dns.setRecords({
        'both.test': { A: ['127.0.0.21', '127.0.0.22'], AAAA: ['::1'] },
        'v4only.test': { A: ['127.0.0.23'] },
        'empty.test': {},
        'Mixed.Case.test': { A: ['127.0.0.24'] },
      });
    }
  });

  test('dns resolver - IP literals and localhost skip DNS (ms = 0)', async () => {
    const nowhere = new DnsResolver({ server: `127.0.0.1:${await freePort()}`, timeoutMs: 200 });
    assert.deepEqual(await nowhere.resolve('127.0.0.5', { families: [4, 6], timeoutMs: 1000 }), { addresses: [{ ip: '127.0.0.5', family: 4 }], ms: 0 });
    assert.deepEqual(await nowhere.resolve('[::1]', { families: [4, 6], timeoutMs: 1000 }), { addresses: [{ ip: '::1', family: 6 }], ms: 0 });
    assert.deepEqual(await nowhere.resolve('localhost', { families: [4, 6], timeoutMs: 1000 }), {
      addresses: [{ ip: '127.0.0.1', family: 4 }, { ip: '::1', family: 6 }],
      ms: 0,
    });
  });

  test('dns resolver - a server nobody listens on is DNS_SERVFAIL or DNS_TIMEOUT, never an address', async () => {
    const nowhere = new DnsResolver({ server: `127.0.0.1:${await freePort()}`, timeoutMs: 200 });
    const code = toFailureCode(await failure(nowhere, 'both.test', 1000), 'dns').code;
    assert.ok(code === 'DNS_SERVFAIL' || code === 'DNS_TIMEOUT', code);
  });

  test('dns resolver - a malformed server address is refused at construction', () => {
    assert.throws(() => new DnsResolver({ server: 'not an address:53' }));
  });
});

describe('lab dns server', () => {
  test('lab dns server - an answer too big for UDP is truncated and the resolver gets it whole over TCP', async () => {
    const many = Array.from({ length: 120 }, (_, i) => `127.0.${Math.floor(i / 250) + 2}.${(i % 250) + 1}`);
    const dns = await startDnsServer({ records: { 'many.test': { A: many } } });
    try {
      const resolver = new DnsResolver({ server: dns.address });
      const res = await resolver.resolve('many.test', { families: [4], timeoutMs: 3000 });
      assert.deepEqual(res.addresses.map((a) => a.ip), many);
      assert.ok((dns.queries.get('many.test') ?? 0) >= 2, 'asked again after the truncated UDP answer');
    } finally {
      await dns.close();
    }
  });

  test('lab dns server - answers over TCP as well as UDP', async () => {
    const dns = await startDnsServer({ records: { 'tcp.test': { A: ['127.0.0.41'] } } });
    try {
      const { connect } = await import('node:net');
      const dnsPacket = await import('dns-packet');
      const query = dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'tcp.test' }] });
      const framed = Buffer.concat([Buffer.from([query.length >> 8, query.length & 0xff]), query]);
      const reply = await new Promise<Buffer>((resolve, reject) => {
        const socket = connect(dns.port, dns.host, () => socket.write(framed));
        let buf = Buffer.alloc(0);
        socket.on('data', (d: Buffer) => {
          buf = Buffer.concat([buf, d]);
          if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
            socket.destroy();
            resolve(buf.subarray(2));
          }
        });
        socket.on('error', reject);
      });
      const packet = dnsPacket.decode(reply);
      assert.equal(packet.id, 7);
      assert.deepEqual(packet.answers?.map((a) => (a.type === 'A' ? a.data : null)), ['127.0.0.41']);
    } finally {
      await dns.close();
    }
  });
});
