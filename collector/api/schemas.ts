import { Type, type TSchema } from '@sinclair/typebox';
import { DURATION_PATTERN, FAILURE_CODES, ID_PATTERN, ID_RULE, PROVENANCES, TargetSpecSchema } from '../../proto/index.js';
import { MAX_QUERY_LIMIT } from '../store/index.js';
import { VERDICTS } from '../diagnosis/index.js';
import { API_ERRORS } from './errors.js';

// The request and response schemas of the API, shared by the routes (fastify validates requests with
// them) and openapi.json (built from the very same objects). `errorMessage` is what a 400 says after
// the field name.

const Nullable = <S extends TSchema>(s: S) => Type.Union([s, Type.Null()]);
const Time = (description: string) => Type.String({ format: 'date-time', description });
const Ms = (description: string) => Type.Number({ description });

const Id = (description: string) => Type.String({ pattern: ID_PATTERN, errorMessage: ID_RULE, description });
export const DurationParam = (description: string) =>
  Type.String({ pattern: DURATION_PATTERN, errorMessage: 'must be a duration such as 30s, 15m or 24h', description });
const TimeParam = (description: string) =>
  Type.String({ minLength: 1, errorMessage: 'must be an ISO 8601 time, milliseconds since the epoch, or a duration ago such as 1h', description });

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.Union(Object.keys(API_ERRORS).map((c) => Type.Literal(c))),
      message: Type.String({ description: 'what went wrong; names the offending field of a bad request' }),
    }),
  },
  { description: 'Every error response' },
);

export const TargetIdParams = Type.Object({ id: Id('target id') }, { additionalProperties: false });

export { TargetSpecSchema };

/** A target as the API shows it: TargetSpecSchema with an identity rule's fields in the order sent (header, name, pattern). */
const rule = TargetSpecSchema.properties.identity.items.properties;
const TargetViewSchema = Type.Object(
  {
    ...TargetSpecSchema.properties,
    identity: Type.Optional(Type.Array(Type.Object({ header: rule.header, name: rule.name, pattern: rule.pattern }, { additionalProperties: false }))),
  },
  { additionalProperties: false },
);

/** A stored target: the normalized spec (every default applied) and when it was created / last changed. */
export const StoredTargetSchema = Type.Object({
  target: TargetViewSchema,
  createdAt: Time('when the target was created'),
  updatedAt: Time('when the target was last replaced'),
});
export const TargetListSchema = Type.Object({ targets: Type.Array(StoredTargetSchema) });
export const DeletedSchema = Type.Object({ deleted: Type.String({ description: 'id of the target removed' }) });

export const ResultsQuery = Type.Object(
  {
    target: Type.Optional(Id('only this target')),
    region: Type.Optional(Id('only this region')),
    agent: Type.Optional(Id('only this agent')),
    ip: Type.Optional(Type.String({ minLength: 1, maxLength: 45, errorMessage: 'must be an IP address', description: 'only probes pinned to this IP' })),
    ok: Type.Optional(Type.Boolean({ errorMessage: 'must be true or false', description: 'only successes (true) or failures (false)' })),
    failure: Type.Optional(
      Type.Union(
        FAILURE_CODES.map((c) => Type.Literal(c)),
        { errorMessage: `must be one of ${FAILURE_CODES.join(', ')}`, description: 'only this failure code' },
      ),
    ),
    from: Type.Optional(TimeParam('probes started at or after (ISO 8601, ms since the epoch, or a duration ago such as 1h)')),
    to: Type.Optional(TimeParam('probes started before (ISO 8601, ms since the epoch, or a duration ago)')),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_QUERY_LIMIT, errorMessage: `must be a whole number from 1 to ${MAX_QUERY_LIMIT}`, description: 'results per page (default 100)' }),
    ),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { errorMessage: 'must be asc or desc', description: 'by start time; default desc (newest first)' })),
    cursor: Type.Optional(Type.String({ minLength: 1, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);

const PhasesSchema = Type.Object({
  dns: Nullable(Type.Number()),
  connect: Nullable(Type.Number()),
  tls: Nullable(Type.Number()),
  firstByte: Nullable(Type.Number()),
  download: Nullable(Type.Number()),
  total: Nullable(Type.Number()),
}, { description: 'phase durations in ms; null: not reached' });

export const ResultSchema = Type.Object({
  resultId: Type.String({ description: 'UUIDv7; the crossprobe-probe-id request header' }),
  target: Type.String(),
  region: Type.String(),
  agent: Type.String(),
  url: Type.String(),
  method: Type.String(),
  ip: Type.String({ description: '"" when DNS failed' }),
  ipFamily: Type.Integer({ description: '4, 6, or 0 when DNS failed' }),
  startedAtMs: Ms('when the probe started (agent clock)'),
  roundAtMs: Ms('the scheduling round it belongs to'),
  ok: Type.Boolean(),
  failure: Nullable(Type.Union(FAILURE_CODES.map((c) => Type.Literal(c)))),
  failureDetail: Nullable(Type.String()),
  status: Nullable(Type.Integer()),
  phases: PhasesSchema,
  sourceAddress: Type.String(),
  headers: Type.Record(Type.String(), Type.String()),
  identity: Type.Record(Type.String(), Type.String()),
  bodyMatch: Nullable(Type.Union([Type.Literal('matched'), Type.Literal('mismatched')])),
  bodyBytes: Type.Integer(),
  bodyTruncated: Type.Boolean(),
  provenance: Nullable(Type.Union(PROVENANCES.map((p) => Type.Literal(p)))),
  tlsCertNotAfterMs: Nullable(Type.Number()),
  ipsInRound: Type.Integer(),
  receivedAtMs: Ms('when the collector received it'),
});
export const ResultPageSchema = Type.Object({
  results: Type.Array(ResultSchema),
  nextCursor: Nullable(Type.String({ description: 'pass as cursor for the next page; null on the last page' })),
});

const ControlSchema = Type.Object({
  url: Type.String(),
  ok: Type.Boolean(),
  failure: Nullable(Type.String()),
  checkedAtMs: Type.Number(),
  consecutiveFailures: Type.Integer(),
  totalMs: Nullable(Type.Number()),
});
// In the order GET /api/v1/agents has always sent them (the serializer follows the schema's order).
export const AgentSchema = Type.Object({
  region: Type.String(),
  agent: Type.String(),
  version: Type.String(),
  lastSeenMs: Ms('when its last heartbeat arrived (collector clock), in ms since the epoch'),
  sentAtMs: Ms('when the agent sent its last heartbeat (agent clock)'),
  startedAtMs: Ms('when the agent started (agent clock)'),
  targets: Type.Integer(),
  spoolDepth: Type.Integer({ description: 'results waiting in its disk spool' }),
  spoolDropped: Type.Integer(),
  spoolBytes: Type.Integer(),
  schedLagMs: Type.Number(),
  resultsPublished: Type.Integer(),
  inFlight: Type.Integer(),
  controls: Type.Array(ControlSchema),
  controlsFailing: Type.Boolean({ description: 'every control target fails: its own network is broken' }),
  spoolState: Type.Union([Type.Literal('ok'), Type.Literal('degraded')], { description: 'degraded: its disk refuses the spool (full, read-only); results wait in a bounded memory queue' }),
  spoolError: Nullable(Type.String({ description: 'system error code of the disk\'s last refusal, e.g. ENOSPC, EROFS' })),
  memoryQueueDepth: Type.Integer({ description: 'results waiting in its memory queue' }),
  memoryQueueBytes: Type.Integer(),
  memoryQueueDropped: Type.Integer({ description: 'results dropped past the memory queue\'s bound since it started' }),
  lastSeen: Time('when its last heartbeat arrived (collector clock)'),
  stale: Type.Boolean({ description: 'no heartbeat for more than 3 heartbeat intervals' }),
  startedAt: Time('when the agent started (agent clock)'),
});
export const AgentParams = Type.Object({ region: Id('the agent\'s region'), agent: Id('the agent\'s id') }, { additionalProperties: false });

export const AgentDeletedSchema = Type.Object({ deleted: Type.String({ description: 'region/agent of the agent forgotten' }) });

export const AgentListSchema = Type.Object({
  heartbeatIntervalMs: Type.Integer({ description: 'the interval staleness is judged by (3×)' }),
  agents: Type.Array(AgentSchema),
});

export const RejectsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000, errorMessage: 'must be a whole number from 1 to 1000', description: 'rejects per page (default 50)' })),
    before: Type.Optional(Type.Integer({ minimum: 1, errorMessage: 'must be a reject id (a whole number >= 1)', description: 'only rejects with a smaller id: nextBefore of the previous page' })),
    bytes: Type.Optional(Type.Integer({ minimum: 0, maximum: 4_096, errorMessage: 'must be a whole number from 0 to 4096', description: 'how many leading bytes to show in hex (default 64)' })),
  },
  { additionalProperties: false },
);
export const RejectSchema = Type.Object({
  id: Type.Integer(),
  receivedAt: Time('when the collector received it'),
  subject: Type.String(),
  reason: Type.String(),
  size: Type.Integer({ description: 'full message size in bytes' }),
  firstBytesHex: Type.String({ description: 'its first bytes, hex' }),
});
export const RejectListSchema = Type.Object({
  total: Type.Integer({ description: 'rejects kept' }),
  rejects: Type.Array(RejectSchema),
  nextBefore: Nullable(Type.Integer({ description: 'pass as before for the next page; null on the last page' })),
});

export const WindowQuery = Type.Object(
  { window: Type.Optional(DurationParam('how far back to look (default: the collector\'s long diagnosis window)')) },
  { additionalProperties: false },
);

const CountsSchema = Type.Object({ failures: Type.Integer(), probes: Type.Integer() });
export const GridViewSchema = Type.Object({
  dimension: Type.String({ description: 'ip, or an identity rule name' }),
  rows: Type.Array(Type.String(), { description: 'regions' }),
  columns: Type.Array(Type.String(), { description: 'serving nodes' }),
  cells: Type.Array(Type.Array(CountsSchema), { description: 'cells[row][column]' }),
  agents: Type.Array(Type.Object({ region: Type.String(), agent: Type.String(), failures: Type.Integer(), probes: Type.Integer() })),
});
const WindowSchema = Type.Object({ from: Time('window start'), to: Time('window end') });
export const GridResponseSchema = Type.Object({
  target: Type.String(),
  window: WindowSchema,
  grids: Type.Array(GridViewSchema, { description: 'one per serving dimension: ip first, then each identity' }),
});

const FindingSchema = Type.Object({
  verdict: Type.Union(VERDICTS.filter((v) => v !== 'healthy').map((v) => Type.Literal(v))),
  confidence: Type.Number({ minimum: 0, maximum: 1 }),
  suspects: Type.Array(Type.Object({ dimension: Type.String({ description: 'region, agent, ip, path, or an identity name' }), value: Type.String() })),
  summary: Type.String(),
  hints: Type.Array(Type.String()),
  evidence: Type.Object({}, { additionalProperties: true, description: 'grid, test, codes, provenance, samples' }),
});
export const DiagnosisSchema = Type.Object({
  target: Type.String(),
  window: WindowSchema,
  verdict: Type.Union(VERDICTS.map((v) => Type.Literal(v))),
  findings: Type.Array(FindingSchema, { description: 'most severe first' }),
});

const CheckSchema = Type.Object({ ok: Type.Boolean(), detail: Type.String() });
export const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  checks: Type.Object({ db: CheckSchema, nats: CheckSchema }),
  error: Type.Optional(ErrorSchema.properties.error),
});

export const MetricsSchema = Type.String({ description: 'Prometheus text exposition format 0.0.4' });
export const OpenApiSchema = Type.Object({}, { additionalProperties: true, description: 'this document' });
