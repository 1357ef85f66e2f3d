import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryLogger } from '../helpers/logger.js';

// crossprobe logs errors as `{ err }`: pino's default serializer for that key (the binaries' loggers
// and their children pass no serializers of their own) keeps what `err.message` alone would lose.

test('err logging - an Error keeps its type, message, stack, code and cause', () => {
  const { logger, lines } = memoryLogger('info');
  const cause = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
  class StoreError extends Error {
    override readonly name = 'StoreError';
    readonly code = 'ERR_STORE';
  }
  logger.child({ component: 'ingest' }).error({ err: new StoreError('batch not committed', { cause }), messages: 3 }, 'batch not committed');
  const err = lines[0]!.err as { type: string; message: string; stack: string; code: string };
  assert.equal(err.type, 'StoreError');
  assert.equal(err.code, 'ERR_STORE');
  assert.equal(err.message, 'batch not committed: database is locked', 'the cause\'s message follows');
  assert.match(err.stack, /^StoreError: batch not committed\n\s+at /);
  assert.match(err.stack, /caused by: Error: database is locked/);
  assert.equal(lines[0]!.messages, 3);
});

test('err logging - a thrown string or object is logged as it is', () => {
  const { logger, lines } = memoryLogger('info');
  logger.warn({ err: 'AUTHORIZATION_VIOLATION' }, 'refused');
  logger.warn({ err: { code: 'TIMEOUT' } }, 'odd');
  logger.warn({ err: undefined }, 'none');
  assert.deepEqual(lines.map((l) => l.err), ['AUTHORIZATION_VIOLATION', { code: 'TIMEOUT' }, undefined]);
});
