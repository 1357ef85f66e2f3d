import type { IncidentEventType } from '../store/index.js';
import type { IncidentEvent } from '../incidents/lifecycle.js';
import { incidentView, type IncidentView } from '../incidents/view.js';
import { isoMinute } from '../diagnosis/format.js';

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

/** The body a Slack incoming webhook receives. */
export interface SlackAlert {
  readonly text: string;
}

/**
 * "[OPENED|CHANGED|REOPENED] <target>: <finding summary>"; a resolved incident says so before what it
 * was: "[RESOLVED] <target>: healthy again after 12 min (open since 2025-11-22T01:15Z); it was: <summary>".
 */
export function alertSentence(e: IncidentEvent): string {
  const { target, summary, openedAtMs, resolvedAtMs } = e.incident;
  if (e.type !== 'resolved') return `[${TAGS[e.type]}] ${target}: ${summary}`;
  const at = resolvedAtMs ?? e.atMs;
  return `[${TAGS.resolved}] ${target}: healthy again after ${duration(at - openedAtMs)} (open since ${isoMinute(openedAtMs)}); it was: ${summary}`;
}

/** 45_000 → "45 s", 720_000 → "12 min", 7_500_000 → "2 h 5 min". */
function duration(spanMs: number): string {
  const s = Math.max(0, Math.round(spanMs / 1_000));
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h${min % 60 === 0 ? '' : ` ${min % 60} min`}`;
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

/** `{ text: "<sentence>. <reportUrl|report>" }`. */
export function slackAlert(e: IncidentEvent, publicUrl: string): SlackAlert {
  const sentence = alertSentence(e);
  const closed = /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
  // the link too: its query's & would otherwise be read as the start of an entity
  return { text: `${slackEscape(closed)} <${slackEscape(reportUrl(publicUrl, e.incident.target))}|report>` };
}

/** The body for a webhook of `format`. */
export function alertBody(format: WebhookFormat, e: IncidentEvent, publicUrl: string): JsonAlert | SlackAlert {
  return format === 'slack' ? slackAlert(e, publicUrl) : jsonAlert(e, publicUrl);
}
