export { createAlerts, backoffMs, redactUrl, AlertsConfigError, type Alerts, type AlertsOptions, type AlertStats, type WebhookConfig } from './webhooks.js';
export {
  alertSentence,
  agentAlertSentence,
  reportUrl,
  dashboardUrl,
  jsonAlert,
  jsonAgentAlert,
  slackAlert,
  alertBody,
  WEBHOOK_FORMATS,
  type AlertEvent,
  type WebhookFormat,
  type JsonAlert,
  type JsonAgentAlert,
  type SlackAlert,
} from './messages.js';
