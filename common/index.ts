/**
 * Small helpers shared by the agent, the collector and the CLI that are not part of the wire contract
 * (that is `proto/`). Nothing here imports `agent/`, `collector/` or `cli/`.
 */
export * from './config.js';
