import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { ensureTargetsBucket, targetFromWire } from '../../../proto/index.js';
import { NatsServer } from '../../helpers/nats-server.js';
import { freePort } from '../../helpers/net.js';
import { CollectorProcess, runCli } from '../../helpers/collector-api-process.js';
import { waitFor } from '../../helpers/wait.js';

const TOKEN = 'cli-api-token-0123456789abcdef';

describe('crossprobe targets and diagnose against a real collector', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossprobe-cli-'));
  let nats: NatsServer | null = null;
  let nc: NatsConnection | null = null;
  let collector: CollectorProcess | null = null;
  let api = '';

  before(async () => {
    nats = await NatsServer.start();
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    collector = CollectorProcess.start(['--nats', nats.url, '--db', join(dir, 'c.db'), '--listen', `127.0.0.1:${port}`, '--api-token', TOKEN]);
    const c = collector;
    await waitFor('the collector to answer /healthz', async () => {
      if (!c.running) throw new Error(`collector did not come up:\n${c.stderr}`);
      return (await fetch(`${api}/healthz`).then((r) => r.status, () => 0)) === 200;
    }, { timeoutMs: 30_000, intervalMs: 200, detail: () => `collector did not come up:\n${c.stderr}` });
    nc = await connect({ servers: nats.url });
  });

  after(async () => {
    await nc?.close();
    await collector?.kill();
    await nats?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const targets = (...args: string[]) => runCli(['targets', ...args, '--api', api]);

  it('targets add - flags become a target in the KV bucket; it prints what it did', async () => {
    const run = await targets('add', '--token', TOKEN, '--id', 'shop', '--url', 'https://shop.example.com/health', '--interval', '30s', '--timeout', '5s',
      '--body-contains', 'ok', '--regions', 'eu-west,us-east', '--no-resolve-all', '--identity', 'x-served-by', '--status', '200-299');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'added target shop: GET https://shop.example.com/health every 30s (timeout 5s), regions eu-west,us-east\n');
    const t = targetFromWire((await (await ensureTargetsBucket(nc!)).get('shop'))!.value);
    assert.deepEqual(
      { interval: t.intervalMs, timeout: t.timeoutMs, body: t.bodyContains, regions: t.regions, resolveAll: t.resolveAll, identity: t.identity.map((i) => i.header), status: t.expectStatus },
      { interval: 30_000, timeout: 5_000, body: 'ok', regions: ['eu-west', 'us-east'], resolveAll: false, identity: ['x-served-by'], status: [200, 299] },
    );
  });

  it('targets add - failures exit non-zero with the server\'s message', async () => {
    const noToken = await targets('add', '--id', 'x', '--url', 'http://x.example/');
    assert.equal(noToken.code, 1);
    assert.equal(noToken.stderr, 'crossprobe targets add: writes need an "Authorization: Bearer <token>" header (HTTP 401 CP_UNAUTHORIZED)\n');
    const badInterval = await targets('add', '--token', TOKEN, '--id', 'x', '--url', 'http://x.example/', '--interval', '100ms');
    assert.equal(badInterval.code, 1);
    assert.equal(badInterval.stderr, 'crossprobe targets add: body.interval: must be at least 200ms (got "100ms") (HTTP 400 CP_BAD_REQUEST)\n');
    const exists = await targets('add', '--token', TOKEN, '--id', 'shop', '--url', 'http://x.example/');
    assert.equal(exists.code, 1);
    assert.match(exists.stderr, /target "shop" already exists; use PUT .* \(HTTP 409 CP_CONFLICT\)/);
    const both = await targets('add', '--token', TOKEN, '--id', 'x', '--url', 'http://x.example/', '--resolve-all', '--no-resolve-all');
    assert.equal(both.code, 2);
    assert.equal(both.stderr, 'crossprobe targets: --resolve-all and --no-resolve-all contradict each other; give one\n');
    const closed = await freePort();
    const unreachable = await runCli(['targets', 'list', '--api', `http://127.0.0.1:${closed}`]);
    assert.equal(unreachable.code, 1);
    assert.equal(unreachable.stderr, `crossprobe targets list: cannot reach the collector API at http://127.0.0.1:${closed}: ECONNREFUSED\n`);
    const noApi = await runCli(['targets', 'list']);
    assert.equal(noApi.code, 2);
    assert.equal(noApi.stderr, 'crossprobe targets: api (--api, CROSSPROBE_API): is required\n');
  });

  it('targets add --file - every target of a file, checked before the first is sent; --replace replaces', async () => {
    const file = join(dir, 'targets.yaml');
    writeFileSync(file, 'targets:\n  - id: api\n    url: http://api.example/\n    interval: 10s\n  - id: www\n    url: http://www.example/\n');
    const run = await targets('add', '--token', TOKEN, '--file', file);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split('\n').map((l) => l.split(':')[0]), ['added target api', 'added target www']);
    const again = await targets('add', '--token', TOKEN, '--file', file, '--replace');
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(again.stdout.trim().split('\n').map((l) => l.split(':')[0]), ['replaced target api', 'replaced target www']);

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'targets:\n  - id: ok-one\n    url: http://ok.example/\n  - id: broken\n    url: http://b.example/\n    interval: soon\n');
    const refused = await targets('add', '--token', TOKEN, '--file', bad);
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr, `crossprobe targets: ${bad}: targets[1].interval: must be a duration such as 500ms, 30s, 15m or 1h (got "soon")\n`);
    const list = await targets('list', '--json');
    const ids = (JSON.parse(list.stdout) as { targets: { target: { id: string } }[] }).targets.map((t) => t.target.id);
    assert.deepEqual(ids, ['api', 'shop', 'www'], 'nothing of the bad file was added');
  });

  it('targets list and rm - a table of targets; rm removes, and says so; an unknown id is an error', async () => {
    const list = await targets('list');
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout.trim().split('\n');
    assert.match(lines[0]!, /^ID\s+METHOD\s+URL\s+INTERVAL\s+TIMEOUT\s+REGIONS\s+RESOLVE-ALL$/);
    assert.match(lines.find((l) => l.startsWith('shop'))!, /^shop\s+GET\s+https:\/\/shop\.example\.com\/health\s+30s\s+5s\s+eu-west,us-east\s+false$/);
    const rm = await targets('rm', '--token', TOKEN, 'api', 'www');
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal(rm.stdout, 'removed target api\nremoved target www\n');
    const entry = await (await ensureTargetsBucket(nc!)).get('api');
    assert.ok(entry === null || entry.operation === 'DEL');
    const again = await targets('rm', '--token', TOKEN, 'api');
    assert.equal(again.code, 1);
    assert.equal(again.stderr, 'crossprobe targets rm: target "api" does not exist (HTTP 404 CP_NOT_FOUND)\n');
  });

  it('diagnose - a healthy target prints its verdict; an unknown one or a bad window exits non-zero with the reason', async () => {
    const ok = await runCli(['diagnose', '--api', api, '--target', 'shop', '--window', '15m']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^shop: healthy {3}\(window \S+ → \S+\)\n\nNo failure pattern stands out from probe noise\.\n\nNo probe results in the window\.\n$/);
    const json = await runCli(['diagnose', '--api', api, '--target', 'shop', '--json']);
    assert.deepEqual(Object.keys(JSON.parse(json.stdout) as object).sort(), ['findings', 'target', 'verdict', 'window']);
    const unknown = await runCli(['diagnose', '--api', api, '--target', 'nope']);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, 'crossprobe diagnose: target "nope" does not exist and has no results (HTTP 404 CP_NOT_FOUND)\n');
    const window = await runCli(['diagnose', '--api', api, '--target', 'shop', '--window', '5x']);
    assert.equal(window.code, 2);
    assert.equal(window.stderr, 'crossprobe diagnose: window (--window, CROSSPROBE_WINDOW): must be a duration such as 30s, 15m or 24h (got "5x")\n');
  });
});
