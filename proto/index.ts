export * from './wire.js';
export * from './subjects.js';
export * from './duration.js';
export * from './validate.js';
export * from './target.js';
export * from './addresses.js';
export * from './streams.js';
export { resultId } from './ids.js';
