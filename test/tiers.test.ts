import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './helpers/paths.js';

const tiers = join(repoRoot, 'scripts', 'tiers.mjs');
const guard = join(repoRoot, 'dist', 'test', 'helpers', 'unit-tier.js');

function tier(name: string): string[] {
  const r = spawnSync(process.execPath, [tiers, name], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n');
}

test('tiers - every test file is in exactly one tier, by what it imports', () => {
  const unit = tier('unit');
  const e2e = tier('e2e');
  assert.deepEqual([...unit, ...e2e].sort(), tier('all'));
  assert.deepEqual(unit.filter((f) => e2e.includes(f)), []);
  // in-process tests
  for (const f of ['dist/test/agent/scheduler.test.js', 'dist/test/collector/diagnosis/diagnose.test.js', 'dist/test/tiers.test.js']) assert.ok(unit.includes(f), `${f} is a unit test`);
  // under e2e/; NATS through a helper's helper; nginx; iptables; the dev story
  for (const f of ['dist/test/e2e/scenarios.test.js', 'dist/test/collector/api/ops.test.js', 'dist/test/agent/probes/provenance.test.js', 'dist/test/agent/probes/connect-timeout.test.js', 'dist/test/dev/story.test.js']) {
    assert.ok(e2e.includes(f), `${f} is an e2e test`);
  }
});

test('tiers - the unit tier refuses to start outside programs, naming the rule', () => {
  const script = `
    import { spawnSync, execSync } from 'node:child_process';
    const tries = [() => spawnSync('nats-server', ['--version']), () => execSync('iptables -S'), () => spawnSync('/usr/sbin/nginx', ['-v'])];
    const said = tries.map((f) => { try { f(); return 'started'; } catch (err) { return err.message; } });
    console.log(JSON.stringify({ said, node: spawnSync(process.execPath, ['--version']).status }));`;
  const r = spawnSync(process.execPath, ['--import', guard, '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const { said, node } = JSON.parse(r.stdout) as { said: string[]; node: number };
  assert.deepEqual(said.map((m) => /^the unit tier does not start (\S+): this test belongs in the e2e tier\. scripts\/tiers\.mjs/.exec(m)?.[1] ?? m), ['nats-server', 'iptables', 'nginx']);
  assert.equal(node, 0, 'other programs start as usual');
});
