import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ApiHarness, READ_TOKEN, API_TOKEN } from '../../helpers/collector-api-harness.js';
import { runCli } from '../../helpers/collector-api-process.js';
import { TempDir } from '../../helpers/collector-store.js';
import { freePort } from '../../helpers/net.js';
import { seedScenarios } from '../../helpers/report-fixtures.js';

// `crossprobe report` (a real process) against the API listening on a real port, with a read token.

describe('crossprobe report', () => {
  let h: ApiHarness;
  let api = '';
  let end = 0;
  const dir = new TempDir();
  before(async () => {
    h = await ApiHarness.start({ tokens: { api: API_TOKEN, read: READ_TOKEN } });
    end = Math.floor(Date.now() / 60_000) * 60_000;
    seedScenarios(h.store, end, ['www']);
    api = await h.app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await h?.dispose();
    dir.dispose();
  });

  it('report - Markdown on stdout by default, the token from CROSSPROBE_TOKEN', async () => {
    // --until the end of the seeded data: the range is exactly its 24 h however long seeding took
    const run = await runCli(['report', '--api', api, '--target', 'www', '--since', '24h', '--until', new Date(end).toISOString()], { CROSSPROBE_TOKEN: READ_TOKEN });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stdout.startsWith('# crossprobe report: `www`\n'));
    assert.match(run.stdout, /^> \*\*routing\*\* \(confidence \d\.\d\d\): CONNECT_TIMEOUT failures only on the path eu-west→127\.0\.0\.13/m);
    assert.match(run.stdout, /^\| \*\*eu-west\*\* \| 0% \(0\/1440\) \| 0% \(0\/1440\) \| \*\*◆ 13% \(180\/1440\)\*\* \| 4\.2% \(180\/4320\) \|$/m);
  });

  it('report - --format json prints the data; --format html --output writes one file', async () => {
    const json = await runCli(['report', '--api', `${api}/api/v1/`, '--target', 'www', '--since', '6h', '--format', 'json', '--token', READ_TOKEN]);
    assert.equal(json.code, 0, json.stderr);
    const data = JSON.parse(json.stdout) as { kind: string; range: { length: string }; verdict: { verdict: string } };
    assert.deepEqual([data.kind, data.range.length, data.verdict.verdict], ['crossprobe-report', '6h', 'routing']);
    const file = dir.file('www.html');
    const html = await runCli(['report', '--api', api, '--target', 'www', '--since', '24h', '--format', 'html', '--output', file], { CROSSPROBE_API: api, CROSSPROBE_TOKEN: READ_TOKEN });
    assert.equal(html.code, 0, html.stderr);
    assert.equal(html.stdout, '');
    assert.match(html.stderr, new RegExp(`^crossprobe report: wrote ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ bytes\\)\n$`));
    const page = readFileSync(file, 'utf8');
    assert.ok(page.startsWith('<!doctype html>'));
    assert.match(page, /<td class="cell l3 suspect" data-dim="ip" data-row="eu-west" data-col="127\.0\.0\.13"/);
  });

  it('report - errors: the server\'s message and exit 1; bad flags exit 2', async () => {
    const missing = await runCli(['report', '--api', api, '--target', 'nowhere', '--token', READ_TOKEN]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'crossprobe report: target "nowhere" does not exist and has no results (HTTP 404 CP_NOT_FOUND)\n');
    const noToken = await runCli(['report', '--api', api, '--target', 'www']);
    assert.equal(noToken.code, 1);
    assert.equal(noToken.stderr, 'crossprobe report: reads need an "Authorization: Bearer <token>" header (HTTP 401 CP_UNAUTHORIZED)\n');
    const tooLong = await runCli(['report', '--api', api, '--target', 'www', '--since', '500d', '--token', READ_TOKEN]);
    assert.equal(tooLong.code, 1);
    assert.equal(tooLong.stderr, 'crossprobe report: querystring.since: must be at most 400d (got "500d") (HTTP 400 CP_BAD_REQUEST)\n');
    const badFormat = await runCli(['report', '--api', api, '--target', 'www', '--format', 'pdf']);
    assert.equal(badFormat.code, 2);
    assert.equal(badFormat.stderr, 'crossprobe report: format (--format, CROSSPROBE_FORMAT): must be md, html or json (got "pdf")\n');
    const closed = await freePort();
    const unreachable = await runCli(['report', '--api', `http://127.0.0.1:${closed}`, '--target', 'www']);
    assert.equal(unreachable.code, 1);
    assert.equal(unreachable.stderr, `crossprobe report: cannot reach the collector API at http://127.0.0.1:${closed}: ECONNREFUSED\n`);
    const help = await runCli(['report', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: crossprobe report --api URL --target ID/);
  });
});
