import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test/..., two or three levels below it). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The compiled crossprobe command. */
export const cliPath = join(repoRoot, 'dist', 'cli', 'main.js');
/** The installed `crossprobe` command (a wrapper that sets the agent's V8 flags). */
export const binPath = join(repoRoot, 'bin', 'crossprobe');
