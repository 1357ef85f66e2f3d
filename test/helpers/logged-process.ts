import type { ChildProcess } from 'node:child_process';

/** A real crossprobe process started by a test: its JSON log lines kept parsed, its stderr tail, its exit. */
export class LoggedProcess {
  readonly logs: Record<string, unknown>[] = [];
  stderr = '';
  private readonly exited: Promise<number | null>;

  protected constructor(private readonly proc: ChildProcess) {
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          this.logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          this.logs.push({ msg: line });
        }
      }
    });
    proc.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-8_000)));
    this.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  hasLog(msg: string | RegExp): boolean {
    return this.logs.some((l) => (typeof msg === 'string' ? l.msg === msg : msg.test(String(l.msg))));
  }

  /** SIGTERM (or `signal`), then waits for the exit code (SIGKILL after `graceMs`). */
  async stop(graceMs = 20_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (!this.running) return this.proc.exitCode;
    this.proc.kill(signal);
    const t = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(t);
    return code;
  }

  /** SIGKILL (cleanup after a failed test), and waits for the exit. */
  async kill(): Promise<void> {
    if (this.running) this.proc.kill('SIGKILL');
    await this.exited;
  }
}
