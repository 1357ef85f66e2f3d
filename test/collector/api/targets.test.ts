import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { targetFromWire } from '../../../proto/index.js';
import { ApiHarness, API_TOKEN, READ_TOKEN, bearer, errorOf } from '../../helpers/collector-api-harness.js';

const auth = bearer(API_TOKEN);

describe('targets API', () => {
  let h: ApiHarness;
  before(async () => {
    h = await ApiHarness.start({ tokens: { api: API_TOKEN } });
  });
  after(async () => {
    await h?.dispose();
  });

  const post = (payload: unknown, headers: Record<string, string> = auth) =>
    h.app.inject({ method: 'POST', url: '/api/v1/targets', headers, payload: payload as object });

  it('targets - POST stores the target and writes it to the KV bucket the agents watch; GET returns it', async () => {
    const spec = { id: 'shop', url: 'https://shop.example.com/health', interval: '30s', expect: { bodyContains: 'ok' }, regions: ['eu-west'] };
    const res = await post(spec);
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.headers.location, '/api/v1/targets/shop');

    const entry = await h.kv.get('shop');
    assert.ok(entry !== null && entry.operation === 'PUT', 'the key is in the bucket');
    const wire = targetFromWire(entry.value);
    assert.equal(wire.id, 'shop');
    assert.equal(wire.url, 'https://shop.example.com/health');
    assert.equal(wire.intervalMs, 30_000);
    assert.equal(wire.timeoutMs, 10_000);
    assert.equal(wire.bodyContains, 'ok');
    assert.deepEqual(wire.regions, ['eu-west']);

    const got = await h.app.inject({ method: 'GET', url: '/api/v1/targets/shop' });
    assert.equal(got.statusCode, 200);
    const body = got.json<{ target: Record<string, unknown>; createdAt: string; updatedAt: string }>();
    assert.deepEqual(body.target, {
      id: 'shop',
      url: 'https://shop.example.com/health',
      method: 'GET',
      interval: '30s',
      timeout: '10s',
      expect: { status: [200, 399], bodyContains: 'ok' },
      resolveAll: true,
      regions: ['eu-west'],
      identity: [],
      headers: {},
    });
    assert.ok(!Number.isNaN(Date.parse(body.createdAt)));

    const list = await h.app.inject({ method: 'GET', url: '/api/v1/targets' });
    assert.deepEqual(list.json<{ targets: { target: { id: string } }[] }>().targets.map((t) => t.target.id), ['shop']);
  });

  it('targets - POST of an id that exists is 409 and changes nothing', async () => {
    await post({ id: 'dup', url: 'http://a.example/', interval: '10s' });
    const res = await post({ id: 'dup', url: 'http://b.example/' });
    assert.equal(res.statusCode, 409);
    assert.equal(errorOf(res.body).code, 'CP_CONFLICT');
    assert.match(errorOf(res.body).message, /target "dup" already exists/);
    assert.equal(targetFromWire((await h.kv.get('dup'))!.value).url, 'http://a.example/');
  });

  it('targets - a bad target spec is 400 with a message naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ id: 'x', url: 'http://x.example/', interval: '1x' }, 'body.interval: must be a duration such as 500ms, 30s, 15m or 1h (got "1x")'],
      [{ id: 'x', url: 'ftp://x.example/' }, 'body.url: must be an http:// or https:// URL (got "ftp://x.example/")'],
      [{ id: 'x', url: 'http://x.example/', colour: 'red' }, 'body.colour: unknown key (known keys: id, url, method, interval, timeout, expect, resolveAll, regions, identity, headers)'],
      [{ id: 'x', url: 'http://x.example/', interval: '1s', timeout: '2s' }, 'body.timeout: must not exceed interval (1s); got 2s'],
      [{ url: 'http://x.example/' }, 'body.id: is required'],
      [{ id: 'Shop', url: 'http://x.example/' }, 'body.id: must be 1–63 characters of a–z, 0–9 and "-" (got "Shop")'],
      [{ id: 'x', url: 'http://x.example/', expect: { status: [500, 200] } }, 'body.expect.status: min 500 is above max 200'],
      [{ id: 'x', url: 'http://x.example/', interval: '100ms' }, 'body.interval: must be at least 200ms (got "100ms")'],
      [{ id: 'x', url: 'http://x.example/', resolveAll: 'yes' }, 'body.resolveAll: must be true or false (got "yes")'],
      [{ id: 'x', url: 'http://x.example/', regions: ['eu-west', 'EU'] }, 'body.regions[1]: must be 1–63 characters of a–z, 0–9 and "-" (got "EU")'],
    ];
    for (const [spec, message] of cases) {
      const res = await post(spec);
      assert.equal(res.statusCode, 400, `${JSON.stringify(spec)} → ${res.body}`);
      assert.deepEqual(errorOf(res.body), { code: 'CP_BAD_REQUEST', message });
    }
    assert.equal(await h.kv.get('x'), null, 'nothing reached the bucket');
  });

  it('targets - a body that is not JSON or missing is 400, one of another type 415', async () => {
    const bad = await h.app.inject({ method: 'POST', url: '/api/v1/targets', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"id": ' });
    assert.equal(bad.statusCode, 400);
    assert.equal(errorOf(bad.body).code, 'CP_BAD_REQUEST');
    const text = await h.app.inject({ method: 'POST', url: '/api/v1/targets', headers: { ...auth, 'content-type': 'text/plain' }, payload: 'id=x' });
    assert.equal(text.statusCode, 415);
    assert.equal(errorOf(text.body).code, 'CP_UNSUPPORTED_MEDIA_TYPE');
    const empty = await h.app.inject({ method: 'POST', url: '/api/v1/targets', headers: auth });
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(errorOf(empty.body), { code: 'CP_BAD_REQUEST', message: 'body: is required (a JSON object)' });
  });

  it('targets - PUT creates (201), then replaces (200) in the store and the bucket', async () => {
    const put = (spec: object) => h.app.inject({ method: 'PUT', url: '/api/v1/targets/api', headers: auth, payload: spec });
    const created = await put({ id: 'api', url: 'http://api.example/', interval: '5s' });
    assert.equal(created.statusCode, 201, created.body);
    const replaced = await put({ id: 'api', url: 'http://api.example/v2', interval: '5s' });
    assert.equal(replaced.statusCode, 200, replaced.body);
    assert.equal(targetFromWire((await h.kv.get('api'))!.value).url, 'http://api.example/v2');
    assert.equal(h.store.getTarget('api')?.target.url, 'http://api.example/v2');
    const mismatch = await h.app.inject({ method: 'PUT', url: '/api/v1/targets/api', headers: auth, payload: { id: 'other', url: 'http://api.example/' } });
    assert.equal(mismatch.statusCode, 400);
    assert.equal(errorOf(mismatch.body).message, 'body.id: must equal the id in the path ("api"), got "other"');
  });

  it('targets - DELETE removes it from the store and the bucket; then it is 404', async () => {
    await post({ id: 'gone', url: 'http://gone.example/' });
    const del = await h.app.inject({ method: 'DELETE', url: '/api/v1/targets/gone', headers: auth });
    assert.equal(del.statusCode, 200, del.body);
    assert.deepEqual(del.json(), { deleted: 'gone' });
    const entry = await h.kv.get('gone');
    assert.ok(entry === null || entry.operation === 'DEL', `KV holds no target (${entry?.operation})`);
    assert.equal(h.store.getTarget('gone'), null);
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await h.app.inject({ method, url: '/api/v1/targets/gone', headers: auth });
      assert.equal(res.statusCode, 404, method);
      assert.deepEqual(errorOf(res.body), { code: 'CP_NOT_FOUND', message: 'target "gone" does not exist' });
    }
    // a deleted id can be created again
    assert.equal((await post({ id: 'gone', url: 'http://gone.example/' })).statusCode, 201);
  });

  it('targets - an id that cannot be a target id in the path is 400 naming params.id', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/targets/Not_An_Id' });
    assert.equal(res.statusCode, 400);
    assert.equal(errorOf(res.body).message, 'params.id: must be 1–63 characters of a–z, 0–9 and "-" (got "Not_An_Id")');
  });

  it('auth - writes without a token or with a wrong one are 401; with the API token they pass; reads stay open', async () => {
    const spec = { id: 'authz', url: 'http://authz.example/' };
    const none = await post(spec, {});
    assert.equal(none.statusCode, 401);
    assert.equal(none.headers['www-authenticate'], 'Bearer realm="crossprobe"');
    assert.deepEqual(errorOf(none.body), { code: 'CP_UNAUTHORIZED', message: 'writes need an "Authorization: Bearer <token>" header' });
    const wrong = await post(spec, bearer(`${API_TOKEN}x`));
    assert.equal(wrong.statusCode, 401);
    assert.deepEqual(errorOf(wrong.body), { code: 'CP_UNAUTHORIZED', message: 'the bearer token is not valid' });
    const basic = await post(spec, { authorization: `Basic ${Buffer.from(`u:${API_TOKEN}`).toString('base64')}` });
    assert.equal(basic.statusCode, 401);
    for (const method of ['PUT', 'DELETE'] as const) {
      const res = await h.app.inject({ method, url: '/api/v1/targets/authz', headers: bearer('nope'), payload: spec });
      assert.equal(res.statusCode, 401, method);
    }
    assert.equal(await h.kv.get('authz'), null, 'no unauthorized write reached the bucket');
    assert.equal((await post(spec)).statusCode, 201);
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/targets/authz' })).statusCode, 200, 'reads need no token without a read token');
  });
});

describe('targets API with a read token', () => {
  let h: ApiHarness;
  before(async () => {
    h = await ApiHarness.start({ tokens: { api: API_TOKEN, read: READ_TOKEN } });
  });
  after(async () => {
    await h?.dispose();
  });

  it('auth - reads need the read or the API token; the read token cannot write (403)', async () => {
    for (const url of ['/api/v1/targets', '/api/v1/results', '/api/v1/agents', '/api/v1/rejects', '/metrics']) {
      const none = await h.app.inject({ method: 'GET', url });
      assert.equal(none.statusCode, 401, url);
      assert.equal(errorOf(none.body).message, 'reads need an "Authorization: Bearer <token>" header');
      assert.equal((await h.app.inject({ method: 'GET', url, headers: bearer('wrong-token-0123456789') })).statusCode, 401, url);
      assert.equal((await h.app.inject({ method: 'GET', url, headers: bearer(READ_TOKEN) })).statusCode, 200, url);
      assert.equal((await h.app.inject({ method: 'GET', url, headers: bearer(API_TOKEN) })).statusCode, 200, url);
    }
    const write = await h.app.inject({ method: 'POST', url: '/api/v1/targets', headers: bearer(READ_TOKEN), payload: { id: 'ro', url: 'http://ro.example/' } });
    assert.equal(write.statusCode, 403);
    assert.equal(errorOf(write.body).code, 'CP_FORBIDDEN');
    // health and the API description stay public: a load balancer probes one, a client reads the other
    assert.equal((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).statusCode, 200);
  });
});

describe('targets API while NATS is down', () => {
  let h: ApiHarness;
  before(async () => {
    h = await ApiHarness.start({ tokens: { api: API_TOKEN } });
  });
  after(async () => {
    await h?.dispose();
  });

  it('targets - a write the KV bucket cannot take is 503 and leaves the store unchanged', async () => {
    await h.nats.stop();
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/targets', headers: auth, payload: { id: 'later', url: 'http://later.example/' } });
    assert.equal(res.statusCode, 503, res.body);
    assert.equal(errorOf(res.body).code, 'CP_UNAVAILABLE');
    assert.match(errorOf(res.body).message, /^the targets KV bucket cannot be written \(.+\); nothing was changed$/);
    assert.equal(h.store.getTarget('later'), null);
  });
});

describe('targets API without an API token', () => {
  let closed: ApiHarness;
  let open: ApiHarness;
  before(async () => {
    closed = await ApiHarness.start({ tokens: { openWrites: false } });
    open = await ApiHarness.start({ tokens: { openWrites: true } });
  });
  after(async () => {
    await closed?.dispose();
    await open?.dispose();
  });

  it('auth - no API token: every write is 403 saying how to set one or to open the API; reads stay open', async () => {
    const spec = { id: 'closed', url: 'http://closed.example/' };
    const writes = [
      closed.app.inject({ method: 'POST', url: '/api/v1/targets', payload: spec }),
      closed.app.inject({ method: 'PUT', url: '/api/v1/targets/closed', payload: spec }),
      closed.app.inject({ method: 'DELETE', url: '/api/v1/targets/closed' }),
      // a bearer token is no way in when the collector has none
      closed.app.inject({ method: 'POST', url: '/api/v1/targets', headers: bearer(API_TOKEN), payload: spec }),
    ];
    for (const res of await Promise.all(writes)) {
      assert.equal(res.statusCode, 403, res.body);
      assert.deepEqual(errorOf(res.body), {
        code: 'CP_FORBIDDEN',
        message:
          'writes are refused: this collector has no API token. Set CROSSPROBE_API_TOKEN (or --api-token) and send it as "Authorization: Bearer <token>", ' +
          'or start the collector with --insecure-open-api to let anyone who reaches the API write',
      });
    }
    assert.equal(await closed.kv.get('closed'), null, 'no refused write reached the bucket');
    assert.equal(closed.store.getTarget('closed'), null);
    for (const url of ['/api/v1/targets', '/api/v1/results', '/api/v1/agents', '/metrics', '/healthz']) {
      assert.equal((await closed.app.inject({ method: 'GET', url })).statusCode, 200, url);
    }
  });

  it('auth - no API token and --insecure-open-api: writes pass without a token', async () => {
    const res = await open.app.inject({ method: 'POST', url: '/api/v1/targets', payload: { id: 'open', url: 'http://open.example/' } });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(targetFromWire((await open.kv.get('open'))!.value).id, 'open');
    assert.equal((await open.app.inject({ method: 'DELETE', url: '/api/v1/targets/open' })).statusCode, 200);
  });
});
