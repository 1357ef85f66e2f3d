// Regenerates proto/gen/ (static protobufjs code + its TypeScript declarations) from proto/crossprobe.proto.
// Usage: npm run proto            (writes proto/gen/)
//        node scripts/gen-proto.mjs --out DIR   (writes elsewhere; the test that checks proto/gen/ is current uses this)
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outFlag = process.argv.indexOf('--out');
const out = outFlag > 0 ? process.argv[outFlag + 1] : join(root, 'proto', 'gen');
mkdirSync(out, { recursive: true });
const bin = (name) => join(root, 'node_modules', '.bin', name);
const js = join(out, 'crossprobe.js');
execFileSync(bin('pbjs'), ['-t', 'static-module', '-w', 'es6', '--no-beautify', '--force-number', '-o', js, join(root, 'proto', 'crossprobe.proto')], { stdio: 'inherit' });
execFileSync(bin('pbts'), ['--no-comments', '-o', join(out, 'crossprobe.d.ts'), js], { stdio: 'inherit' });
