/**
 * Every NATS name crossprobe uses lives here: subjects, the results stream, the targets KV bucket.
 * Region and agent ids become subject tokens, so they are validated here too.
 */

export const RESULTS_STREAM = 'CROSSPROBE_RESULTS';
/** The collector's durable pull consumer on the results stream, unless told otherwise (`cli/enroll` grants it by name). */
export const DEFAULT_DURABLE = 'crossprobe-collector';
export const RESULTS_SUBJECTS = 'crossprobe.results.>';
export const HEARTBEAT_SUBJECTS = 'crossprobe.heartbeat.>';
export const TARGETS_BUCKET = 'crossprobe_targets';
/** JetStream de-duplication window for Nats-Msg-Id (DESIGN §3: at least 10 minutes). */
export const RESULTS_DEDUPE_WINDOW_MS = 15 * 60_000;
/** Results kept in the stream while no collector reads them (DESIGN §3: at least 72 h). */
export const RESULTS_MAX_AGE_MS = 72 * 3_600_000;

/** A region, agent or target id (each becomes a subject token), as a JSON Schema pattern. */
export const ID_PATTERN = '^[a-z0-9-]{1,63}$';
/** What an id must be, as the end of a sentence. */
export const ID_RULE = 'must be 1–63 characters of a–z, 0–9 and "-"';
const TOKEN = new RegExp(ID_PATTERN);

/** Thrown for an id that cannot be a subject token. */
export class InvalidIdError extends Error {
  override readonly name = 'InvalidIdError';
  readonly code = 'ERR_INVALID_ID';
}

/** Returns the reason `id` is not a valid region/agent/target id, or null when it is. */
export function idProblem(id: string): string | null {
  if (TOKEN.test(id)) return null;
  return `"${id}" ${ID_RULE}`;
}

export function assertId(kind: 'region' | 'agent' | 'target', id: string): string {
  const problem = idProblem(id);
  if (problem) throw new InvalidIdError(`${kind} id ${problem}`);
  return id;
}

export function resultsSubject(region: string, agent: string): string {
  return `crossprobe.results.${assertId('region', region)}.${assertId('agent', agent)}`;
}

export function heartbeatSubject(region: string, agent: string): string {
  return `crossprobe.heartbeat.${assertId('region', region)}.${assertId('agent', agent)}`;
}

/** Parses `crossprobe.<kind>.<region>.<agent>`; null for anything else. */
export function parseAgentSubject(subject: string): { kind: 'results' | 'heartbeat'; region: string; agent: string } | null {
  const parts = subject.split('.');
  if (parts.length !== 4 || parts[0] !== 'crossprobe') return null;
  const [, kind, region, agent] = parts as [string, string, string, string];
  if ((kind !== 'results' && kind !== 'heartbeat') || idProblem(region) || idProblem(agent)) return null;
  return { kind, region, agent };
}
