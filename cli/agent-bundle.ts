/**
 * Entry of the single-file agent bundle (`npm run build:agent` → dist/crossprobe-agent.mjs): only
 * `agent` and `version`, so the bundle carries no native module (the collector's SQLite) and needs
 * nothing but Node on the VPS.
 */
import { VERSION } from '../proto/index.js';
import { agentCommand } from './agent.js';
import { exitWith, runCommand } from './run.js';

async function main([name, ...rest]: string[]): Promise<number> {
  if (name === 'version' || name === '--version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (name !== 'agent') {
    process.stderr.write('Usage: node crossprobe-agent.mjs agent [options]   (agent --help lists them)\n');
    return 2;
  }
  return runCommand('agent', () => agentCommand(rest));
}

exitWith(main(process.argv.slice(2)));
