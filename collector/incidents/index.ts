export {
  stepLifecycle,
  resolveIncidentOptions,
  targetFinding,
  sameSuspects,
  otherFindings,
  summaryWithOthers,
  incidentId,
  historyEntry,
  DEFAULT_INCIDENT_OPTIONS,
  EMPTY_LIFECYCLE_STATE,
  IncidentOptionsError,
  type IncidentOptions,
  type LifecycleState,
  type LifecycleStep,
  type IncidentEvent,
} from './lifecycle.js';
export { startIncidentLoop, DEFAULT_INCIDENT_INTERVAL_MS, type IncidentLoop, type IncidentLoopOptions, type TickReport } from './loop.js';
export { incidentView, incidentEventView, type IncidentView, type IncidentEventView, type OtherFindingView } from './view.js';
export { stepAgentAlerts, agentProblems, isFleetAlert, type AgentHealthOptions, type AgentAlertEvent, type AgentAlertStep, type TargetScope } from './fleet-health.js';
