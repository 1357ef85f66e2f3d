import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NatsServer } from '../../helpers/nats-server.js';
import { freePort } from '../../helpers/net.js';
import { CollectorProcess } from '../../helpers/collector-api-process.js';
import { waitFor } from '../../helpers/stream.js';


describe('collector - an API without a token', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossprobe-open-api-'));
  const started: CollectorProcess[] = [];
  let nats: NatsServer;

  before(async () => {
    nats = await NatsServer.start();
  });
  after(async () => {
    for (const c of started) await c.kill();
    await nats?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A collector with `args`, once its start log line is out; its API URL. */
  async function collector(name: string, args: string[]): Promise<{ c: CollectorProcess; api: string }> {
    const port = await freePort();
    const c = CollectorProcess.start(['--nats', nats.url, '--db', join(dir, `${name}.db`), '--listen', `127.0.0.1:${port}`, ...args], { CROSSPROBE_API_TOKEN: '' });
    started.push(c);
    await waitFor(`collector ${name} started`, () => {
      if (!c.running) throw new Error(`the collector exited:\n${c.stderr}`);
      return c.hasLog('collector started');
    }, 30_000);
    return { c, api: `http://127.0.0.1:${port}` };
  }
  // the two collectors share one NATS (one targets bucket): each writes its own id
  const post = (api: string, id: string) =>
    fetch(`${api}/api/v1/targets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, url: 'http://shop.example/' }) });

  it('collector - started without --api-token, it says so and refuses writes (403); reads answer', async () => {
    const { c, api } = await collector('closed', []);
    assert.deepEqual(c.logs.find((l) => l.event === 'collector-started')?.auth, { writes: 'refused', reads: 'open' });
    assert.ok(c.logs.some((l) => l.level === 40 && /^no API token configured: the API refuses every write \(set CROSSPROBE_API_TOKEN or --api-token/.test(String(l.msg))));
    const res = await post(api, 'closed');
    assert.equal(res.status, 403);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'CP_FORBIDDEN');
    assert.match(body.error.message, /Set CROSSPROBE_API_TOKEN \(or --api-token\).* or start the collector with --insecure-open-api/);
    assert.equal((await fetch(`${api}/api/v1/targets`)).status, 200);
  });

  it('collector - --insecure-open-api opens writes, and the start log warns about it', async () => {
    const { c, api } = await collector('open', ['--insecure-open-api']);
    assert.deepEqual(c.logs.find((l) => l.event === 'collector-started')?.auth, { writes: 'open', reads: 'open' });
    assert.ok(c.logs.some((l) => l.level === 40 && /^--insecure-open-api: no API token, and anyone who reaches the API can add/.test(String(l.msg))));
    assert.equal((await post(api, 'open')).status, 201);
  });
});
