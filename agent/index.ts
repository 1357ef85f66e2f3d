/** The probing agent, as `cli/agent.ts` starts it: its configuration and its run loop. */
export { runAgent } from './agent.js';
export { parseAgentConfig, agentHelp, defaultSpoolDir, AgentConfigSchema, AGENT_USAGE, type AgentConfig, type AgentConfigInput } from './config.js';
