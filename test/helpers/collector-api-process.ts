import { execFile, spawn } from 'node:child_process';
import { cliPath } from './paths.js';
import { LoggedProcess } from './logged-process.js';

/**
 * A real `crossprobe collector` process (node dist/cli/main.js collector ...); its JSON log lines are
 * kept parsed. With --allow-private-targets: every test target is on 127.0.0.x.
 */
export class CollectorProcess extends LoggedProcess {
  static start(args: string[], env: NodeJS.ProcessEnv = {}): CollectorProcess {
    return new CollectorProcess(spawn(process.execPath, [cliPath, 'collector', '--allow-private-targets', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } }));
  }
}

/** What one `crossprobe ...` command printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node dist/cli/main.js ...args` to completion (killed after `timeoutMs`). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { env: { ...process.env, ...env }, timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
