export { createAlerts, backoffMs, redactUrl, AlertsConfigError, type Alerts, type AlertsOptions, type AlertStats, type WebhookConfig } from './webhooks.js';
export { alertSentence, reportUrl, jsonAlert, slackAlert, alertBody, WEBHOOK_FORMATS, type WebhookFormat, type JsonAlert, type SlackAlert } from './format.js';
