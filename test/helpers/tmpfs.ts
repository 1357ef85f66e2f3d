import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why real-filesystem tests cannot run here, or null when they can (they mount: root only). */
export function tmpfsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root to mount a small tmpfs (ENOSPC) and remount it read-only (EROFS)';
  return null;
}

/**
 * A real small filesystem (tmpfs of `size`, e.g. "256k"), unmounted and removed in `after`.
 * `readOnly()` lays a read-only bind mount of it over itself (a remount would be refused while the
 * spool holds a segment open for writing): new files, renames and unlinks under `dir` fail with
 * EROFS, as on a disk the kernel remounted read-only; `readWrite()` lifts it.
 */
export class Tmpfs {
  private readOnlyLayers = 0;

  private constructor(readonly dir: string) {}

  static mount(t: { after: (fn: () => void) => void }, size: string): Tmpfs {
    const dir = mkdtempSync(join(tmpdir(), 'crossprobe-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir]);
    const fs = new Tmpfs(dir);
    t.after(() => {
      while (fs.readOnlyLayers > 0) fs.readWrite();
      execFileSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    });
    return fs;
  }

  readOnly(): void {
    execFileSync('mount', ['--bind', this.dir, this.dir]);
    this.readOnlyLayers++;
    execFileSync('mount', ['-o', 'remount,bind,ro', this.dir]);
  }

  readWrite(): void {
    execFileSync('umount', [this.dir]);
    this.readOnlyLayers--;
  }
}

/** Writes `file` until the filesystem says ENOSPC; returns the bytes written. */
export function fillUp(file: string): number {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(4096, 0x2e);
  let bytes = 0;
  try {
    for (;;) bytes += writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  return bytes;
}
