import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { ensureResultsStream, ensureTargetsBucket, heartbeatSubject, resultsSubject, TARGETS_BUCKET } from '../../proto/index.js';
import { agentInboxPrefix, loadNatsAccess, natsConnectOptions } from '../../proto/nats-options.js';
import { addToUsersFile, agentPermissions, collectorPermissions, leafUplinkPermissions, renderUserEntry, USERS_MARKER, type NatsPermissions } from '../../cli/enroll.js';
import { runCli } from '../helpers/collector-api-process.js';
import { connectInspector, deployDir, hubConfig, NatsNode, usersFileWithInspector, writeTestPki } from '../helpers/nats-deploy.js';
import { freePort } from '../helpers/net.js';
import { waitFor } from '../helpers/stream.js';

const INSPECTOR = 'inspector-password-for-tests-only';

/** The subjects of an entry's allow lists, in order: [publish, subscribe]. */
function allowLists(entry: string): [string[], string[]] {
  const lists = [...entry.matchAll(/allow: \[\n([\s\S]*?)\n\s*\]/g)].map((m) => [...m[1]!.matchAll(/^\s*"([^"]+)",?\s+# \S/gm)].map((x) => x[1]!));
  return [lists[0] ?? [], lists[1] ?? []];
}

describe('crossprobe enroll', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossprobe-enroll-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const out = (name: string) => {
    const d = join(dir, name);
    mkdirSync(d);
    return d;
  };

  it('enroll - an agent: its seed in a 0600 file, and the hub entry with each permission and its reason on stdout', async () => {
    const o = out('agent');
    const run = await runCli(['enroll', '--region', 'eu-west', '--id', 'fra-1', '--out', o]);
    assert.equal(run.code, 0, run.stderr);
    const seedFile = join(o, 'eu-west-fra-1.nkey');
    assert.equal(statSync(seedFile).mode & 0o777, 0o600);
    const user = loadNatsAccess({ natsNkey: seedFile }, [])!.identity!.publicKey;
    assert.match(readFileSync(seedFile, 'utf8'), /^SU[A-Z2-7]{56}\n$/);
    assert.match(run.stdout, new RegExp(`^    # agent eu-west/fra-1 \\(crossprobe enroll, \\d{4}-\\d{2}-\\d{2}\\)\n    \\{\n      nkey: ${user}\n`));
    const perms = agentPermissions('eu-west', 'fra-1');
    assert.deepEqual(allowLists(run.stdout), [perms.publish.map((g) => g.subject), perms.subscribe.map((g) => g.subject)], 'every subject has its reason');
    assert.deepEqual(allowLists(run.stdout)[0].slice(0, 2), ['crossprobe.results.eu-west.fra-1', 'crossprobe.heartbeat.eu-west.fra-1']);
    assert.deepEqual(allowLists(run.stdout)[1], ['_INBOX.crossprobe.eu-west.fra-1.>']);
    assert.equal(run.stderr, `agent eu-west/fra-1 is NATS user ${user}; its seed is in ${seedFile}: install it on the agent as /etc/crossprobe/nats.nkey (mode 0600)\nAdd the entry above to the hub's users file (or use --users-file), then: systemctl reload nats-server\n`);
  });

  it('enroll --users-file - the entry goes above the marker; a second one for the same agent, a file without the marker, or an existing seed file are refused and leave nothing behind', async () => {
    const o = out('users');
    const users = join(o, 'crossprobe-users.conf');
    writeFileSync(users, readFileSync(join(deployDir, 'nats', 'crossprobe-users.conf'), 'utf8'), { mode: 0o640 });
    const first = await runCli(['enroll', '--region', 'eu-west', '--id', 'fra-1', '--out', o, '--users-file', users]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, '');
    const text = readFileSync(users, 'utf8');
    assert.ok(text.indexOf('# agent eu-west/fra-1 (') < text.indexOf(USERS_MARKER));
    assert.equal(statSync(users).mode & 0o777, 0o640, 'mode kept');

    const again = await runCli(['enroll', '--region', 'eu-west', '--id', 'fra-1', '--out', out('users-2'), '--users-file', users]);
    assert.deepEqual({ code: again.code, stderr: again.stderr }, { code: 2, stderr: `crossprobe enroll: usersFile (--users-file): ${users} already has an entry for agent eu-west/fra-1; remove it first to enroll it again\n` });
    assert.equal(existsSync(join(dir, 'users-2', 'eu-west-fra-1.nkey')), false, 'no seed without its entry');
    assert.equal(readFileSync(users, 'utf8'), text, 'the users file is unchanged');

    const bare = join(o, 'bare.conf');
    writeFileSync(bare, 'users: [\n]\n');
    const noMarker = await runCli(['enroll', '--region', 'eu-west', '--id', 'fra-2', '--out', o, '--users-file', bare]);
    assert.deepEqual({ code: noMarker.code, stderr: noMarker.stderr }, { code: 2, stderr: `crossprobe enroll: usersFile (--users-file): ${bare} has no line "${USERS_MARKER}" (start from deploy/nats/crossprobe-users.conf), or paste the entry by hand\n` });
    assert.equal(existsSync(join(o, 'eu-west-fra-2.nkey')), false);

    const exists = await runCli(['enroll', '--region', 'eu-west', '--id', 'fra-1', '--out', o]);
    assert.deepEqual({ code: exists.code, stderr: exists.stderr }, { code: 2, stderr: `crossprobe enroll: out (--out): ${join(o, 'eu-west-fra-1.nkey')} exists already; move it away to enroll agent eu-west/fra-1 again\n` });
  });

  it('enroll --collector and --leaf - their own entries; the leaf gets its uplink URLs, one per hub node, in a 0600 file', async () => {
    const o = out('others');
    const c = await runCli(['enroll', '--collector', '--out', o]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(statSync(join(o, 'collector.nkey')).mode & 0o777, 0o600);
    const cp = collectorPermissions();
    assert.deepEqual(allowLists(c.stdout), [cp.publish.map((g) => g.subject), cp.subscribe.map((g) => g.subject)]);

    const l = await runCli(['enroll', '--leaf', '--region', 'ap-south', '--hub', 'hub-1.example.net:7422,hub-2.example.net:7422', '--out', o]);
    assert.equal(l.code, 0, l.stderr);
    const uplink = readFileSync(join(o, 'leaf-ap-south-uplink.conf'), 'utf8');
    assert.equal(statSync(join(o, 'leaf-ap-south-uplink.conf')).mode & 0o777, 0o600);
    const m = /^CROSSPROBE_HUB_UPLINKS: \[ "nats-leaf:\/\/leaf-ap-south:([\w-]{43})@hub-1\.example\.net:7422", "nats-leaf:\/\/leaf-ap-south:\1@hub-2\.example\.net:7422" \]$/m.exec(uplink);
    assert.ok(m, uplink);
    assert.match(l.stdout, new RegExp(`user: "leaf-ap-south"\n      password: "${m[1]}"\n      allowed_connection_types: \\["LEAFNODE"\\]`));
    const lp = leafUplinkPermissions('ap-south');
    assert.deepEqual(allowLists(l.stdout), [lp.publish.map((g) => g.subject), lp.subscribe.map((g) => g.subject)]);
    assert.deepEqual(lp.subscribe.map((g) => g.subject), ['_INBOX.crossprobe.ap-south.>']);
  });

  it('enroll - usage errors exit 2 and say what is missing', async () => {
    const o = out('usage');
    const cases: [string[], RegExp][] = [
      [['--region', 'eu-west'], /^crossprobe enroll: id \(--id\): is required\n/],
      [['--id', 'x'], /^crossprobe enroll: region \(--region\): is required\n/],
      [['--collector', '--region', 'eu-west'], /^crossprobe enroll: --collector takes neither --region nor --id\n$/],
      [['--leaf', '--region', 'eu-west'], /^crossprobe enroll: hub \(--hub\): is required with --leaf/],
      [['--leaf', '--collector'], /^crossprobe enroll: give one of --collector, --leaf and --cluster, not --collector and --leaf\n/],
      [['--cluster'], /^crossprobe enroll: hub \(--hub\): is required with --cluster: every hub node's cluster HOST:PORT, e\.g\. hub-1\.example\.net:6222,/],
      [['--cluster', '--hub', 'h:6222', '--users-file', '/etc/nats/crossprobe-users.conf'], /^crossprobe enroll: usersFile \(--users-file\): --cluster adds no user; its file goes to every hub node as \/etc\/nats\/hub-routes\.conf\n$/],
      [['--cluster', '--hub', 'h:6222', '--region', 'eu-west'], /^crossprobe enroll: --cluster takes neither --region nor --id\n$/],
      [['--region', 'EU', '--id', 'x'], /^crossprobe enroll: region \(--region, CROSSPROBE_REGION\): must be 1–63 characters/],
    ];
    for (const [args, stderr] of cases) {
      const run = await runCli(['enroll', ...args, '--out', o]);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, stderr);
    }
  });
});

describe('crossprobe enroll - the agent permissions against a real hub', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossprobe-enroll-hub-'));
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  let hub: NatsNode;
  let caFile = '';
  let inspector: NatsConnection;
  let seedFile = '';
  // ~2.4 MB of targets: enough for the server to ask the KV watch for flow control
  const KEYS = 600;

  before(async () => {
    ({ caFile } = await writeTestPki(dir));
    usersFileWithInspector(dir, INSPECTOR);
    mkdirSync(join(dir, 'keys'));
    const run = await runCli(['enroll', '--region', 'eu-west', '--id', 'a', '--out', join(dir, 'keys')]);
    assert.equal(run.code, 0, run.stderr);
    seedFile = join(dir, 'keys', 'eu-west-a.nkey');
    const ports = { client: await freePort(), http: await freePort(), leaf: await freePort() };
    hub = await NatsNode.start(dir, 'hub-1', hubConfig('hub', dir, 'hub-1', ports), ports);
    cleanups.push(() => hub.stop());
    inspector = await connectInspector(hub.url, caFile, INSPECTOR);
    cleanups.push(() => inspector.close());
    await ensureResultsStream(await inspector.jetstreamManager());
    const kv = await ensureTargetsBucket(inspector);
    const value = new Uint8Array(4_000).fill(0x61);
    for (let i = 0; i < KEYS; i += 100) await Promise.all(Array.from({ length: 100 }, (_, j) => kv.put(`t${i + j}`, value)));
  });

  after(async () => {
    for (const c of cleanups.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Puts the agent's entry with `perms` in the users file and reloads the hub. */
  async function grant(perms: NatsPermissions): Promise<void> {
    const users = usersFileWithInspector(dir, INSPECTOR);
    const user = loadNatsAccess({ natsNkey: seedFile }, [])!.identity!.publicKey;
    addToUsersFile(users, { tag: 'agent eu-west/a', entry: renderUserEntry('agent eu-west/a (test)', [`nkey: ${user}`], perms) });
    const reloads = hub.log.split('Reloaded server configuration').length;
    hub.reload();
    await waitFor('the hub reloaded', () => hub.log.split('Reloaded server configuration').length > reloads);
  }

  /** What an agent does over NATS: a result, a heartbeat, the whole targets bucket. The first thing refused, or null. */
  async function agentWork(): Promise<string | null> {
    const access = loadNatsAccess({ natsCa: caFile, natsNkey: seedFile }, [hub.url]);
    const nc = await connect({ ...natsConnectOptions([hub.url], access), inboxPrefix: agentInboxPrefix('eu-west', 'a') });
    const refused: string[] = [];
    void (async () => {
      for await (const s of nc.status()) {
        const ctx = (s as { permissionContext?: { operation: string; subject: string } }).permissionContext;
        if (ctx) refused.push(`${ctx.operation} ${ctx.subject}`);
      }
    })();
    try {
      try {
        await nc.jetstream().publish(resultsSubject('eu-west', 'a'), new Uint8Array([1]), { msgID: `${Date.now()}-${Math.random()}`, timeout: 2_000 });
      } catch (err) {
        return `result: ${(err as Error).message}`;
      }
      nc.publish(heartbeatSubject('eu-west', 'a'), new Uint8Array([1]));
      await nc.flush();
      try {
        const kv = await nc.jetstream().views.kv(TARGETS_BUCKET, { bindOnly: true });
        const watch = await kv.watch();
        let seen = 0;
        const stall = setTimeout(() => watch.stop(), 8_000);
        for await (const _ of watch) if (++seen === KEYS) break;
        clearTimeout(stall);
        watch.stop();
        if (seen < KEYS) return `targets: the watch stalled after ${seen} of ${KEYS}${refused.length ? ` (${refused.join(', ')})` : ''}`;
      } catch (err) {
        return `targets: ${(err as Error).message}`;
      }
      await nc.flush();
      return refused.length ? refused.join(', ') : null;
    } finally {
      await nc.close();
    }
  }

  it('enroll - an agent with exactly its entry works: result, heartbeat, the whole targets bucket', async () => {
    await grant(agentPermissions('eu-west', 'a'));
    assert.equal(await agentWork(), null);
    assert.doesNotMatch(hub.log, /Violation/);
  });

  it('enroll - every permission of that entry an agent on the hub uses is needed: without it, something fails', async () => {
    const full = agentPermissions('eu-west', 'a');
    // the $JS.hub.API ones serve agents behind a leaf node (the leaf test covers them), and the plain
    // CONSUMER.CREATE one a watch re-created after a reconnect (the cluster test kills a node under it)
    const used = (s: string) => !s.startsWith('$JS.hub.') && s !== '$JS.API.CONSUMER.CREATE.KV_crossprobe_targets';
    const outcomes: Record<string, string | null> = {};
    for (const kind of ['publish', 'subscribe'] as const) {
      for (const g of full[kind].filter((x) => used(x.subject))) {
        // an empty allow list would mean "no limit": an unrelated subject keeps the list closed
        const rest = full[kind].filter((x) => x !== g);
        await grant({ ...full, [kind]: rest.length ? rest : [{ subject: 'crossprobe.test.nothing', why: 'test: nothing' }] });
        outcomes[`${kind} ${g.subject}`] = await agentWork();
      }
    }
    const unexplained = Object.entries(outcomes).filter(([, failure]) => failure === null);
    assert.deepEqual(unexplained, [], `permissions nothing needed:\n${JSON.stringify(outcomes, null, 2)}`);
    assert.equal(Object.keys(outcomes).length, 6);
    assert.match(outcomes['publish $JS.FC.KV_crossprobe_targets.>']!, /^targets: the watch stalled after \d+ of 600/);
    assert.match(outcomes['publish crossprobe.heartbeat.eu-west.a']!, /publish crossprobe\.heartbeat\.eu-west\.a/);
    assert.match(outcomes['subscribe _INBOX.crossprobe.eu-west.a.>']!, /^result: /);
    for (const [grant, failure] of Object.entries(outcomes)) process.stdout.write(`# without ${grant}: ${failure}\n`);
  });
});
