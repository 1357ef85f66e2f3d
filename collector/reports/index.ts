export {
  buildReport,
  readReportInputs,
  assembleReport,
  reportRange,
  chooseBucket,
  levelOf,
  answerLabel,
  REPORT_LIMITS,
  BUCKETS_MS,
  type ReportRequest,
  type ReportInputs,
} from './data.js';
export { renderMarkdown, heatmapText, LEVEL_CHAR } from './markdown.js';
export { renderHtml, type ReportHtmlOptions } from './html.js';
export { contentSecurityPolicy, renderMessagePage } from './page.js';
export { buildDashboard, assembleDashboard, DASHBOARD_MINUTES, RECENT_MINUTES, TARGET_STATES, type DashboardData, type DashboardTarget, type DashboardAgent, type DashboardIncident, type TargetState, type DashboardOptions } from './dashboard.js';
export { renderDashboardHtml, type DashboardHtmlOptions } from './dashboard-html.js';
export { LEVEL_FILL, LEVEL_LABEL } from './svg.js';
export { REPORT_FORMATS, type ReportFormat, type ReportData, type ReportCell, type ReportGrid, type Heatmap, type HeatRow, type Level, type Highlight, type ReportVerdict, type VerdictLine, type ReportSample, type ReportSources, type ReportIncident, type CodeRow, type ProvenanceRow, type PhaseRow, type MinuteOfHour } from './types.js';
