import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../../collector/store/index.js';
import { fakeRecord } from '../../helpers/collector-fixtures.js';
import { readDb } from '../../helpers/collector-store.js';
import { NatsServer } from '../../helpers/nats-server.js';
import { freePort } from '../../helpers/net.js';
import { waitFor } from '../../helpers/stream.js';
import { CollectorProcess, runCli } from '../../helpers/collector-api-process.js';

const DAY = 86_400_000;

describe('crossprobe collector process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossprobe-collector-'));
  let nats: NatsServer | null = null;
  const started: CollectorProcess[] = [];

  before(async () => {
    nats = await NatsServer.start();
  });
  after(async () => {
    for (const c of started) await c.kill();
    await nats?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('collector - applies retention at start and every --retention-interval; SIGINT closes the database cleanly', async () => {
    const db = join(dir, 'retention.db');
    const now = Date.now();
    const seed = openStore(db);
    seed.insertResults([
      fakeRecord({ target: 'shop', startedAtMs: now - 3 * DAY }),
      fakeRecord({ target: 'shop', startedAtMs: now - 3 * DAY + 1 }),
      fakeRecord({ target: 'shop', startedAtMs: now - 60_000 }),
    ]);
    seed.close();
    const port = await freePort();
    const collector = CollectorProcess.start([
      '--nats', nats!.url, '--db', db, '--listen', `127.0.0.1:${port}`,
      '--retention-raw', '2d', '--max-window', '1d', '--retention-interval', '1s', '--log-level', 'debug',
    ]);
    started.push(collector);
    await waitFor('the retention run', () => collector.logs.find((l) => l.event === 'retention-applied'), 30_000);
    const report = collector.logs.find((l) => l.event === 'retention-applied')!;
    assert.equal(report.results, 2, 'the two results older than 2 days are deleted');
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/results?target=shop`);
    assert.equal((await res.json() as { results: unknown[] }).results.length, 1, 'the recent one stays');

    // a row that expires while the collector runs goes at the next interval
    const runs = collector.logs.filter((l) => l.event === 'retention-applied').length;
    const late = openStore(db);
    late.insertResults([fakeRecord({ target: 'shop', startedAtMs: Date.now() - 5 * DAY })]);
    late.close();
    const next = await waitFor('a later retention run deleting it', () => collector.logs.filter((l) => l.event === 'retention-applied').slice(runs).find((l) => l.results === 1), 30_000);
    assert.equal(next.results, 1);

    assert.equal(await collector.stop(20_000, 'SIGINT'), 0, collector.stderr);
    assert.ok(collector.hasLog('collector stopped'));
    assert.ok(!existsSync(`${db}-wal`) || statSync(`${db}-wal`).size === 0, 'no WAL left behind');
    const check = readDb(db);
    try {
      assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      check.close();
    }
  });

  it('collector - fails fast, exit 1, when NATS is unreachable or the port is taken, and takes no results', async () => {
    const nowhere = await freePort();
    const noNats = await runCli(['collector', '--nats', `nats://127.0.0.1:${nowhere}`, '--db', join(dir, 'x.db'), '--listen', '127.0.0.1:0']);
    assert.equal(noNats.code, 1);
    assert.match(noNats.stderr, new RegExp(`^crossprobe collector: cannot connect to NATS at nats://127\\.0\\.0\\.1:${nowhere}: `));

    const port = await freePort();
    const first = CollectorProcess.start(['--nats', nats!.url, '--db', join(dir, 'first.db'), '--listen', `127.0.0.1:${port}`]);
    started.push(first);
    await waitFor('the first collector', () => first.hasLog('collector started'), 30_000);
    const busy = await runCli(['collector', '--nats', nats!.url, '--db', join(dir, 'second.db'), '--listen', `127.0.0.1:${port}`]);
    assert.equal(busy.code, 1);
    assert.equal(busy.stderr, `crossprobe collector: cannot listen on 127.0.0.1:${port}: EADDRINUSE\n`);
    const second = readDb(join(dir, 'second.db'));
    try {
      assert.equal(second.prepare('SELECT COUNT(*) FROM results').pluck().get(), 0);
    } finally {
      second.close();
    }
    assert.equal(await first.stop(), 0, first.stderr);
  });
});
