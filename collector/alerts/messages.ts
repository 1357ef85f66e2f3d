import type { AgentProblem, IncidentEventType } from '../store/index.js';
import { summaryWithOthers, type IncidentEvent, isFleetAlert, type AgentAlertEvent, incidentView, type IncidentView } from '../incidents/index.js';
import { isoMinute, span } from '../diagnosis/index.js';

/** The formats a webhook can receive. */
export const WEBHOOK_FORMATS = ['json', 'slack'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

const TAGS: Readonly<Record<IncidentEventType, string>> = { opened: 'OPENED', changed: 'CHANGED', reopened: 'REOPENED', resolved: 'RESOLVED' };

/** The body a `json` webhook receives. */
export interface JsonAlert {
  readonly type: IncidentEventType;
  readonly incident: IncidentView;
  /** The one sentence: "[OPENED] shop: 502s from lb-node 203.0.113.7 seen from 4/4 regions; …". */
  readonly summary: string;
  readonly reportUrl: string;
}

/** Something to alert about: an incident of a target, or a problem of the probing fleet itself. */
export type AlertEvent = IncidentEvent | AgentAlertEvent;

/** The body a `json` webhook receives about the fleet itself (told apart from an incident's by `agentAlert`). */
export interface JsonAgentAlert {
  readonly type: AgentAlertEvent['type'];
  readonly agentAlert: {
    /** null: the alert is about every agent (none heard from). */
    readonly region: string | null;
    readonly agent: string | null;
    readonly problem: AgentProblem;
    readonly openedAt: string;
    readonly resolvedAt: string | null;
  };
  /** The one sentence: "[OPENED] agent eu-west/fra-1 silent for 3 min (…)". */
  readonly summary: string;
  /** The dashboard's agents table. */
  readonly dashboardUrl: string;
}

/** The body a Slack incoming webhook receives. */
export interface SlackAlert {
  readonly text: string;
}

/**
 * "[OPENED|CHANGED|REOPENED] <target>: <finding summary>", then the target's other problems, if any:
 * "; also: lb-node x-served-by lb-2" (an incident follows the most severe; the reader must not take a
 * change of it for the end of the others). A resolved incident says so before what it was:
 * "[RESOLVED] <target>: healthy again after 12 min (open since 2025-11-22T01:15Z); it was: <summary>".
 */
export function alertSentence(e: IncidentEvent): string {
  const { target, summary, openedAtMs, resolvedAtMs } = e.incident;
  if (e.type !== 'resolved') return `[${TAGS[e.type]}] ${target}: ${summaryWithOthers(e.incident)}`;
  const at = resolvedAtMs ?? e.atMs;
  return `[${TAGS.resolved}] ${target}: healthy again after ${span(at - openedAtMs)} (open since ${isoMinute(openedAtMs)}); it was: ${summary}`;
}

/**
 * "[OPENED|CHANGED] <summary naming the agent>"; resolved: "[RESOLVED] agent eu-west/fra-1: fine again
 * after 12 min (open since 2025-11-22T01:15Z); it was: <summary>".
 */
export function agentAlertSentence(e: AgentAlertEvent): string {
  const { summary, openedAtMs } = e.alert;
  if (e.type !== 'resolved') return `[${TAGS[e.type]}] ${summary}`;
  const who = isFleetAlert(e.alert) ? 'the agents are heard from again' : `agent ${e.alert.region}/${e.alert.agent}: fine again`;
  return `[${TAGS.resolved}] ${who} after ${span(e.atMs - openedAtMs)} (open since ${isoMinute(openedAtMs)}); it was: ${summary}`;
}

/** The dashboard's agents table, where an agent alert is read. */
export function dashboardUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/#agents`;
}

export function jsonAgentAlert(e: AgentAlertEvent, publicUrl: string): JsonAgentAlert {
  const fleet = isFleetAlert(e.alert);
  return {
    type: e.type,
    agentAlert: {
      region: fleet ? null : e.alert.region,
      agent: fleet ? null : e.alert.agent,
      problem: e.alert.problem,
      openedAt: new Date(e.alert.openedAtMs).toISOString(),
      resolvedAt: e.type === 'resolved' ? new Date(e.atMs).toISOString() : null,
    },
    summary: agentAlertSentence(e),
    dashboardUrl: dashboardUrl(publicUrl),
  };
}

/** Where the operator reads the regional failure report of the last day (HTML, for a browser). */
export function reportUrl(publicUrl: string, target: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/api/v1/targets/${encodeURIComponent(target)}/report?since=24h&format=html`;
}

export function jsonAlert(e: IncidentEvent, publicUrl: string): JsonAlert {
  return { type: e.type, incident: incidentView(e.incident), summary: alertSentence(e), reportUrl: reportUrl(publicUrl, e.incident.target) };
}

// Slack's mrkdwn treats &, < and > as control characters: they must be sent escaped.
const slackEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** `{ text: "<sentence>. <reportUrl|report>" }`; about an agent, the link is to the dashboard. */
export function slackAlert(e: AlertEvent, publicUrl: string): SlackAlert {
  const incident = 'incident' in e;
  const sentence = incident ? alertSentence(e) : agentAlertSentence(e);
  const closed = /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
  const link = incident ? `${reportUrl(publicUrl, e.incident.target)}|report` : `${dashboardUrl(publicUrl)}|dashboard`;
  // the link too: its query's & would otherwise be read as the start of an entity
  return { text: `${slackEscape(closed)} <${slackEscape(link)}>` };
}

/** The body for a webhook of `format`. */
export function alertBody(format: WebhookFormat, e: AlertEvent, publicUrl: string): JsonAlert | JsonAgentAlert | SlackAlert {
  if (format === 'slack') return slackAlert(e, publicUrl);
  return 'incident' in e ? jsonAlert(e, publicUrl) : jsonAgentAlert(e, publicUrl);
}
