import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { binPath } from '../../dev/paths.js';

/** Whether a process runs (signal 0 tests without signalling). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * `crossprobe dev` as the README's first command runs it (here at --speed 4: the whole story in ~1.5 min):
 * real nats-server, collector, three agents and the lab, every step's verdict, and the alerts the
 * collector's webhook sends, received and printed by the demo.
 */
describe('crossprobe dev: the demo story', () => {
  let out = '';
  let pids: number[] = [];
  const dev = spawn(binPath, ['dev', '--speed', '4'], { stdio: ['ignore', 'pipe', 'pipe'] });
  dev.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    pids = [...out.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]));
  });
  let stderr = '';
  dev.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8_000)));
  const exited = new Promise<number | null>((resolve) => dev.once('exit', (code) => resolve(code)));

  after(async () => {
    // a failed or timed-out run: the demo stops its fleet on SIGINT; whatever is left is killed by pid
    if (dev.exitCode === null && dev.signalCode === null) {
      dev.kill('SIGINT');
      const t = setTimeout(() => dev.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(t);
    }
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });

  it('plays every step to its expected verdict, alerts on open, change and resolve, and stops everything it started', { timeout: 240_000 }, async () => {
    const code = await exited;
    assert.equal(code, 0, `crossprobe dev exited ${code}: ${stderr}\n${out}`);

    // the table at the end: step, expected, verdict at the end of the step, seconds to verdict, alerts
    const header = out.split('\n').findIndex((l) => l.startsWith('step ') && l.includes('seconds to verdict'));
    assert.ok(header >= 0, `no summary table:\n${out}`);
    const rows = out.split('\n').slice(header + 1, header + 6).map((l) => l.slice(78).trim().split(/\s{2,}/));
    assert.deepEqual(rows.map(([expect, verdict]) => [expect, verdict]), [
      ['healthy', 'healthy'],
      ['lb-node', 'lb-node'],
      ['routing', 'routing'],
      ['origin', 'origin'],
      ['healthy', 'healthy'],
    ], out);
    for (const [, , seconds] of rows) assert.match(seconds ?? '', /^\d+$/, `every expected verdict is reached:\n${out}`);
    const alerts = rows.map((r) => r[3] ?? '');
    assert.equal(alerts[0], 'none', `a healthy start sends nothing:\n${out}`);
    // The lb-node step opens exactly one incident, first, and resolves nothing. A CHANGED after the
    // open is allowed: on a loaded machine (CI saw "opened 3, changed 11") a starved agent's probes
    // time out and the diagnosis rightly names a second finding beside the lb-node one.
    assert.match(alerts[1]!, /^opened \d+(, changed \d+)*$/, `the lb-node fault opens one incident:\n${out}`);
    assert.match(alerts[2]!, /\bchanged \d+/, `the routing fault changes it:\n${out}`);
    assert.match(alerts[4]!, /^resolved \d+$/, `recovery resolves it:\n${out}`);

    // the alerts as printed when they arrived: the collector's own sentences
    assert.match(out, /alert +\[OPENED\] shop: 502s from lb-node 127\.0\.0\.12\b/);
    assert.match(out, /alert +\[RESOLVED\] shop: healthy again after \d+ (s|min) \(open since /);
    // once the routing fault leads, the next step is a trace from that region, not a proxy's log
    const routing = out.slice(out.indexOf('verdict routing'));
    assert.match(routing.split('\n').find((l) => l.includes('next step:')) ?? '', /mtr .* from an agent in ap-south/);

    // where to look is named before the story starts: the dashboard, the alerts page, how long it lasts
    assert.match(out, /^dashboard +http:\/\/127\.0\.0\.1:\d+\/ /m);
    assert.match(out, /^alerts +http:\/\/127\.0\.0\.1:\d+\/alerts /m);
    assert.match(out, /^The story plays for 90 s, step by step below/m);
    assert.match(out, /stopped: nothing left running\./);
    assert.ok(pids.length >= 5, `the pids of nats-server, the collector and three agents are printed: ${pids.join(', ')}`);
    assert.deepEqual(pids.filter(alive), [], 'no process of the fleet outlives the demo');
  });
});
