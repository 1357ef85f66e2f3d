import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { freePort } from './net.js';


/**
 * A real nats-server with JetStream, on a free loopback port, with its store in a temp dir.
 * `stop()` kills it by pid; `start()` again reuses the port and the store (a restart).
 */
export class NatsServer {
  readonly storeDir: string;
  private proc: ChildProcess | null = null;
  private constructor(readonly port: number, readonly extraArgs: string[]) {
    this.storeDir = mkdtempSync(join(tmpdir(), 'crossprobe-nats-'));
  }

  static async start(extraArgs: string[] = []): Promise<NatsServer> {
    const s = new NatsServer(await freePort(), extraArgs);
    await s.start();
    return s;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async start(): Promise<void> {
    if (this.proc) return;
    const proc = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir, ...this.extraArgs], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.proc = proc;
    let log = '';
    proc.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    await untilReady(proc, () => log, `nats-server on ${this.port}`, 10_000);
  }

  /** Stops the server (SIGTERM, SIGKILL after 5 s) and waits for the process to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const proc = this.proc;
    this.proc = null;
    if (proc) await stopChild(proc, signal);
  }

  async connect(): Promise<NatsConnection> {
    return connect({ servers: this.url });
  }

  /** Stops the server and removes its store. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}

/** Sends `signal` to a child process (SIGKILL after 5 s) and waits for its exit; nothing if it has exited. */
/**
 * Resolves once the nats-server `proc` logs "Server is ready" on stderr (`log()`: what it logged since
 * it was spawned); rejects, with that log, if it exits first or takes `timeoutMs`.
 */
export function untilReady(proc: ChildProcess, log: () => string, name: string, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${log()}`)), timeoutMs);
    const onData = () => {
      if (log().includes('Server is ready')) {
        clearTimeout(timer);
        proc.stderr!.off('data', onData);
        resolve();
      }
    };
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${log()}`));
    });
    proc.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run nats-server (${err.message}); install it: apt-get install nats-server`));
    });
  });
}

export async function stopChild(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill(signal);
  const t = setTimeout(() => proc.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(t);
}
