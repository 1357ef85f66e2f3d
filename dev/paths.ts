import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** bin/crossprobe of this checkout (dist/dev/ is two levels below the root). */
export const binPath = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'crossprobe');
