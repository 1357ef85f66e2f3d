export { startIngest, writerSettings, type Ingest, type IngestOptions, type IngestStats } from './ingest.js';
export { prepareConsumer, AckFloor, readDelivery, type ConsumerSettings, type Delivery, type SessionStart } from './consumer.js';
export {
  MAX_RESULT_BYTES,
  RESULT_LIMITS,
  RESULT_TIME_BOUNDS,
  SubjectCache,
  readResult,
  resultFromMessage,
  resultProblem,
  heartbeatFromMessage,
  heartbeatFromWire,
  type Checked,
  type ResultTimeBounds,
} from './decode.js';
