/**
 * The ingest's writer thread: decodes the results stream's messages and commits them to SQLite on its
 * own connection, so the main thread's event loop (NATS, the API, the incidents loop) never waits on a
 * commit. Started by writer.ts; speaks only the messages defined there.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openBatchInserter, summarizeCommit, type RejectRecord, type ResultRecord } from '../store/index.js';
import { SubjectCache, resultFromMessage } from './decode.js';
import type { FromWriter, ToWriter, WriterConfig } from './writer.js';

const config = workerData as WriterConfig;
const port = parentPort!;
const { inserter } = openBatchInserter(config.path, config.openOptions);
const subjects = new SubjectCache();

port.on('message', (m: ToWriter) => {
  const results: ResultRecord[] = [];
  const rejects: RejectRecord[] = [];
  const bytes = new Uint8Array(m.data);
  for (let i = 0; i < m.subjects.length; i++) {
    const subject = m.subjects[i]!;
    const data = bytes.subarray(m.offsets[i]!, m.offsets[i + 1]!);
    const checked = resultFromMessage(subject, data, m.receivedAtMs, config.maxMessageBytes, subjects);
    if (checked.ok) results.push(checked.value);
    else rejects.push({ receivedAtMs: m.receivedAtMs, subject, reason: checked.reason, bytes: data });
  }
  let reply: FromWriter;
  try {
    const { fresh, rowids } = inserter.insert(results, rejects);
    let newest: number | null = null;
    for (const r of results) if (newest === null || r.startedAtMs > newest) newest = r.startedAtMs;
    reply = {
      id: m.id,
      ok: true,
      inserted: fresh.length,
      duplicates: results.length - fresh.length,
      rejected: rejects.length,
      newestStartedAtMs: newest,
      firstReject: rejects.length > 0 ? { subject: rejects[0]!.subject, reason: rejects[0]!.reason } : null,
      fresh: config.reportFresh && fresh.length > 0 ? summarizeCommit(fresh, rowids) : null,
    };
  } catch (err) {
    reply = { id: m.id, ok: false, error: (err as Error).message };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true });

