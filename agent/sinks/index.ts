export { createJetStreamSink, openSpool, DEFAULT_SPOOL_MEMORY_MAX_BYTES, type ResultSink, type SinkStats, type JetStreamSinkOptions } from './jetstream.js';
export { Spool, SpoolClosedError, SpoolWriteError, SPOOL_MAGIC, type SpoolOptions, type SpoolRecord } from './spool.js';
export { FallbackSpool, MEMORY_SEGMENT, type FallbackSpoolOptions, type SpoolHealth } from './fallback.js';
export { lockSpoolDir, SpoolLockedError, LOCK_FILE, type SpoolLock } from './lock.js';
export { createDeferredSink } from './deferred.js';
