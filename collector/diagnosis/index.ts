export { diagnose } from './diagnose.js';
export { resolveOptions, DiagnosisOptionsError } from './options.js';
export { severity, compareFindings } from './findings.js';
export { pct, ms, seconds, span, isoMinute, list } from './humanize.js';
export { buildGrids, gridView, servingDimensions, isDnsFailure } from './grid.js';
export { mayFind, buildCountGrids, type CellTally, type ScreenInput } from './screen.js';
export { fisherGreater, fisherLess, binomialUpper, hypergeometricUpper, hypergeometricLower } from './stats.js';
export {
  DEFAULT_DIAGNOSIS_OPTIONS, VERDICTS, DIMENSIONS, TEST_METHODS, WINDOW_NAMES,
  type Observation, type AgentHealth, type FailedTotal, type DiagnoseInput, type DiagnosisOptions, type Diagnosis,
  type Finding, type TargetFinding, type AgentFinding, type Verdict, type FindingVerdict, type Suspect, type Dimension,
  type BuiltinDimension, type Counts, type AgentCounts, type GridView, type TestEvidence, type TestMethod, type Sample,
  type TargetEvidence, type AgentEvidence, type WindowName,
} from './types.js';
export {
  detectMinuteCluster, tallyMinutes, minuteOfHour, CLUSTER_MINUTES, MIN_HOURS, STANDOUT_RATIO, type MinuteTally, type MinuteCluster,
} from './minute-of-hour.js';
