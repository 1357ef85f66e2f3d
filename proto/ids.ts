import { randomUUID } from 'node:crypto';

/**
 * A UUIDv7 (RFC 9562): 48-bit Unix ms timestamp, then random bits. Sorts by creation time, so result
 * ids double as a cursor; unique across agents without coordination.
 */
export function resultId(nowMs = Date.now()): string {
  // randomUUID draws from a batched entropy cache: far cheaper per call than randomBytes(16)
  const rnd = randomUUID(); // xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx: 122 random bits
  const t = nowMs.toString(16).padStart(12, '0').slice(-12);
  const variant = ((parseInt(rnd[19]!, 16) & 0x3) | 0x8).toString(16);
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${rnd.slice(15, 18)}-${variant}${rnd.slice(20, 23)}-${rnd.slice(24, 36)}`;
}
