import { inSchedule, type Fault } from './faults.js';

/** One injected fault in the ground-truth log. Times are epoch ms (Date.now()). */
export interface TruthEntry {
  readonly id: string;
  readonly fault: Fault;
  /** When it was injected (a window schedule counts from here). */
  readonly from: number;
  /** When it was cleared; null while it is still injected. */
  readonly to: number | null;
}

/**
 * The ground truth: every fault ever injected, with its inject and clear times, so a test can score a
 * diagnosis against what was really broken, and when.
 */
export class TruthLog {
  readonly #entries: TruthEntry[] = [];

  record(id: string, fault: Fault, from: number): TruthEntry {
    const entry: TruthEntry = Object.freeze({ id, fault, from, to: null });
    this.#entries.push(entry);
    return entry;
  }

  /** Marks `id` cleared at `to`; false when it is unknown or already cleared. */
  clear(id: string, to: number): boolean {
    const i = this.#entries.findIndex((e) => e.id === id && e.to === null);
    const entry = this.#entries[i];
    if (entry === undefined) return false;
    this.#entries[i] = Object.freeze({ ...entry, to });
    return true;
  }

  /** Forgets `id` entirely: for a fault that could not be put in effect, so the truth never claims it. */
  discard(id: string): void {
    const i = this.#entries.findIndex((e) => e.id === id);
    if (i >= 0) this.#entries.splice(i, 1);
  }

  /** Entries still injected (not cleared), whether or not their schedule is on right now. */
  injected(): readonly TruthEntry[] {
    return this.#entries.filter((e) => e.to === null);
  }

  /** Every entry, in injection order. */
  entries(): readonly TruthEntry[] {
    return [...this.#entries];
  }

  /** The entries whose fault was in effect at `t`: injected and not yet cleared, rate > 0, schedule on. */
  activeAt(t: number): readonly TruthEntry[] {
    return this.#entries.filter((e) => isActive(e, t));
  }
}

/** Whether an entry's fault is in effect at `t`. */
export function isActive(entry: TruthEntry, t: number): boolean {
  return t >= entry.from && (entry.to === null || t < entry.to) && entry.fault.rate > 0 && inSchedule(entry.fault.schedule, entry.from, t);
}
