import { ConfigError } from '../proto/index.js';

/** Runs a subcommand; a ConfigError becomes `crossprobe <name>: <message>` on stderr and exit code 2. */
export async function runCommand(name: string, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`crossprobe ${name}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

/** Sets the process's exit code from `main`; anything thrown is a bug: its stack on stderr, exit 1. */
export function exitWith(main: Promise<number>): void {
  main.then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`crossprobe: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
