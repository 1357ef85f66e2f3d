export { loadTargetsFile } from './file.js';
export { watchTargetsKv, type KvTargetEvents } from './kv.js';
export { TargetSet } from './set.js';
