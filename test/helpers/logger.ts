import { pino, type Logger } from 'pino';
import { Writable } from 'node:stream';

/** A pino logger whose lines are kept as parsed objects, so tests assert on logs as data. */
export function memoryLogger(level = 'debug'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: pino({ level }, stream), lines };
}
