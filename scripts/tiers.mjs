#!/usr/bin/env node
// Which compiled test files make up a tier: `node scripts/tiers.mjs unit|e2e|all` prints them, one a line.
//
// The rule, decided from the code so that a new test lands in the right tier by itself:
//   e2e  - a test file under a folder named e2e/, or one that imports, directly or through any chain of
//          relative imports, a module that starts or drives an outside program: NATS, nginx, a browser,
//          iptables, mounts (E2E_MODULES below) or the dev story (anything under dev/).
//   unit - every other test file: in-process, on loopback only; seconds for the whole tier.
// `npm run test:unit` enforces it at run time too: it loads test/helpers/unit-tier.ts into every node
// process, which refuses to start any program of UNIT_REFUSED there, saying which tier the test belongs to.
// A new helper that starts such a program belongs in E2E_MODULES.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/** Modules (paths under dist/, without .js) that start or drive an outside program. */
export const E2E_MODULES = [
  'test/helpers/nats-server', // nats-server
  'test/helpers/nats-deploy', // nats-server with the shipped deploy configs
  'test/helpers/nginx', // nginx
  'test/helpers/browser', // chromium
  'test/helpers/tmpfs', // mount/umount (root)
  'test/helpers/iptables', // iptables (root)
  'test/helpers/e2e-fleet', // nats-server, collector, agents and the lab
  'lab/netfault', // iptables (root)
  'lab/index', // the lab: its faults use iptables where it works
];
const E2E_DIRS = ['dev/']; // the dev story: nats-server, collector, agents

/** Every *.test.js under dist/test, sorted, as paths relative to the repository root. */
function testFiles() {
  const out = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.test.js')) out.push(relative(root, p));
    }
  };
  walk(join(dist, 'test'));
  return out.sort();
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|(?:^|[\s;(])import\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/gm;
const importsOf = new Map();
/** The compiled modules `file` (absolute) imports by relative specifier. */
function imports(file) {
  let list = importsOf.get(file);
  if (list) return list;
  list = [];
  const src = readFileSync(file, 'utf8');
  for (const m of src.matchAll(IMPORT)) {
    const target = resolve(dirname(file), m[1] ?? m[2]);
    if (existsSync(target)) list.push(target);
  }
  importsOf.set(file, list);
  return list;
}

/** Why `test` (relative path) is e2e, or null for unit. */
export function e2eBecause(test) {
  if (test.split('/').slice(0, -1).includes('e2e')) return 'under an e2e/ folder';
  const seen = new Set();
  const stack = [[resolve(root, test), []]];
  while (stack.length > 0) {
    const [file, chain] = stack.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    const mod = relative(dist, file).replace(/\.js$/, '');
    if (file !== resolve(root, test) && (E2E_MODULES.includes(mod) || E2E_DIRS.some((d) => mod.startsWith(d)))) {
      return `imports ${chain.join(' → ')}`;
    }
    for (const next of imports(file)) stack.push([next, [...chain, relative(dist, next)]]);
  }
  return null;
}

export function tier(name) {
  const all = testFiles();
  if (all.length === 0) throw new Error('no compiled tests under dist/test (run npm run build)');
  if (name === 'all') return all;
  if (name === 'e2e') return all.filter((t) => e2eBecause(t) !== null);
  if (name === 'unit') return all.filter((t) => e2eBecause(t) === null);
  throw new Error(`unknown tier ${name} (unit, e2e or all)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [name = 'all', flag] = process.argv.slice(2);
  try {
    for (const t of tier(name)) console.log(flag === '--why' ? `${t}\t${e2eBecause(t) ?? 'unit'}` : t);
  } catch (err) {
    console.error(`crossprobe tiers: ${err.message}`);
    process.exit(1);
  }
}
