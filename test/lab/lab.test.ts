import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { detectProvenance } from '../../agent/probes/provenance.js';
import { LabError, nginxErrorPage, startLab, type Lab } from '../../lab/index.js';

interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** One request to one node over a fresh connection, as the lab's name (Host header), from `source`. */
async function get(lab: Lab, node: string, opts: { source?: string; https?: boolean } = {}): Promise<Reply> {
  const dispatcher = new Agent({
    ...(opts.source ? { localAddress: opts.source } : {}),
    connect: opts.https ? { ca: lab.caPem ?? '', servername: lab.name } : {},
    headersTimeout: 10_000,
  });
  try {
    const port = opts.https ? lab.httpsPort : lab.httpPort;
    const res = await request(`${opts.https ? 'https' : 'http'}://${lab.node(node).ip}:${port}/health`, { headers: { host: lab.name }, dispatcher });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    return { status: res.statusCode, headers, body: await res.body.text() };
  } finally {
    await dispatcher.destroy();
  }
}

/** The error code a request fails with. */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return String((err as { code?: unknown }).code ?? (err as Error).message);
  }
  assert.fail('expected the request to fail');
}

async function connectError(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe('lab spec', () => {
  const rejects = async (spec: unknown, message: string): Promise<void> => {
    await assert.rejects(startLab(spec as never), (err: unknown) => {
      assert.ok(err instanceof LabError);
      assert.equal(err.code, 'LAB_INVALID_SPEC');
      assert.equal(err.message, message);
      return true;
    });
  };

  test('lab spec - a bad spec is refused with a message naming the field', async () => {
    await rejects(null, 'lab spec: must be an object (got null)');
    await rejects(
      { name: 'shop.lab', nodes: 2, colour: 'red' },
      'lab spec: unknown key "colour" (allowed: name, nodes, https, origins, body, regions, path, port, httpsPort, dnsPort, ipv6, proxyTimeoutMs, netMode, seed)',
    );
    await rejects({ name: 'shop lab', nodes: 2 }, 'lab spec: name must be a hostname like "shop.lab" (got "shop lab")');
    await rejects({ name: 'shop.lab', nodes: 0 }, 'lab spec: nodes must be an integer from 1 to 100 (got 0)');
    await rejects({ name: 'shop.lab', nodes: ['127.0.0.11', 'x'] }, 'lab spec: nodes[1] must be an IP address (got "x")');
    await rejects({ name: 'shop.lab', nodes: ['127.0.0.11', '127.0.0.11'] }, 'lab spec: nodes lists 127.0.0.11 twice');
    await rejects({ name: 'shop.lab', nodes: 1, regions: { EU: '127.0.1.1' } }, 'lab spec: regions: region name must match [a-z0-9-]{1,63} (got "EU")');
    await rejects({ name: 'shop.lab', nodes: 1, regions: { eu: 'somewhere' } }, 'lab spec: regions.eu must be an IPv4 source address like "127.0.1.1" (got "somewhere")');
    await rejects(
      { name: 'shop.lab', nodes: 1, regions: { eu: '127.0.1.1', us: '127.0.1.1' } },
      'lab spec: regions.us: 127.0.1.1 is already the source address of region eu',
    );
    await rejects({ name: 'shop.lab', nodes: 2, regions: { eu: '127.0.0.12' } }, "lab spec: regions.eu: 127.0.0.12 is a node's address");
    await rejects({ name: 'shop.lab', nodes: 1, netMode: 'magic' }, 'lab spec: netMode must be userland, kernel or auto (got "magic")');
    await rejects({ name: 'shop.lab', nodes: 1, origins: 1.5 }, 'lab spec: origins must be an integer from 1 to 20 (got 1.5)');
  });
});

describe('lab', () => {
  let lab: Lab;

  before(async () => {
    lab = await startLab({ name: 'shop.lab', nodes: 3, origins: 2, regions: { eu: '127.0.1.1', us: '127.0.1.2' }, proxyTimeoutMs: 400, seed: 7 });
  });
  after(async () => {
    await lab?.close();
  });
  afterEach(async () => {
    await lab.clearAll();
  });

  test('lab - describes its name, url, DNS address, nodes and regions', () => {
    assert.equal(lab.name, 'shop.lab');
    assert.equal(lab.url, `http://shop.lab:${lab.httpPort}/health`);
    assert.equal(lab.httpsUrl, null);
    assert.equal(lab.caPem, null);
    assert.match(lab.dnsAddress, /^127\.0\.0\.1:\d+$/);
    assert.deepEqual(lab.nodes, [
      { name: 'lb-1', ip: '127.0.0.11', ipv6: null },
      { name: 'lb-2', ip: '127.0.0.12', ipv6: null },
      { name: 'lb-3', ip: '127.0.0.13', ipv6: null },
    ]);
    assert.deepEqual(lab.regions, [
      { name: 'eu', sourceAddress: '127.0.1.1' },
      { name: 'us', sourceAddress: '127.0.1.2' },
    ]);
    assert.deepEqual(
      lab.origins.map((o) => o.name),
      ['app-1', 'app-2'],
    );
    assert.equal(lab.netMode, 'userland');
  });

  test('lab - healthy: every node answers 200 with the body, x-served-by and Server: nginx', async () => {
    for (const node of lab.nodes) {
      const r = await get(lab, node.name);
      assert.equal(r.status, 200);
      assert.equal(r.body, 'ok');
      assert.equal(r.headers['x-served-by'], node.name);
      assert.equal(r.headers['server'], 'nginx');
    }
  });

  test('lab - each node spreads its requests over the origins round-robin', async () => {
    const upstreams = new Set<string>();
    for (let i = 0; i < 4; i++) upstreams.add((await get(lab, 'lb-1')).headers['x-upstream'] ?? '');
    assert.deepEqual([...upstreams].sort(), ['app-1', 'app-2']);
  });

  test("node-502 - the node answers nginx's exact 502 page, recognised as nginx; the other nodes stay healthy", async () => {
    await lab.inject({ kind: 'node-502', node: 'lb-2' });
    const bad = await get(lab, 'lb-2');
    assert.equal(bad.status, 502);
    assert.equal(bad.headers['server'], 'nginx');
    assert.equal(bad.headers['x-served-by'], 'lb-2');
    assert.equal(bad.headers['content-type'], 'text/html');
    assert.equal(bad.body, nginxErrorPage(502));
    assert.equal(
      bad.body,
      '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
    );
    assert.equal(detectProvenance(bad.status, bad.headers, bad.body), 'nginx');
    assert.equal((await get(lab, 'lb-1')).status, 200);
    assert.equal((await get(lab, 'lb-3')).status, 200);
  });

  test('rate - a node-502 at rate 0.1 hits about one request in ten', async () => {
    await lab.inject({ kind: 'node-502', node: 'lb-3', rate: 0.1 });
    let failed = 0;
    for (let i = 0; i < 500; i++) if ((await get(lab, 'lb-3')).status === 502) failed += 1;
    // binomial(500, 0.1): mean 50, sd 6.7; this bound is ±4.5 sd
    assert.ok(failed >= 20 && failed <= 85, `${failed} of 500 failed`);
  });

  test('node-timeout - the node answers an nginx 504 no sooner than afterMs', async () => {
    await lab.inject({ kind: 'node-timeout', node: 'lb-1', afterMs: 300 });
    const started = performance.now();
    const r = await get(lab, 'lb-1');
    const elapsed = performance.now() - started;
    assert.equal(r.status, 504);
    assert.equal(r.body, nginxErrorPage(504));
    assert.equal(detectProvenance(r.status, r.headers, r.body), 'nginx');
    assert.ok(elapsed >= 300, `answered after ${elapsed} ms`);
    assert.equal((await get(lab, 'lb-2')).status, 200);
  });

  test('node-reset - the node resets its connections; the others answer', async () => {
    await lab.inject({ kind: 'node-reset', node: 'lb-1' });
    assert.ok(['ECONNRESET', 'EPIPE'].includes(await failure(get(lab, 'lb-1'))));
    assert.equal((await get(lab, 'lb-2')).status, 200);
  });

  test('node-refuse - nothing listens on the node while injected; it listens again once cleared', async () => {
    const id = await lab.inject({ kind: 'node-refuse', node: 'lb-2' });
    assert.equal(await failure(get(lab, 'lb-2')), 'ECONNREFUSED');
    assert.equal((await get(lab, 'lb-1')).status, 200);
    await lab.clear(id);
    assert.equal((await get(lab, 'lb-2')).status, 200);
  });

  test('origin-crash - every node answers a fast nginx 502', async () => {
    await lab.inject({ kind: 'origin-crash' });
    for (const node of lab.nodes) {
      const r = await get(lab, node.name);
      assert.equal(r.status, 502);
      assert.equal(r.headers['x-served-by'], node.name);
      assert.equal(detectProvenance(r.status, r.headers, r.body), 'nginx');
    }
  });

  test("origin-crash - one origin only: every node fails the requests it sends there, and only those", async () => {
    await lab.inject({ kind: 'origin-crash', origin: 'app-2' });
    const byUpstream = new Map<string, number[]>();
    for (let i = 0; i < 6; i++) {
      const r = await get(lab, 'lb-1');
      const list = byUpstream.get(r.headers['x-upstream'] ?? '') ?? [];
      list.push(r.status);
      byUpstream.set(r.headers['x-upstream'] ?? '', list);
    }
    assert.deepEqual(byUpstream.get('app-1'), [200, 200, 200]);
    assert.deepEqual(byUpstream.get('app-2'), [502, 502, 502]);
  });

  test("origin-500 - the app's own 500 passes through every node, recognised as the app's", async () => {
    await lab.inject({ kind: 'origin-500' });
    const r = await get(lab, 'lb-3');
    assert.equal(r.status, 500);
    assert.equal(r.headers['server'], 'nginx');
    assert.match(r.body, /^\{"error":"internal server error"/);
    assert.equal(detectProvenance(r.status, r.headers, r.body), 'app');
  });

  test("origin-slow - slower than the nodes' proxy timeout: nginx 504; faster: 200", async () => {
    const slow = await lab.inject({ kind: 'origin-slow', delayMs: 2000 });
    const started = performance.now();
    const r = await get(lab, 'lb-2');
    const elapsed = performance.now() - started;
    assert.equal(r.status, 504);
    assert.equal(r.body, nginxErrorPage(504));
    assert.ok(elapsed >= 400, `504 after ${elapsed} ms, the proxy timeout being 400 ms`);
    await lab.clear(slow);
    await lab.inject({ kind: 'origin-slow', delayMs: 100 });
    const ok = await get(lab, 'lb-2');
    assert.equal(ok.status, 200);
    assert.equal(ok.body, 'ok');
  });

  test('origin-body - the origin answers 200 with another body', async () => {
    await lab.inject({ kind: 'origin-body', body: 'maintenance' });
    const r = await get(lab, 'lb-1');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'maintenance');
    assert.ok(!r.body.includes('ok'));
  });

  test('schedule - a window fault is inactive before its window and active inside it', async () => {
    const id = await lab.inject({ kind: 'node-502', node: 'lb-1', schedule: { from: 1500, to: 600_000 } });
    const entry = lab.truth().find((e) => e.id === id);
    assert.ok(entry);
    assert.equal((await get(lab, 'lb-1')).status, 200);
    assert.equal(lab.activeAt(entry.from + 1499).length, 0);
    assert.deepEqual(
      lab.activeAt(entry.from + 1500).map((e) => e.id),
      [id],
    );
    await sleep(Math.max(0, entry.from + 1500 - Date.now()) + 20);
    assert.equal((await get(lab, 'lb-1')).status, 502);
  });

  test('schedule - a periodic fault is on for durationMs of every everyMs, on the wall clock', async () => {
    const id = await lab.inject({ kind: 'node-502', node: 'lb-2', schedule: { everyMs: 2000, startMs: 0, durationMs: 1000 } });
    const base = Math.ceil(Date.now() / 2000) * 2000 + 20_000;
    assert.deepEqual(
      lab.activeAt(base + 10).map((e) => e.id),
      [id],
    );
    assert.equal(lab.activeAt(base + 999).length, 1);
    assert.equal(lab.activeAt(base + 1000).length, 0);
    assert.equal(lab.activeAt(base + 1999).length, 0);
    assert.equal(lab.activeAt(base + 2000).length, 1);

    // live: inside the next "on" second the node fails, inside the next "off" second it answers
    const nextOn = Math.ceil(Date.now() / 2000) * 2000;
    await sleep(nextOn + 50 - Date.now());
    assert.equal((await get(lab, 'lb-2')).status, 502);
    await sleep(nextOn + 1050 - Date.now());
    assert.equal((await get(lab, 'lb-2')).status, 200);
  });

  test('schedule - node-refuse on a schedule closes and reopens the listener at the window edges', async () => {
    await lab.inject({ kind: 'node-refuse', node: 'lb-3', schedule: { from: 300, to: 900 } });
    assert.equal((await get(lab, 'lb-3')).status, 200);
    await sleep(500);
    assert.equal(await failure(get(lab, 'lb-3')), 'ECONNREFUSED');
    await sleep(700);
    assert.equal((await get(lab, 'lb-3')).status, 200);
    assert.deepEqual(lab.errors, []);
  });

  test('truth - records every inject and clear with its times, and which faults were active when', async () => {
    const before = lab.truth().length;
    const t0 = Date.now();
    const a = await lab.inject({ kind: 'node-502', node: 'lb-1' });
    const b = await lab.inject({ kind: 'origin-500', rate: 0 });
    await sleep(5);
    const t1 = Date.now();
    await lab.clear(a);
    const t2 = Date.now();
    const entries = lab.truth().slice(before);
    assert.equal(entries.length, 2);
    const [ea, eb] = entries;
    assert.ok(ea && eb);
    assert.deepEqual(ea.fault, { kind: 'node-502', node: 'lb-1', rate: 1, schedule: null });
    assert.equal(ea.id, a);
    assert.ok(ea.from >= t0 && ea.from <= t1);
    assert.ok(ea.to !== null && ea.to >= t1 && ea.to <= t2);
    assert.equal(eb.id, b);
    assert.equal(eb.to, null);

    assert.ok(!lab.activeAt(ea.from - 1).some((e) => e.id === a), 'not active before its injection');
    assert.ok(lab.activeAt(ea.from).some((e) => e.id === a), 'active from its injection');
    assert.ok(!lab.activeAt(ea.to).some((e) => e.id === a), 'not active once cleared');
    assert.ok(!lab.activeAt(Date.now()).some((e) => e.id === b), 'rate 0 is never active');

    await lab.clear(a); // twice: a no-op
    await assert.rejects(lab.clear('f999'), { name: 'LabError', code: 'LAB_INVALID_FAULT', message: 'lab.clear: no fault with id "f999"' });
  });

  test('faults - an invalid or unrealisable fault is refused with a message and nothing is recorded', async () => {
    const count = lab.truth().length;
    await assert.rejects(lab.inject({ kind: 'node-502', node: 'lb-9' }), {
      code: 'LAB_INVALID_FAULT',
      message: 'fault node-502: node "lb-9" is not one of this lab\'s nodes (lb-1, lb-2, lb-3)',
    });
    await assert.rejects(lab.inject({ kind: 'node-502', node: 'lb-1', rate: 2 }), {
      code: 'LAB_INVALID_FAULT',
      message: 'fault node-502: rate must be a number from 0 to 1 (got 2)',
    });
    await assert.rejects(lab.inject({ kind: 'explode' } as never), {
      code: 'LAB_INVALID_FAULT',
      message:
        'fault: kind must be one of node-502, node-timeout, node-refuse, node-reset, origin-crash, origin-500, origin-slow, origin-body, path-drop, path-reset, path-delay, dns, cert-expired, geo-dns (got "explode")',
    });
    await assert.rejects(lab.inject({ kind: 'node-timeout', node: 'lb-1', afterMs: 5, extra: 1 } as never), {
      code: 'LAB_INVALID_FAULT',
      message: 'fault node-timeout: unknown key "extra" (allowed: kind, rate, schedule, node, afterMs)',
    });
    await assert.rejects(lab.inject({ kind: 'node-502', node: 'lb-1', schedule: { everyMs: 1000, durationMs: 2000 } }), {
      code: 'LAB_INVALID_FAULT',
      message: 'fault node-502.schedule: durationMs must be > 0 and <= everyMs (1000) (got 2000)',
    });
    await assert.rejects(lab.inject({ kind: 'cert-expired', node: 'lb-1' }), {
      code: 'LAB_UNSUPPORTED',
      message: 'fault cert-expired: needs a lab with https: true',
    });
    await assert.rejects(lab.inject({ kind: 'node-refuse', node: 'lb-1', rate: 0.5 }), {
      code: 'LAB_UNSUPPORTED',
      message:
        "fault node-refuse: rate must be 0 or 1 in userland net mode: a listener cannot refuse some connections and accept others (got 0.5); use node-reset, or netMode 'kernel'",
    });
    await assert.rejects(lab.inject({ kind: 'dns', fault: 'servfail', region: 'eu' }), {
      code: 'LAB_UNSUPPORTED',
      message: "fault dns: a region's own servfail needs per-client faults in lab/dns.ts (it has per-client records only); inject it without region",
    });
    assert.equal(lab.truth().length, count);
  });
});

describe('lab close', () => {
  test('close - leaves nothing listening: nodes, origins and DNS refuse connections afterwards', async () => {
    const lab = await startLab({ name: 'shop.lab', nodes: 2, https: true, regions: { eu: '127.0.1.1' } });
    const endpoints: [string, number][] = [];
    try {
      assert.equal((await get(lab, 'lb-1')).status, 200);
      assert.equal((await get(lab, 'lb-2', { https: true })).status, 200);
      await lab.inject({ kind: 'node-timeout', node: 'lb-1', afterMs: 60_000 });
      for (const n of lab.nodes) endpoints.push([n.ip, lab.httpPort], [n.ip, lab.httpsPort ?? 0]);
      for (const o of lab.origins) endpoints.push([o.host, o.port]);
      const [dnsHost, dnsPort] = lab.dnsAddress.split(':');
      endpoints.push([dnsHost ?? '', Number(dnsPort)]);
      for (const [host, port] of endpoints) assert.equal(await connectError(host, port), 'connected', `${host}:${port} listens while open`);
    } finally {
      // a request held by node-timeout must not keep close() waiting
      const held = get(lab, 'lb-1').catch(() => null);
      await sleep(50);
      await lab.close();
      await held;
    }
    for (const [host, port] of endpoints) assert.equal(await connectError(host, port), 'ECONNREFUSED', `${host}:${port} after close`);
    assert.ok(lab.truth().every((e) => e.to !== null), 'faults still injected at close are recorded as cleared');
    await assert.rejects(lab.inject({ kind: 'origin-500' }), { code: 'LAB_CLOSED' });
    await lab.close(); // twice: a no-op
  });
});
