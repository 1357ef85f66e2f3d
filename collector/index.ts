/** The collector, as `cli/collector.ts` starts it: its configuration, its run loop, and one target's diagnosis. */
export { runCollector, type CollectorHooks } from './main.js';
export { parseCollectorConfig, collectorHelp, CollectorConfigSchema, COLLECTOR_USAGE, type CollectorConfig, type CollectorConfigInput } from './config.js';
export { evaluateTarget, otherTargetRates, agentHealth, agentHealthOf, judgeContext, judgeTarget, cellTallies, countedOtherTargetRates, EXACT_AGENT_RATES_BELOW_MS, type JudgeContext, type Judgement } from './evaluate.js';
