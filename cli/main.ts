#!/usr/bin/env node
import { VERSION } from '../proto/index.js';
import { agentCommand } from './agent.js';
import { exitWith, runCommand } from './run.js';

/** One crossprobe subcommand: returns the process exit code. */
interface Command {
  readonly summary: string;
  run(argv: string[]): Promise<number>;
}

/** The registry of subcommands: adding one is one entry here. */
const COMMANDS: Record<string, Command> = {
  agent: { summary: 'probe targets and publish every result over NATS', run: agentCommand },
  // loaded on use: the agent must never load the collector's native SQLite module or fastify
  collector: {
    summary: 'ingest results, store them, serve the API and the diagnosis',
    run: async (argv) => (await import('./collector.js')).collectorCommand(argv),
  },
  targets: {
    summary: 'manage targets through the collector API (targets add|list|rm)',
    run: async (argv) => (await import('./targets.js')).targetsCommand(argv),
  },
  enroll: {
    summary: 'create a NATS user (nkey) for an agent, the collector or a leaf node, and its hub authorization entry',
    run: async (argv) => (await import('./enroll.js')).enrollCommand(argv),
  },
  diagnose: {
    summary: "where a target's failures come from: verdict, suspects, hints, grid",
    run: async (argv) => (await import('./diagnose.js')).diagnoseCommand(argv),
  },
  report: {
    summary: 'the regional failure report of a target over a range (Markdown, HTML or JSON)',
    run: async (argv) => (await import('./report.js')).reportCommand(argv),
  },
  dev: {
    summary: 'the local demo fleet: NATS, a collector, agents in several regions and the fault lab',
    run: async (argv) => (await import('./dev.js')).devCommand(argv),
  },
  version: {
    summary: 'print the version',
    run: async () => {
      process.stdout.write(`${VERSION}\n`);
      return 0;
    },
  },
};

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(11)}${c.summary}`);
  return ['Usage: crossprobe <command> [options]   (crossprobe <command> --help for its options)', '', 'Commands:', ...rows].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  if (name === '--version') return COMMANDS.version!.run([]);
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`crossprobe: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  return runCommand(name, () => cmd.run(rest));
}

exitWith(main(process.argv.slice(2)));
