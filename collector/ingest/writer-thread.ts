/**
 * The ingest's writer thread: decodes the results stream's messages and commits them to SQLite on its
 * own connection, so the main thread's event loop (NATS, the API, the incidents loop) never waits on a
 * commit. Started by writer.ts; speaks only the messages defined there.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { KnownTargets, openBatchInserter, summarizeCommit, type RejectRecord, type ResultRecord } from '../store/index.js';
import { SubjectCache, resultFromMessage, type Checked } from './decode.js';
import { ServingNodeBounds, TargetAdmission } from './admission.js';
import type { FromWriter, ToWriter, WriterConfig } from './writer.js';

const config = workerData as WriterConfig;
const port = parentPort!;
const { inserter, db } = openBatchInserter(config.path, { ...config.openOptions, maxRejects: config.maxRejects });
const subjects = new SubjectCache();
const admission = new TargetAdmission(new KnownTargets(db), config.maxResultTargets);
const serving = new ServingNodeBounds(config.maxServingNodes);

/** The batch's messages checked: the results to store (with where each came from) and the rejects. */
function check(m: ToWriter): { results: ResultRecord[]; sources: { subject: string; data: Uint8Array }[]; rejects: RejectRecord[]; overTargetCap: number; overServingCap: number } {
  const results: ResultRecord[] = [];
  /** Where each result came from, for the reject it becomes if the database refuses it. */
  const sources: { subject: string; data: Uint8Array }[] = [];
  const rejects: RejectRecord[] = [];
  let overTargetCap = 0;
  let overServingCap = 0;
  const bytes = new Uint8Array(m.data);
  for (let i = 0; i < m.subjects.length; i++) {
    const subject = m.subjects[i]!;
    const data = bytes.subarray(m.offsets[i]!, m.offsets[i + 1]!);
    let checked: Checked<ResultRecord>;
    try {
      checked = resultFromMessage(subject, data, m.receivedAtMs, config.maxMessageBytes, subjects, config.timeBounds);
    } catch (err) {
      // checking never throws; if it ever does, the message is still set aside, never retried forever
      checked = { ok: false, reason: `cannot check the message: ${String(err)}` };
    }
    let reason: string;
    if (!checked.ok) reason = checked.reason;
    else {
      const r = checked.value;
      if (!admission.admit(r.target, m.receivedAtMs)) {
        overTargetCap++;
        reason = `target "${r.target}" is not known to the collector, and ${admission.resultTargets} targets known only from results reach the cap (--max-result-targets ${admission.maxTargets}): add it through the API (crossprobe targets add) or raise the cap`;
      } else {
        const tooMany = serving.check(r.target, r.ip, r.identity, m.receivedAtMs);
        if (tooMany === null) {
          results.push(r);
          sources.push({ subject, data });
          continue;
        }
        overServingCap++;
        reason = tooMany;
      }
    }
    rejects.push({ receivedAtMs: m.receivedAtMs, subject, reason, bytes: data });
  }
  return { results, sources, rejects, overTargetCap, overServingCap };
}

port.on('message', (m: ToWriter) => {
  // Outside the try: admission reads the database, and a failure there must reject nothing. It ends
  // the thread instead, which fails the batch (redelivered) and starts a new thread (see writer.ts).
  const { results, sources, rejects, overTargetCap, overServingCap } = check(m);
  let reply: FromWriter;
  try {
    const c = inserter.insertIsolating(results, rejects, (i, reason) => ({ receivedAtMs: m.receivedAtMs, subject: sources[i]!.subject, reason, bytes: sources[i]!.data }));
    let newest: number | null = null;
    for (const r of results) if (newest === null || r.startedAtMs > newest) newest = r.startedAtMs;
    const firstReject = rejects[0] ?? c.refused[0];
    reply = {
      id: m.id,
      ok: true,
      inserted: c.fresh.length,
      duplicates: results.length - c.refused.length - c.fresh.length,
      rejected: rejects.length + c.refused.length,
      overTargetCap,
      overServingCap,
      isolated: c.isolated,
      lostRejects: c.lost,
      firstLost: c.firstLost,
      newestStartedAtMs: newest,
      firstReject: firstReject === undefined ? null : { subject: firstReject.subject, reason: firstReject.reason },
      fresh: config.reportFresh && c.fresh.length > 0 ? summarizeCommit(c.fresh, c.rowids) : null,
    };
  } catch (err) {
    reply = { id: m.id, ok: false, error: (err as Error).message };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true, synchronous: db.pragma('synchronous', { simple: true }) as number });
