export { createJetStreamSink, type ResultSink, type SinkStats, type JetStreamSinkOptions } from './jetstream.js';
export { Spool, SpoolClosedError, SPOOL_MAGIC, type SpoolOptions, type SpoolRecord } from './spool.js';
export { createDeferredSink } from './deferred.js';
