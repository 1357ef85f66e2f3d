import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../proto/index.js';
import { parseCollectorConfig } from '../../../collector/config.js';

// The collector's configuration lives beside its API; these tests sit with the API tests.
describe('collector config', () => {
  it('collector config - defaults, with the state directory systemd gives', () => {
    const c = parseCollectorConfig([], { STATE_DIRECTORY: '/var/lib/crossprobe' });
    assert.deepEqual(c, {
      nats: ['nats://127.0.0.1:4222'],
      db: '/var/lib/crossprobe/collector.db',
      listen: { host: '127.0.0.1', port: 8080 },
      apiToken: null,
      readToken: null,
      // no token and not told to be open: the API refuses writes
      insecureOpenApi: false,
      retention: { rawMs: 14 * 86_400_000, rollupMs: 400 * 86_400_000, rejectsMs: 14 * 86_400_000, intervalMs: 3_600_000 },
      windows: { shortMs: 300_000, longMs: 3_600_000, maxMs: 7 * 86_400_000 },
      heartbeatIntervalMs: 5_000,
      incidents: { intervalMs: 30_000, resolveAfterMs: 300_000, confirmEvaluations: 2 },
      allowPrivateTargets: false,
      streamReplicas: 1,
      ingest: { maxResultTargets: 20_000, maxServingNodes: 1_000, maxRejects: 100_000, maxClockSkewMs: 300_000 },
      webhooks: [],
      publicUrl: null,
      logLevel: 'info',
    });
    assert.ok(Object.isFrozen(c));
  });

  it('collector config - webhooks, public URL and incident settings', () => {
    const c = parseCollectorConfig(
      ['--webhook', 'https://hooks.example.net/a', '--slack-webhook', 'https://hooks.slack.com/services/T/B/x', '--public-url', 'https://crossprobe.example.net/', '--resolve-after', '10m', '--confirm-evaluations', '3'],
      {},
    );
    assert.deepEqual(c.webhooks, [
      { url: 'https://hooks.example.net/a', format: 'json' },
      { url: 'https://hooks.slack.com/services/T/B/x', format: 'slack' },
    ]);
    assert.equal(c.publicUrl, 'https://crossprobe.example.net');
    assert.deepEqual(c.incidents, { intervalMs: 30_000, resolveAfterMs: 600_000, confirmEvaluations: 3 });
    assert.throws(() => parseCollectorConfig(['--webhook', 'hooks.example.net'], {}), { message: 'webhook[0] (--webhook, CROSSPROBE_WEBHOOK): must be an http:// or https:// URL (got "hooks.example.net")' });
    assert.throws(() => parseCollectorConfig(['--confirm-evaluations', '0'], {}), { message: /confirmEvaluations \(--confirm-evaluations, CROSSPROBE_CONFIRM_EVALUATIONS\): must be a whole number from 1 to 100/ });
  });

  it('collector config - flags, then environment, then the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'crossprobe-config-'));
    try {
      const file = join(dir, 'collector.yaml');
      writeFileSync(file, 'listen: "[::1]:9090"\nshortWindow: 20s\nlongWindow: 60s\n');
      const c = parseCollectorConfig(['--config', file, '--long-window', '2m', '--api-token', 'a'.repeat(32)], {
        CROSSPROBE_SHORT_WINDOW: '30s',
        CROSSPROBE_READ_TOKEN: 'r'.repeat(32),
        CROSSPROBE_NATS: 'nats://10.0.0.1:4222, nats://10.0.0.2:4222',
      });
      assert.deepEqual(c.listen, { host: '::1', port: 9090 });
      assert.deepEqual(c.windows, { shortMs: 30_000, longMs: 120_000, maxMs: 7 * 86_400_000 });
      assert.equal(c.apiToken, 'a'.repeat(32));
      assert.equal(c.readToken, 'r'.repeat(32));
      assert.equal(c.insecureOpenApi, false, 'writes are refused without a token unless told otherwise');
      assert.deepEqual(c.nats, ['nats://10.0.0.1:4222', 'nats://10.0.0.2:4222']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('collector config - every mistake is refused with a message naming the key', () => {
    const cases: [string[], NodeJS.ProcessEnv, string][] = [
      [['--listen', 'localhost'], {}, 'listen (--listen, CROSSPROBE_LISTEN): must be HOST:PORT, e.g. 127.0.0.1:8080 or [::]:8080 (got "localhost")'],
      [['--listen', '127.0.0.1:99999'], {}, 'listen (--listen, CROSSPROBE_LISTEN): port must be at most 65535 (got 99999)'],
      [['--short-window', '2h'], {}, 'shortWindow (--short-window, CROSSPROBE_SHORT_WINDOW): must not exceed longWindow (1h); got 2h'],
      [[], { CROSSPROBE_LONG_WINDOW: '5x' }, 'longWindow (--long-window, CROSSPROBE_LONG_WINDOW): must be a duration such as 500ms, 30s, 15m or 1h (got "5x")'],
      [['--read-token', 'r'.repeat(20)], {}, 'readToken (--read-token, CROSSPROBE_READ_TOKEN): needs an API token too (--api-token), or writes would be open while reads are not'],
      [['--api-token', 'short'], {}, 'apiToken (--api-token, CROSSPROBE_API_TOKEN): must be at least 16 characters without spaces (e.g. from: openssl rand -hex 32) (got "short")'],
      [['--api-token', 'a'.repeat(20), '--read-token', 'a'.repeat(20)], {}, 'readToken (--read-token, CROSSPROBE_READ_TOKEN): must differ from the API token'],
      [['--insecure-open-api'], { CROSSPROBE_API_TOKEN: 'a'.repeat(20) }, 'insecureOpenApi (--insecure-open-api, CROSSPROBE_INSECURE_OPEN_API): an API token is set, so writes need it; drop one of the two'],
      [[], { CROSSPROBE_INSECURE_OPEN_API: 'maybe' }, 'insecureOpenApi (CROSSPROBE_INSECURE_OPEN_API): must be true or false (got "maybe")'],
      [['--retention-raw', '1d'], {}, 'retentionRaw (--retention-raw, CROSSPROBE_RETENTION_RAW): must be at least maxWindow (7d), or diagnoses would read deleted results; got 1d'],
      [['--heartbeat-interval', '0s'], {}, 'heartbeatInterval (--heartbeat-interval, CROSSPROBE_HEARTBEAT_INTERVAL): must be more than 0 (got "0s")'],
      // timers: past setTimeout's 24.8-day limit Node fires after 1 ms
      [['--incident-interval', '30d'], {}, 'incidentInterval (--incident-interval, CROSSPROBE_INCIDENT_INTERVAL): must be at most 24h (got "30d")'],
      [['--retention-interval', '25h'], {}, 'retentionInterval (--retention-interval, CROSSPROBE_RETENTION_INTERVAL): must be at most 24h (got "25h")'],
      [['--heartbeat-interval', '2d'], {}, 'heartbeatInterval (--heartbeat-interval, CROSSPROBE_HEARTBEAT_INTERVAL): must be at most 24h (got "2d")'],
      [['--retention-raw', `${'9'.repeat(309)}d`], {}, 'retentionRaw (--retention-raw, CROSSPROBE_RETENTION_RAW): must be at most 3650d (got "' + '9'.repeat(309) + 'd")'],
      [['--nats', 'http://x'], {}, 'nats (--nats, CROSSPROBE_NATS): "http://x" is not a NATS URL; expected e.g. nats://127.0.0.1:4222'],
      [['--colour', 'x'], {}, "Unknown option '--colour' (see --help)"],
      [['extra'], {}, 'unexpected argument "extra" (see --help)'],
    ];
    for (const [argv, env, message] of cases) {
      assert.throws(() => parseCollectorConfig(argv, env), (err: unknown) => err instanceof ConfigError && err.message === message, `${argv.join(' ')} ${JSON.stringify(env)}`);
    }
  });
});
