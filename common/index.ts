/**
 * Small helpers shared by the agent, the collector and the CLI that are not part of the wire contract
 * (that is `proto/`). Nothing here imports `agent/`, `collector/` or `cli/`.
 */
export { Backoff, backoffCeiling, backoffDelay, jittered, type BackoffOptions, type Jitter } from './backoff.js';
export * from './config.js';
export { lowerBound } from './lower-bound.js';
export { RateLimitedLog, type RateLimitedLevel, type RateLimitedLogOptions } from './rate-limited-log.js';
export { SerialQueue } from './serial-queue.js';
export { topK, type TopKOptions } from './top-k.js';
export { Histogram, type HistogramSnapshot } from './histogram.js';
export { EventLoopLag, LAG_BUCKETS_S } from './event-loop-lag.js';
