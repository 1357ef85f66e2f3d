import { spawn } from 'node:child_process';
import { LoggedProcess } from './logged-process.js';
import { binPath } from './paths.js';

/**
 * A real `crossprobe agent` process, started through bin/crossprobe as an operator runs it (with the
 * agent's V8 flags). With --allow-private-targets: every test target is on 127.0.0.x.
 */
export class AgentProcess extends LoggedProcess {
  static start(args: string[], env: NodeJS.ProcessEnv = {}, opts: { cwd?: string; uid?: number; gid?: number } = {}): AgentProcess {
    return new AgentProcess(spawn(binPath, ['agent', '--allow-private-targets', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, ...opts }));
  }
}
