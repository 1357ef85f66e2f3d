import { readFileSync } from 'node:fs';
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The lock file an agent holds in its spool directory. */
export const LOCK_FILE = 'agent.lock';

/** Thrown when a live agent already holds the spool directory. */
export class SpoolLockedError extends Error {
  override readonly name = 'SpoolLockedError';
  readonly code = 'ERR_SPOOL_LOCKED';
  constructor(readonly dir: string, readonly pid: number) {
    super(`spool directory ${dir} is in use by agent pid ${pid}; give each agent its own --spool-dir`);
  }
}

/** Who holds a lock: the pid, plus what tells a reused pid apart (Linux: boot id and process start time). */
interface Holder {
  pid: number;
  boot: string | null;
  start: string | null;
}

/** A held spool lock; `release` removes it (only if it is still ours). */
export interface SpoolLock {
  readonly path: string;
  release(): Promise<void>;
}

/**
 * Takes the lock of `dir` (which must exist): a file created exclusively (a hard link, which
 * fails when the name exists, as O_EXCL does) holding this process's pid, boot id and start time. A lock whose holder is gone (a crashed agent, a reboot, a
 * reused pid) is taken over; a live holder makes it throw SpoolLockedError. Other I/O errors
 * (EROFS, ENOSPC, EACCES) are thrown as they are.
 *
 * Hand-written rather than proper-lockfile: that library judges staleness by an mtime the holder
 * must refresh every few seconds, and a refresh failing on a full or read-only disk declares the
 * lock compromised — exactly the disks this agent must keep running on. A pid lock needs no
 * writes once taken.
 */
export async function lockSpoolDir(dir: string): Promise<SpoolLock> {
  const path = join(dir, LOCK_FILE);
  const me = JSON.stringify(self());
  // Written aside, then linked in: the lock appears with its content (link fails when it exists,
  // as O_EXCL does), so nobody ever reads a half-written lock of a live agent.
  const mine = `${path}.${process.pid}.tmp`;
  await writeFile(mine, me, { mode: 0o600 });
  try {
    return await acquire(dir, path, mine, me);
  } finally {
    await unlink(mine).catch(() => undefined);
  }
}

async function acquire(dir: string, path: string, mine: string, me: string): Promise<SpoolLock> {
  for (let attempt = 0; ; attempt++) {
    try {
      await link(mine, path);
      return { path, release: () => release(path, me) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw err;
    }
    const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null; // released meanwhile: try again
      throw err;
    });
    if (text === null) continue;
    const holder = parseHolder(text);
    if (holder && isAlive(holder)) throw new SpoolLockedError(dir, holder.pid);
    // Stale (or torn by a crash while it was written). Move that very file aside: of two agents
    // taking it over at once only one rename succeeds, and a lock created meanwhile is put back.
    const aside = `${path}.stale-${process.pid}`;
    try {
      await rename(path, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    const moved = await readFile(aside, 'utf8').catch(() => null);
    if (moved !== null && moved !== text) {
      await link(aside, path).catch(() => undefined);
      await unlink(aside).catch(() => undefined);
      const other = parseHolder(moved);
      if (other) throw new SpoolLockedError(dir, other.pid);
      continue;
    }
    await unlink(aside).catch(() => undefined);
  }
}

async function release(path: string, me: string): Promise<void> {
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === me) await unlink(path);
}

function self(): Holder {
  return { pid: process.pid, boot: bootId(), start: startTime(process.pid) };
}

function parseHolder(text: string): Holder | null {
  try {
    const v = JSON.parse(text) as Partial<Holder>;
    if (!Number.isSafeInteger(v.pid) || (v.pid as number) <= 0) return null;
    return { pid: v.pid as number, boot: typeof v.boot === 'string' ? v.boot : null, start: typeof v.start === 'string' ? v.start : null };
  } catch {
    return null;
  }
}

function isAlive(h: Holder): boolean {
  const boot = bootId();
  if (h.boot && boot && h.boot !== boot) return false; // written before a reboot
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    // EPERM: a process of another user has that pid; its start time is hidden, so assume it is the agent
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  const start = startTime(h.pid);
  return !(h.start && start && h.start !== start); // a different process reusing the pid
}

/** Linux: this boot's id; null elsewhere. */
function bootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
}

/** Linux: the process's start time (clock ticks since boot, /proc/PID/stat field 22); null elsewhere. */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count fields after the last ')'
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}
