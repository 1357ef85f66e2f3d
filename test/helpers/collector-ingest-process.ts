import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

const script = join(repoRoot, 'dist', 'test', 'helpers', 'collector-ingest-child.js');

export type ChildLine = Record<string, unknown> & { event: string };

/** The ingest child process of collector-ingest-child.ts; its stdout lines are kept parsed. */
export class IngestChild {
  readonly lines: ChildLine[] = [];
  stderr = '';
  private readonly exited: Promise<void>;
  private waiters: (() => void)[] = [];

  private constructor(private readonly proc: ChildProcess) {
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        this.lines.push(JSON.parse(buf.slice(0, nl)) as ChildLine);
        buf = buf.slice(nl + 1);
      }
      for (const w of this.waiters) w();
    });
    proc.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-8_000)));
    this.exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    void this.exited.then(() => this.waiters.forEach((w) => w()));
  }

  static start(env: Record<string, string>): IngestChild {
    return new IngestChild(spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } }));
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  last(event: string): ChildLine | undefined {
    return this.lines.findLast((l) => l.event === event);
  }

  /** Resolves with the first line matching `pred` (past or future); rejects if the child exits first or after `timeoutMs`. */
  waitForLine(what: string, pred: (l: ChildLine) => boolean, timeoutMs = 60_000): Promise<ChildLine> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`timed out waiting for ${what}; stderr:\n${this.stderr}`)), timeoutMs);
      const check = () => {
        const hit = this.lines.find(pred);
        if (hit) done(null, hit);
        else if (!this.running) done(new Error(`child exited before ${what}; stderr:\n${this.stderr}`));
      };
      const done = (err: Error | null, line?: ChildLine) => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        if (err) reject(err);
        else resolve(line!);
      };
      this.waiters.push(check);
      check();
    });
  }

  /** SIGKILL, and waits for the exit. */
  async kill(): Promise<void> {
    if (this.running) this.proc.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (SIGKILL after `graceMs`), and waits for the exit. */
  async stop(graceMs = 20_000): Promise<void> {
    if (this.running) this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(t);
  }
}
