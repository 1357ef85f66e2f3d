export { startIngest, type Ingest, type IngestOptions, type IngestStats } from './ingest.js';
export { prepareConsumer, AckFloor, readDelivery, DEFAULT_DURABLE, type ConsumerSettings, type Delivery, type SessionStart } from './consumer.js';
export { MAX_RESULT_BYTES, SubjectCache, readResult, resultFromMessage, heartbeatFromMessage, heartbeatFromWire, type Checked } from './decode.js';
