import { spawn } from 'node:child_process';
import { LoggedProcess } from './logged-process.js';
import { binPath } from './paths.js';

/** A real `crossprobe agent` process, started through bin/crossprobe as an operator runs it (with the agent's V8 flags). */
export class AgentProcess extends LoggedProcess {
  static start(args: string[], env: NodeJS.ProcessEnv = {}, opts: { cwd?: string; uid?: number; gid?: number } = {}): AgentProcess {
    return new AgentProcess(spawn(binPath, ['agent', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, ...opts }));
  }
}
