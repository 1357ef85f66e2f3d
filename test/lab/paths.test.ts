import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { Iptables } from '../../lab/netfault.js';
import { startLab, type Lab } from '../../lab/index.js';

const EU = '127.0.1.1';
const US = '127.0.1.2';

/** One request to one node over a fresh connection from `source`; resolves to the status or the error code. */
async function statusOrCode(lab: Lab, node: string, source: string, timeoutMs = 5000): Promise<number | string> {
  const dispatcher = new Agent({ localAddress: source, connect: { timeout: timeoutMs }, headersTimeout: timeoutMs });
  try {
    const res = await request(`http://${lab.node(node).ip}:${lab.httpPort}/health`, { headers: { host: lab.name }, dispatcher });
    await res.body.text();
    return res.statusCode;
  } catch (err) {
    return String((err as { code?: unknown }).code ?? (err as Error).message);
  } finally {
    await dispatcher.destroy();
  }
}

const RESET = ['ECONNRESET', 'EPIPE'];

describe('path faults (userland)', () => {
  let lab: Lab;

  before(async () => {
    lab = await startLab({ name: 'shop.lab', nodes: 2, regions: { eu: EU, us: US } });
  });
  after(async () => {
    await lab?.close();
  });
  afterEach(async () => {
    await lab.clearAll();
  });

  test('path-reset - resets the region to that node; another region, and the region to another node, are fine', async () => {
    assert.equal(lab.netMode, 'userland');
    await lab.inject({ kind: 'path-reset', region: 'eu', node: 'lb-1' });
    const eu = await statusOrCode(lab, 'lb-1', EU);
    assert.ok(RESET.includes(String(eu)), `eu → lb-1: ${eu}`);
    assert.equal(await statusOrCode(lab, 'lb-1', US), 200);
    assert.equal(await statusOrCode(lab, 'lb-2', EU), 200);
  });

  test('path-drop - the region to that node never gets an answer; another region is fine', async () => {
    await lab.inject({ kind: 'path-drop', region: 'eu', node: 'lb-2' });
    assert.equal(await statusOrCode(lab, 'lb-2', EU, 300), 'UND_ERR_HEADERS_TIMEOUT');
    assert.equal(await statusOrCode(lab, 'lb-2', US), 200);
  });

  test('path-drop - without a node, the region loses every node', async () => {
    await lab.inject({ kind: 'path-drop', region: 'us' });
    assert.equal(await statusOrCode(lab, 'lb-1', US, 300), 'UND_ERR_HEADERS_TIMEOUT');
    assert.equal(await statusOrCode(lab, 'lb-2', US, 300), 'UND_ERR_HEADERS_TIMEOUT');
    assert.equal(await statusOrCode(lab, 'lb-1', EU), 200);
  });

  test('path-delay - the region waits delayMs longer for its answer', async () => {
    await lab.inject({ kind: 'path-delay', region: 'eu', delayMs: 250 });
    const started = performance.now();
    assert.equal(await statusOrCode(lab, 'lb-1', EU), 200);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 250, `answered after ${elapsed} ms`);
  });

  test('path faults - cleared, the region is served again', async () => {
    const id = await lab.inject({ kind: 'path-reset', region: 'eu' });
    assert.ok(RESET.includes(String(await statusOrCode(lab, 'lb-2', EU))));
    await lab.clear(id);
    assert.equal(await statusOrCode(lab, 'lb-2', EU), 200);
  });
});

const iptablesSays = (): string => execFileSync('iptables', ['-w', '5', '-S'], { encoding: 'utf8' });

describe('path faults (kernel)', async () => {
  const why = await Iptables.unavailable();

  test('netMode - auto picks kernel when iptables works, else falls back to userland', async () => {
    const lab = await startLab({ name: 'shop.lab', nodes: 1, netMode: 'auto' });
    try {
      assert.equal(lab.netMode, why === null ? 'kernel' : 'userland');
    } finally {
      await lab.close();
    }
  });

  test('netMode - kernel is refused where iptables cannot be used', { skip: why === null ? 'iptables works here' : false }, async () => {
    await assert.rejects(startLab({ name: 'shop.lab', nodes: 1, netMode: 'kernel' }), { code: 'LAB_UNSUPPORTED' });
  });

  test('path-drop and path-reset - kernel rules on the source/destination pair; close() removes every rule', { skip: why === null ? false : why }, async () => {
    const lab = await startLab({ name: 'shop.lab', nodes: 2, regions: { eu: EU, us: US }, netMode: 'kernel' });
    const chain = new RegExp(`cplab-${process.pid}-\\d+`);
    try {
      assert.equal(lab.netMode, 'kernel');
      const drop = await lab.inject({ kind: 'path-drop', region: 'eu', node: 'lb-1' });
      assert.match(iptablesSays(), new RegExp(`-s ${EU}/32 -d 127\\.0\\.0\\.11/32 -p tcp -m tcp --dport ${lab.httpPort} -j DROP`));
      // the SYN vanishes: the connection is never established
      assert.equal(await statusOrCode(lab, 'lb-1', EU, 500), 'UND_ERR_CONNECT_TIMEOUT');
      assert.equal(await statusOrCode(lab, 'lb-1', US), 200);
      assert.equal(await statusOrCode(lab, 'lb-2', EU), 200);
      await lab.clear(drop);
      assert.doesNotMatch(iptablesSays(), /-j DROP/);
      assert.equal(await statusOrCode(lab, 'lb-1', EU), 200);

      await lab.inject({ kind: 'path-reset', region: 'us' });
      const us = await statusOrCode(lab, 'lb-2', US);
      assert.ok(RESET.includes(String(us)), `us → lb-2: ${us}`);
      assert.equal(await statusOrCode(lab, 'lb-2', EU), 200);
      assert.match(iptablesSays(), chain);
    } finally {
      await lab.close();
    }
    assert.doesNotMatch(iptablesSays(), chain, 'no chain, jump or rule of this process is left');
  });

  test('node-refuse - in kernel mode a rate refuses that share of connections', { skip: why === null ? false : why }, async () => {
    const lab = await startLab({ name: 'shop.lab', nodes: 1, regions: { eu: EU }, netMode: 'kernel', seed: 3 });
    try {
      await lab.inject({ kind: 'node-refuse', node: 'lb-1', rate: 0.5 });
      let refused = 0;
      for (let i = 0; i < 60; i++) if ((await statusOrCode(lab, 'lb-1', EU)) === 'ECONNREFUSED') refused += 1;
      // binomial(60, 0.5): mean 30, sd 3.9
      assert.ok(refused >= 12 && refused <= 48, `${refused} of 60 refused`);
    } finally {
      await lab.close();
    }
  });
});
