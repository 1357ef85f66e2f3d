// npm run build:agent — the agent as ONE file with no native dependencies: dist/crossprobe-agent.mjs.
// Runs with only Node ≥ 20.18 on the VPS: `node $(cat bin/agent-node-flags) crossprobe-agent.mjs agent ...`
// (the flags keep it small; see bin/crossprobe).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outfile = join(root, 'dist', 'crossprobe-agent.mjs');
await build({
  entryPoints: [join(root, 'cli', 'agent-bundle.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: false,
  sourcemap: false,
  legalComments: 'eof',
  define: { __CROSSPROBE_VERSION__: JSON.stringify(version) },
  // CommonJS dependencies (undici, pino) call require() for Node built-ins: give the ESM bundle one.
  banner: { js: "import { createRequire as __cpCreateRequire } from 'node:module'; const require = __cpCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
process.stdout.write(`${outfile}\n`);
