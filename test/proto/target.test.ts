import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'undici';
import {
  ConfigError,
  MAX_DURATION_MS,
  REFUSED_REQUEST_HEADERS,
  blockedAddressKind,
  blockedUrlHost,
  durationProblem,
  encodeTarget,
  parseDuration,
  parseTarget,
  targetFromWire,
  targetToWire,
} from '../../proto/index.js';

const base = { id: 'shop', url: 'https://shop.example.com/' };
const refused = (spec: Record<string, unknown>, message: string) =>
  assert.throws(() => parseTarget({ ...base, ...spec }), (err: unknown) => {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.message, message);
    return true;
  });

describe('durations', () => {
  it('duration - parseDuration never returns a non-finite or huge number', () => {
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('3650d'), MAX_DURATION_MS);
    assert.equal(parseDuration('3651d'), null);
    assert.equal(parseDuration(`${'9'.repeat(309)}d`), null, 'a 309-digit day count is Infinity in JS');
    assert.equal(parseDuration(`${'9'.repeat(400)}ms`), null);
    assert.equal(parseDuration('soon'), null);
    assert.equal(durationProblem('soon'), 'must be a duration such as 500ms, 30s, 15m or 1h');
    assert.equal(durationProblem('3651d'), 'must be at most 3650d');
    assert.equal(durationProblem('30d'), null);
  });

  it('target - interval at most 24h, timeout at most 5m, both named with the limit', () => {
    assert.equal(parseTarget({ ...base, interval: '24h', timeout: '5m' }).intervalMs, 86_400_000);
    refused({ interval: '30d' }, 'interval: must be at most 24h (got "30d")');
    refused({ interval: '24h1ms' }, 'interval: must be at most 24h (got "24h1ms")');
    refused({ interval: `${'9'.repeat(309)}d` }, `interval: must be at most 24h (got "${'9'.repeat(309)}d")`);
    refused({ interval: '1h', timeout: '6m' }, 'timeout: must be at most 5m (got "6m")');
    refused({ interval: '1h', timeout: `${'9'.repeat(309)}d` }, `timeout: must be at most 5m (got "${'9'.repeat(309)}d")`);
  });

  it('target - the wire decode path re-checks the bounds (a value beyond uint32 or 24h is refused)', () => {
    const good = targetFromWire(targetToWire(parseTarget({ ...base, interval: '24h' })));
    assert.equal(good.intervalMs, 86_400_000);
    const wire = { id: 'shop', url: 'https://shop.example.com/', method: 'GET', intervalMs: 30 * 86_400_000, timeoutMs: 10_000, resolveAll: true };
    assert.throws(() => targetFromWire(encodeTarget(wire)), { name: 'ConfigError', message: 'target "shop".interval: must be at most 24h (got "30d")' });
    assert.throws(() => targetFromWire(encodeTarget({ ...wire, intervalMs: 0xffffffff })), {
      name: 'ConfigError',
      message: 'target "shop".interval: must be at most 24h (got "4294967295ms")',
    });
    assert.throws(() => targetFromWire(encodeTarget({ ...wire, intervalMs: 60_000, timeoutMs: 3_600_000 })), {
      name: 'ConfigError',
      message: 'target "shop".timeout: must be at most 5m (got "1h")',
    });
  });
});

describe('identity patterns', () => {
  it('identity - patterns are RE2: backreferences and lookaround are refused naming identity[i].pattern', () => {
    assert.equal(parseTarget({ ...base, identity: [{ header: 'cf-ray', pattern: '-(\\w+)$', name: 'pop' }] }).identity[0]!.pattern, '-(\\w+)$');
    // catastrophic for a backtracking engine, linear for RE2: accepted, and harmless (see the probe tests)
    assert.equal(parseTarget({ ...base, identity: [{ header: 'x-a', pattern: '^(.*)*X$' }] }).identity.length, 1);
    refused(
      { identity: [{ header: 'x-a' }, { header: 'x-b', pattern: '(a)\\1' }] },
      'identity[1].pattern: not a regular expression RE2 accepts (no backreferences or lookaround: patterns must run in linear time): error parsing regexp: invalid escape sequence: `\\1`',
    );
    refused(
      { identity: [{ header: 'x-a', pattern: '(?=a)b' }] },
      'identity[0].pattern: not a regular expression RE2 accepts (no backreferences or lookaround: patterns must run in linear time): error parsing regexp: invalid or unsupported Perl syntax: `(?=`',
    );
  });

  it('identity - pattern length is capped at 256', () => {
    assert.equal(parseTarget({ ...base, identity: [{ header: 'x-a', pattern: 'a'.repeat(256) }] }).identity.length, 1);
    assert.throws(() => parseTarget({ ...base, identity: [{ header: 'x-a', pattern: 'a'.repeat(257) }] }), {
      name: 'ConfigError',
      message: /^identity\[0\]\.pattern: must be a regular expression of 1–256 characters \(got "a+\.\.\.\)$/,
    });
  });
});

describe('request headers', () => {
  let server: Server;
  let port: number;
  let seen: IncomingHttpHeaders | null = null;
  before(async () => {
    server = createServer((req, res) => {
      seen = req.headers;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** What undici does with one request carrying `headers`: 'sent' or the error it failed with. */
  async function undiciSends(headers: Record<string, string>): Promise<'sent' | Error> {
    const client = new Client(`http://127.0.0.1:${port}`);
    try {
      const res = await client.request({ path: '/', method: 'GET', headers });
      await res.body.text();
      return 'sent';
    } catch (err) {
      return err as Error;
    } finally {
      await client.close();
    }
  }

  it('headers - every name refused as one undici refuses does make undici fail the request', async () => {
    const undiciNames = Object.entries(REFUSED_REQUEST_HEADERS).filter(([, why]) => why.includes('undici')).map(([name]) => name);
    assert.deepEqual(undiciNames.sort(), ['expect', 'keep-alive', 'transfer-encoding', 'upgrade']);
    const values: Record<string, string> = { expect: '100-continue', 'keep-alive': 'timeout=5', 'transfer-encoding': 'chunked', upgrade: 'websocket' };
    for (const name of undiciNames) {
      const outcome = await undiciSends({ [name]: values[name]! });
      assert.ok(outcome instanceof Error, `undici sent a request with ${name}: ${String(outcome)}`);
      refused({ headers: { [name]: values[name]! } }, `headers.${name}: ${REFUSED_REQUEST_HEADERS[name]}; remove it`);
    }
    // and what the validator lets through, undici sends and the server receives
    const accepted = parseTarget({ ...base, headers: { Accept: 'text/html', 'X-Token': 'a\tb é', Connection_Id: '7' } });
    assert.equal(await undiciSends({ ...accepted.headers }), 'sent');
    assert.equal(seen?.['x-token'], 'a\tb é');
    assert.equal(seen?.accept, 'text/html');
    assert.equal(seen?.['connection_id'], '7');
  });

  it('headers - connection, host and crossprobe-probe-id are refused; values undici rejects too', async () => {
    refused({ headers: { 'Content-Length': '5' } }, 'headers.Content-Length: a probe sends no body (a length would leave the server waiting for one); remove it');
    refused({ headers: { Connection: 'close' } }, 'headers.Connection: every probe opens a fresh connection and closes it; remove it');
    refused({ headers: { Host: 'other' } }, "headers.Host: set by crossprobe itself (the URL's host); remove it");
    refused({ headers: { 'x-a': 'bell\u0007' } }, 'headers.x-a: a header value may hold only tab, printable ASCII and Latin-1 characters (undici refuses others)');
    assert.ok((await undiciSends({ 'x-a': 'bell\u0007' })) instanceof Error, 'undici refuses that value');
    refused({ headers: { 'x-a': 'snow \u2603' } }, 'headers.x-a: a header value may hold only tab, printable ASCII and Latin-1 characters (undici refuses others)');
    refused({ headers: { 'x-a': 'v'.repeat(4097) } }, 'headers.x-a: a header value may be at most 4096 characters (got 4097)');
    refused({ headers: { 'X-A': '1', 'x-a': '2' } }, 'headers.x-a: set twice (header names are case-insensitive)');
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`x-h${i}`, 'v']));
    refused({ headers: many }, 'headers: at most 32 headers (got 33)');
    const proto = parseTarget({ ...base, headers: JSON.parse('{"__proto__": "x"}') as Record<string, string> });
    assert.deepEqual(Object.entries(proto.headers), [['__proto__', 'x']], 'a header named __proto__ is just a header');
  });
});

describe('private addresses', () => {
  const cases: [string, string | null][] = [
    ['8.8.8.8', null],
    ['1.1.1.1', null],
    ['0.0.0.0', 'unspecified'],
    ['0.255.255.255', 'unspecified'],
    ['1.0.0.0', null],
    ['9.255.255.255', null],
    ['10.0.0.0', 'private'],
    ['10.255.255.255', 'private'],
    ['11.0.0.0', null],
    ['100.63.255.255', null],
    ['100.64.0.0', 'shared (CGNAT)'],
    ['100.127.255.255', 'shared (CGNAT)'],
    ['100.128.0.0', null],
    ['126.255.255.255', null],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.255', 'loopback'],
    ['128.0.0.0', null],
    ['169.253.255.255', null],
    ['169.254.0.0', 'link-local (cloud metadata lives here)'],
    ['169.254.169.254', 'link-local (cloud metadata lives here)'],
    ['169.254.255.255', 'link-local (cloud metadata lives here)'],
    ['169.255.0.0', null],
    ['172.15.255.255', null],
    ['172.16.0.0', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.0', null],
    ['192.0.0.0', 'reserved'],
    ['192.0.0.255', 'reserved'],
    ['192.0.1.0', null],
    ['192.167.255.255', null],
    ['192.168.0.0', 'private'],
    ['192.168.255.255', 'private'],
    ['192.169.0.0', null],
    ['198.17.255.255', null],
    ['198.18.0.0', 'reserved'],
    ['198.19.255.255', 'reserved'],
    ['198.20.0.0', null],
    ['223.255.255.255', null],
    ['224.0.0.0', 'multicast'],
    ['239.255.255.255', 'multicast'],
    ['240.0.0.0', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['2606:4700::1111', null],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['::2', 'IPv4-compatible unspecified'],
    ['1::', null],
    ['fe80::1', 'link-local (cloud metadata lives here)'],
    ['febf:ffff::1', 'link-local (cloud metadata lives here)'],
    ['fe7f:ffff::1', null],
    ['fec0::1', 'private'],
    ['fc00::1', 'private'],
    ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'private'],
    ['fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', null],
    ['ff02::1', 'multicast'],
    ['100::1', 'reserved'],
    ['64:ff9b:1::1', 'reserved'],
    ['fd00:ec2::254', 'private'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback'],
    ['::ffff:169.254.169.254', 'IPv4-mapped link-local (cloud metadata lives here)'],
    ['::ffff:10.1.2.3', 'IPv4-mapped private'],
    ['::ffff:8.8.8.8', null],
    ['::127.0.0.1', 'IPv4-compatible loopback'],
    ['::a9fe:a9fe', 'IPv4-compatible link-local (cloud metadata lives here)'],
    ['64:ff9b::127.0.0.1', 'NAT64 loopback'],
    ['64:ff9b::8.8.8.8', null],
    ['2002:7f00:1::', '6to4 loopback'],
    ['2002:a9fe:a9fe::1', '6to4 link-local (cloud metadata lives here)'],
    ['2002:0808:0808::1', null],
    ['fe80::1%eth0', 'link-local (cloud metadata lives here)'],
    ['shop.example.com', 'not an IP address'],
  ];
  it('addresses - every refused range, with the addresses on either side of its edges', () => {
    for (const [ip, kind] of cases) assert.equal(blockedAddressKind(ip), kind, ip);
  });

  it('addresses - URL hosts: IP literals in any spelling URL parsing accepts, and localhost', () => {
    assert.deepEqual(blockedUrlHost('http://169.254.169.254/latest/meta-data/'), { host: '169.254.169.254', kind: 'link-local (cloud metadata lives here)' });
    assert.deepEqual(blockedUrlHost('http://0x7f.1:8080/'), { host: '127.0.0.1', kind: 'loopback' });
    assert.deepEqual(blockedUrlHost('http://2130706433/'), { host: '127.0.0.1', kind: 'loopback' });
    assert.deepEqual(blockedUrlHost('http://[::ffff:127.0.0.1]/'), { host: '::ffff:7f00:1', kind: 'IPv4-mapped loopback' });
    assert.deepEqual(blockedUrlHost('http://LOCALHOST./'), { host: 'localhost.', kind: 'loopback' });
    assert.deepEqual(blockedUrlHost('http://api.localhost/'), { host: 'api.localhost', kind: 'loopback' });
    assert.equal(blockedUrlHost('https://shop.example.com/'), null, 'a name is checked by the agents on what it resolves to');
    assert.equal(blockedUrlHost('https://8.8.8.8/'), null);
  });
});
