export { startIngest, type Ingest, type IngestOptions, type IngestStats } from './ingest.js';
export { ensureConsumer, DEFAULT_DURABLE, type ConsumerSettings } from './consumer.js';
export { MAX_RESULT_BYTES, SubjectCache, resultFromMessage, heartbeatFromMessage, resultFromWire, heartbeatFromWire, type Checked } from './decode.js';
