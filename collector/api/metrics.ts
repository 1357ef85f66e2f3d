import type { HistogramSnapshot } from '../../common/index.js';
import type { IngestStats } from '../ingest/index.js';
import type { AgentRow } from '../store/index.js';

/** One metric family of the Prometheus text format. */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  /** A histogram's samples carry their suffix (`_bucket` with an `le` label, `_sum`, `_count`). */
  readonly samples: readonly { readonly suffix?: string; readonly labels?: Readonly<Record<string, string>>; readonly value: number }[];
}

/** A histogram family from its cumulative snapshot. */
export function histogramFamily(name: string, help: string, h: HistogramSnapshot): MetricFamily {
  return {
    name,
    help,
    type: 'histogram',
    samples: [
      ...h.buckets.map((b) => ({ suffix: '_bucket', labels: { le: formatValue(b.le) }, value: b.count })),
      { suffix: '_sum', value: h.sum },
      { suffix: '_count', value: h.count },
    ],
  };
}

const escapeHelp = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabel = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** The Prometheus text exposition format (version 0.0.4), by hand: HELP, TYPE, then one line per sample. */
export function renderPrometheus(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels ?? {});
      const text = labels.length ? `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
      lines.push(`${f.name}${s.suffix ?? ''}${text} ${formatValue(s.value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** What /metrics reports, gathered by the caller. */
export interface MetricsInput {
  readonly ingest: IngestStats | null;
  readonly agents: readonly (AgentRow & { readonly stale: boolean })[];
  readonly targets: number;
  readonly rejectsStored: number;
  /** Observations the diagnosis holds in memory. */
  readonly diagnosisObservations: number;
  /** Open incidents by verdict. */
  readonly openIncidents: Readonly<Record<string, number>>;
  /** Results the incident loop's per-cell counts hold, and of how many targets. */
  readonly counted?: { readonly results: number; readonly targets: number };
  /** The incident loop and the main thread's event loop; absent when the loop does not run here. */
  readonly runtime?: RuntimeMetrics | null;
}

/** How the incident loop and the main thread's event loop are doing. */
export interface RuntimeMetrics {
  /** Incident tick durations, in seconds. */
  readonly ticks: HistogramSnapshot;
  /** The last tick's figures; null before the first. */
  readonly lastTick: { readonly targets: number; readonly fullDiagnoses: number; readonly longestSliceMs: number } | null;
  /** How late the main thread's event loop ran a timer, in seconds. */
  readonly eventLoopLag: HistogramSnapshot;
}

/** Bounds of the incident tick histogram, in seconds. */
export const TICK_BUCKETS_S: readonly number[] = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The collector's metric families. */
export function collectorMetrics(m: MetricsInput): MetricFamily[] {
  const families: MetricFamily[] = [];
  const counter = (name: string, help: string, value: number) => families.push({ name, help, type: 'counter', samples: [{ value }] });
  const i = m.ingest;
  if (i !== null) {
    counter('crossprobe_ingest_received_total', 'Messages taken from the results stream (redeliveries included).', i.received);
    counter('crossprobe_ingest_inserted_total', 'Results new to the store.', i.inserted);
    counter('crossprobe_ingest_duplicates_total', 'Valid results already stored (redeliveries, re-publishes).', i.duplicates);
    counter('crossprobe_ingest_rejected_total', 'Results and heartbeats that could not be used (kept as rejects).', i.rejected);
    counter('crossprobe_ingest_heartbeats_total', 'Agent heartbeats stored.', i.heartbeats);
    counter('crossprobe_ingest_batches_total', 'Batches committed to SQLite.', i.batches);
    counter('crossprobe_ingest_failed_batches_total', 'Batches whose transaction failed (their messages are redelivered).', i.failedBatches);
    counter('crossprobe_ingest_isolated_batches_total', 'Batches that failed for one of their rows and were committed row by row (the refused rows rejected).', i.isolatedBatches);
    counter('crossprobe_ingest_over_target_cap_total', 'Results rejected because their target, known only from results, was new past --max-result-targets.', i.overTargetCap);
    counter('crossprobe_ingest_over_serving_cap_total', 'Results rejected because their target already showed --max-serving-nodes distinct IPs or identity values this hour.', i.overServingCap);
    counter('crossprobe_ingest_lost_rejects_total', 'Rejected messages the database refused to keep: acked and lost so that ingest goes on.', i.lostRejects);
    families.push({
      name: 'crossprobe_ingest_lag_seconds',
      help: 'Now minus the start time of the newest result ingested.',
      type: 'gauge',
      samples: i.lagMs === null ? [] : [{ value: i.lagMs / 1000 }],
    });
    families.push({
      name: 'crossprobe_ingest_pending_messages',
      help: 'Results in the stream the collector has not been delivered yet (approximate).',
      type: 'gauge',
      samples: i.pending === null ? [] : [{ value: i.pending }],
    });
  }
  const perAgent = (name: string, help: string, value: (a: MetricsInput['agents'][number]) => number): MetricFamily => ({
    name,
    help,
    type: 'gauge',
    samples: m.agents.map((a) => ({ labels: { region: a.region, agent: a.agent }, value: value(a) })),
  });
  families.push(
    perAgent('crossprobe_agent_last_seen_timestamp_seconds', 'When the agent\'s last heartbeat arrived (collector clock).', (a) => a.lastSeenMs / 1000),
    perAgent('crossprobe_agent_spool_depth', 'Results waiting in the agent\'s disk spool, as its last heartbeat said.', (a) => a.spoolDepth),
    perAgent('crossprobe_agent_spool_dropped', 'Results the agent dropped past its spool bound since it started.', (a) => a.spoolDropped),
    perAgent('crossprobe_agent_spool_degraded', '1 when the agent\'s disk refuses its spool (full, read-only) and results wait in memory.', (a) => (a.spoolState === 'degraded' ? 1 : 0)),
    perAgent('crossprobe_agent_memory_queue_depth', 'Results waiting in the agent\'s memory queue (its disk refusing the spool), as its last heartbeat said.', (a) => a.memoryQueueDepth ?? 0),
    perAgent('crossprobe_agent_memory_queue_dropped', 'Results the agent dropped past its memory queue bound since it started.', (a) => a.memoryQueueDropped ?? 0),
    perAgent('crossprobe_agent_stale', '1 when the agent missed 3 heartbeats.', (a) => (a.stale ? 1 : 0)),
    perAgent('crossprobe_agent_controls_failing', '1 when every control target of the agent fails.', (a) => (a.controlsFailing ? 1 : 0)),
    { name: 'crossprobe_targets', help: 'Targets the collector manages.', type: 'gauge', samples: [{ value: m.targets }] },
    { name: 'crossprobe_rejects_stored', help: 'Rejected messages kept for inspection.', type: 'gauge', samples: [{ value: m.rejectsStored }] },
    {
      name: 'crossprobe_diagnosis_observations',
      help: 'Recent results the diagnosis holds in memory (bounded; the rest is read from SQLite).',
      type: 'gauge',
      samples: [{ value: m.diagnosisObservations }],
    },
    {
      name: 'crossprobe_diagnosis_counted_results',
      help: 'Recent results the incident loop counts per serving cell in memory (what it judges every target from).',
      type: 'gauge',
      samples: m.counted === undefined ? [] : [{ value: m.counted.results }],
    },
    {
      name: 'crossprobe_incidents_open',
      help: 'Open incidents, by verdict.',
      type: 'gauge',
      samples: Object.entries(m.openIncidents).map(([verdict, value]) => ({ labels: { verdict }, value })),
    },
  );
  const r = m.runtime;
  if (r !== undefined && r !== null) {
    families.push(
      histogramFamily('crossprobe_incident_tick_seconds', 'How long one incident tick took, from its start to its end (yields to ingest and the API included).', r.ticks),
      {
        name: 'crossprobe_incident_tick_targets',
        help: 'Targets the last incident tick judged.',
        type: 'gauge',
        samples: r.lastTick === null ? [] : [{ value: r.lastTick.targets }],
      },
      {
        name: 'crossprobe_incident_tick_full_diagnoses',
        help: 'Targets of the last incident tick whose raw results were read (the rest were judged from their counts).',
        type: 'gauge',
        samples: r.lastTick === null ? [] : [{ value: r.lastTick.fullDiagnoses }],
      },
      {
        name: 'crossprobe_incident_tick_longest_slice_seconds',
        help: 'The longest stretch the last incident tick worked without letting ingest and the API run.',
        type: 'gauge',
        samples: r.lastTick === null ? [] : [{ value: r.lastTick.longestSliceMs / 1000 }],
      },
      histogramFamily('crossprobe_event_loop_lag_seconds', 'How late the main thread ran a timer due every 25 ms: how long its event loop (NATS, the API) was held up.', r.eventLoopLag),
    );
  }
  return families;
}
