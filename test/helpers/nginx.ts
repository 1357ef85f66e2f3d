import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { freePort } from './net.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** What `startNginx` runs. */
export interface NginxOptions {
  /**
   * http-context configuration: one or more `server { ... }` blocks (and any `upstream` blocks they
   * use). Every `{{port}}` in it is replaced by the port nginx is given, e.g.
   * `server { listen 127.0.0.1:{{port}}; location / { proxy_pass http://127.0.0.1:9; } }`.
   */
  readonly servers: string;
  /** The port substituted for `{{port}}`; a free loopback port when absent. */
  readonly port?: number;
  /** The nginx binary; `/usr/sbin/nginx` when absent. */
  readonly binary?: string;
}

/** A running nginx master process started by `startNginx`. */
export interface Nginx {
  /** The port substituted for `{{port}}` in the configuration. */
  readonly port: number;
  /** The temp dir holding its config, pid file, logs and temp paths (removed by `stop`). */
  readonly prefix: string;
  /** The pid of the nginx master process. */
  readonly pid: number;
  /** Stops nginx (SIGTERM, SIGKILL after 5 s), waits for the master to exit, removes `prefix`. */
  stop(): Promise<void>;
}

export { freePort };

const STOP_GRACE_MS = 5_000;
const START_TIMEOUT_MS = 10_000;


/**
 * Starts a real nginx in the foreground (`daemon off`) as a child process, with its config, pid
 * file, logs and every temp path in a fresh temp dir, and resolves once it has bound its sockets.
 * Works as root (workers run as `nobody`) and as an ordinary user.
 */
export async function startNginx(options: NginxOptions): Promise<Nginx> {
  if (!options.servers.includes('{{port}}')) {
    throw new Error('startNginx: servers must listen on {{port}} (e.g. "listen 127.0.0.1:{{port}};")');
  }
  const port = options.port ?? (await freePort());
  const prefix = await mkdtemp(join(tmpdir(), 'crossprobe-nginx-'));
  // As root the workers run as nobody: they must be able to enter the prefix to use its temp paths.
  await chmod(prefix, 0o755);
  await mkdir(join(prefix, 'logs'));
  await mkdir(join(prefix, 'tmp'));
  const conf = join(prefix, 'nginx.conf');
  const pidFile = join(prefix, 'nginx.pid');
  const errorLog = join(prefix, 'logs', 'error.log');
  await writeFile(conf, await renderConfig(prefix, options.servers.replaceAll('{{port}}', String(port))));

  // `-e` keeps nginx from opening its compiled-in error log (/var/log/nginx) before reading the config.
  const proc = spawn(options.binary ?? '/usr/sbin/nginx', ['-p', prefix, '-c', conf, '-e', errorLog, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const spawned: { error: Error | null } = { error: null };
  proc.once('error', (err) => (spawned.error = err));

  const stop = async (): Promise<void> => {
    if (proc.pid !== undefined && proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(t);
    }
    await rm(prefix, { recursive: true, force: true });
  };

  // nginx writes its pid file only after the config is loaded and the listening sockets are bound.
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const failure = spawned.error ?? (proc.exitCode !== null || proc.signalCode !== null ? new Error('exited') : null);
    if (failure !== null || Date.now() > deadline) {
      const log = await readFile(errorLog, 'utf8').catch(() => '');
      await stop();
      const why = failure === null ? `did not start within ${START_TIMEOUT_MS} ms` : failure.message;
      throw new Error(`nginx ${why} (port ${port}):\n${stderr === '' ? log : stderr}`);
    }
    const written = await readFile(pidFile, 'utf8').catch(() => '');
    if (proc.pid !== undefined && written.trim() === String(proc.pid)) break;
    await sleep(20);
  }
  const pid = proc.pid;
  if (pid === undefined) throw new Error('nginx: no pid');
  return { port, prefix, pid, stop };
}

async function renderConfig(prefix: string, servers: string): Promise<string> {
  const user = process.getuid?.() === 0 ? `user nobody ${await nobodyGroup()};` : '# not root: workers keep our user';
  const tmp = (name: string) => join(prefix, 'tmp', name);
  return `${user}
worker_processes 1;
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'logs', 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${tmp('client_body')};
  proxy_temp_path ${tmp('proxy')};
  fastcgi_temp_path ${tmp('fastcgi')};
  uwsgi_temp_path ${tmp('uwsgi')};
  scgi_temp_path ${tmp('scgi')};
${servers}
}
`;
}

/** Debian names nobody's group `nogroup`; others `nobody`. `user nobody;` alone fails on Debian. */
async function nobodyGroup(): Promise<string> {
  const groups = await readFile('/etc/group', 'utf8').catch(() => '');
  return /^nogroup:/m.test(groups) ? 'nogroup' : 'nobody';
}
