import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsResolver, IDENTITY_VALUE_MAX_CHARS, probeTarget } from '../../../agent/probes/index.js';
import { startDnsServer, type DnsServer } from '../../../lab/dns.js';
import { failureOf, startHttpServer, testContext, testTarget, type TestHttpServer } from '../../helpers/probe-servers.js';

const ROUND = 1_763_776_000_000;

// What a target (input from whoever holds the API token) can make an agent do: connect to private
// addresses, hang on its identity pattern, fan out over a huge DNS answer.
describe('probe limits', () => {
  let dns: DnsServer;
  let resolver: DnsResolver;
  let http: TestHttpServer;
  let requests = 0;
  let lastHeaders: Record<string, string | string[] | undefined> = {};
  const paths: string[] = [];
  const hundred = Array.from({ length: 100 }, (_, i) => `127.0.${Math.floor(i / 250) + 3}.${(i % 250) + 1}`);

  before(async () => {
    dns = await startDnsServer({
      records: {
        'shop.test': { A: ['127.0.0.1'] },
        'public-looking.test': { A: ['127.0.0.1'] },
        'metadata.test': { A: ['169.254.169.254'] },
        'many.test': { A: hundred },
      },
    });
    resolver = new DnsResolver({ server: dns.address, timeoutMs: 1000 });
    http = await startHttpServer({
      handler: (req, res) => {
        requests++;
        lastHeaders = req.headers;
        paths.push(req.url ?? '');
        if (req.url === '/moved') {
          // where a redirect-following client would go next: the check on the resolved IP would not see it
          res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
          res.end();
          return;
        }
        res.writeHead(200, { 'x-node': `${'a'.repeat(5000)}-node-7`, 'x-short': 'edge-fra-3' });
        res.end('ok');
      },
    });
  });
  after(async () => {
    await Promise.all([http?.close(), dns?.close()]);
  });

  test('private - a loopback IP literal is ADDRESS_BLOCKED without a connection; with the allow flag it is probed', async () => {
    const before = requests;
    const target = testTarget({ url: `http://127.0.0.1:${http.port}/` });
    const [blocked] = await probeTarget(target, ROUND, testContext(resolver, { allowPrivateTargets: false }));
    assert.equal(failureOf(blocked!), 'ADDRESS_BLOCKED');
    assert.equal(blocked!.ok, false);
    assert.equal(blocked!.ip, '127.0.0.1');
    assert.equal(blocked!.failureDetail, 'refused to connect to 127.0.0.1: a loopback address; this agent probes such addresses only with --allow-private-targets');
    assert.equal(blocked!.phases?.connect, undefined, 'no TCP connection was opened');
    assert.equal(requests, before, 'the server saw nothing');

    const [allowed] = await probeTarget(target, ROUND, testContext(resolver, { allowPrivateTargets: true }));
    assert.equal(allowed!.ok, true, allowed!.failureDetail ?? '');
    assert.equal(requests, before + 1);
  });

  test('private - a public-looking name that resolves to loopback or metadata is refused on the resolved IP', async () => {
    const ctx = testContext(resolver, { allowPrivateTargets: false });
    const before = requests;
    const [viaName] = await probeTarget(testTarget({ url: `http://public-looking.test:${http.port}/` }), ROUND, ctx);
    assert.equal(failureOf(viaName!), 'ADDRESS_BLOCKED');
    const [metadata] = await probeTarget(testTarget({ url: 'http://metadata.test/latest/meta-data/', timeout: '1s' }), ROUND, ctx);
    assert.equal(failureOf(metadata!), 'ADDRESS_BLOCKED');
    assert.match(metadata!.failureDetail ?? '', /^refused to connect to 169\.254\.169\.254: a link-local \(cloud metadata lives here\) address/);
    const [mapped] = await probeTarget(testTarget({ url: `http://[::ffff:127.0.0.1]:${http.port}/` }), ROUND, ctx);
    assert.equal(failureOf(mapped!), 'ADDRESS_BLOCKED');
    assert.equal(requests, before);
  });

  test('redirects - a probe does not follow them: a 302 towards the metadata service is the result', async () => {
    const target = testTarget({ url: `http://shop.test:${http.port}/moved`, expect: { status: [200, 399] }, timeout: '2s' });
    const [r] = await probeTarget(target, ROUND, testContext(resolver));
    assert.equal(r!.ok, true, r!.failureDetail ?? '');
    assert.equal(r!.status, 302);
    assert.equal(r!.ip, '127.0.0.1');
    assert.equal(paths.at(-1), '/moved');
  });

  test('identity - a catastrophic-backtracking pattern runs in linear time: the probe returns its result', async () => {
    const target = testTarget({
      url: `http://shop.test:${http.port}/`,
      identity: [
        { header: 'x-node', pattern: '^(a*)*X$', name: 'evil' },
        { header: 'x-short', pattern: '-(\\w+)-\\d+$', name: 'pop' },
        { header: 'x-node', pattern: '(node-\\d+)$', name: 'node' },
      ],
    });
    const [r] = await probeTarget(target, ROUND, testContext(resolver));
    assert.equal(r!.ok, true, r!.failureDetail ?? '');
    assert.equal(r!.identity?.evil, undefined, 'no match, and no hang');
    assert.equal(r!.identity?.pop, 'fra');
    // the pattern sees the first IDENTITY_VALUE_MAX_CHARS of the header only: the suffix is cut off
    assert.ok(5000 > IDENTITY_VALUE_MAX_CHARS);
    assert.equal(r!.identity?.node, undefined);
  });

  test('headers - a target\'s accepted request headers reach the server', async () => {
    const target = testTarget({ url: `http://shop.test:${http.port}/`, headers: { Accept: 'text/plain', 'X-Probe-Note': 'a\tb' } });
    const [r] = await probeTarget(target, ROUND, testContext(resolver));
    assert.equal(r!.ok, true, r!.failureDetail ?? '');
    assert.equal(lastHeaders.accept, 'text/plain');
    assert.equal(lastHeaders['x-probe-note'], 'a\tb');
  });

  test('dns fan-out - a name with 100 A records is probed on the first 16 (the cap), the skip reported', async () => {
    const skipped: [string, number, number][] = [];
    const target = testTarget({ url: `http://many.test:${http.port}/`, timeout: '3s' });
    const results = await probeTarget(target, ROUND, testContext(resolver, { ipFamilies: [4], onIpsSkipped: (t, n, of) => skipped.push([t.id, n, of]) }));
    assert.equal(results.length, 16);
    assert.deepEqual(results.map((r) => r.ip), hundred.slice(0, 16));
    assert.ok(results.every((r) => r.ipsInRound === 16));
    assert.deepEqual(skipped, [['probe-test', 84, 100]]);

    const four = await probeTarget(target, ROUND, testContext(resolver, { ipFamilies: [4], maxIpsPerRound: 4 }));
    assert.equal(four.length, 4);
  });
});
