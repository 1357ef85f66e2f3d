/**
 * Loaded into every node process of `npm run test:unit` (NODE_OPTIONS=--import): the unit tier runs
 * without NATS, nginx, a browser, iptables, mounts or apt, so starting any of them here fails at once,
 * naming the rule (scripts/tiers.mjs) that should have put the test in the e2e tier.
 */
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import { basename } from 'node:path';

/** Programs the unit tier never starts. */
export const UNIT_REFUSED = /^(nats-server|nginx|chromium|chromium-browser|chrome|google-chrome|headless_shell|mount|umount|iptables|ip6tables|apt-get|apt)$/;

function refuse(file: unknown, args: unknown): void {
  const cmd = String(file);
  // a shell command line: look at each word
  const words = /^(\/bin\/)?(ba)?sh$/.test(cmd) && Array.isArray(args) ? String(args.at(-1)).split(/[\s;&|()]+/) : [cmd];
  const hit = words.map((w) => basename(w)).find((w) => UNIT_REFUSED.test(w));
  if (hit === undefined) return;
  throw new Error(
    `the unit tier does not start ${hit}: this test belongs in the e2e tier. scripts/tiers.mjs decides by imports: ` +
      'import the helper that starts it (or add that helper to E2E_MODULES there).',
  );
}

type Fn = (...a: unknown[]) => unknown;
const mutable = childProcess as unknown as Record<string, Fn>;
for (const name of ['spawn', 'spawnSync', 'execFile', 'execFileSync']) {
  const real = mutable[name]!;
  mutable[name] = function (this: unknown, ...a: unknown[]) {
    refuse(a[0], a[1]);
    return real.apply(this, a);
  };
}
for (const name of ['exec', 'execSync']) {
  const real = mutable[name]!;
  mutable[name] = function (this: unknown, ...a: unknown[]) {
    refuse('sh', ['-c', a[0]]);
    return real.apply(this, a);
  };
}
syncBuiltinESMExports();
