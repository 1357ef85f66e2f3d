/** Where `TargetAdmission` learns what the store knows (see KnownTargets). */
export interface TargetLookup {
  /** Added through the API. */
  managed(target: string): boolean;
  /** Has stored results since `sinceMs`. */
  seenSince(target: string, sinceMs: number): boolean;
}

/** Targets known only from results, at most this many at once unless told otherwise (a 10,000-target fleet fits twice). */
export const DEFAULT_MAX_RESULT_TARGETS = 20_000;
/** A target known only from results, silent this long, gives its place up. */
export const RESULT_TARGET_IDLE_MS = 24 * 3_600_000;
/** The API's targets are asked about again after this long (one added since is found at its first result anyway). */
const MANAGED_RECHECK_MS = 60_000;

/**
 * Which results' targets the collector takes. Targets added through the API, always. Targets that
 * agents probe from their own `--targets` files, known only from their results, up to `maxTargets` at
 * once: past it, results of a new target id are set aside (the caller sends them to the rejects
 * table), so an agent inventing target ids cannot grow the collector's memory, its incidents or its
 * webhooks without end. Such a target silent for `idleMs` frees its place; one with results stored
 * within `idleMs` (from before a restart) is taken again without counting against newcomers.
 */
export class TargetAdmission {
  /** Targets known only from results → when last seen (ms). */
  private readonly fromResults = new Map<string, number>();
  /** API targets → when the API table last said so (ms). */
  private readonly managed = new Map<string, number>();
  private sweptAtMs = -Infinity;

  constructor(
    private readonly lookup: TargetLookup,
    readonly maxTargets = DEFAULT_MAX_RESULT_TARGETS,
    private readonly idleMs = RESULT_TARGET_IDLE_MS,
  ) {
    if (!Number.isSafeInteger(maxTargets) || maxTargets < 0) throw new RangeError(`maxTargets must be a whole number ≥ 0, got ${maxTargets}`);
  }

  /** Targets known only from results now. */
  get resultTargets(): number {
    return this.fromResults.size;
  }

  /** Whether results of `target` are taken, at `nowMs`. */
  admit(target: string, nowMs: number): boolean {
    if (this.fromResults.has(target)) {
      this.fromResults.set(target, nowMs);
      return true;
    }
    const checked = this.managed.get(target);
    if (checked !== undefined && nowMs - checked < MANAGED_RECHECK_MS) return true;
    if (this.lookup.managed(target)) {
      this.managed.set(target, nowMs);
      return true;
    }
    this.managed.delete(target);
    if (this.fromResults.size >= this.maxTargets) this.sweep(nowMs);
    if (this.fromResults.size < this.maxTargets || this.lookup.seenSince(target, nowMs - this.idleMs)) {
      this.fromResults.set(target, nowMs);
      return true;
    }
    return false;
  }

  /** Forgets targets idle for `idleMs`; at most once a minute (a flood of new ids must not sweep each time). */
  private sweep(nowMs: number): void {
    if (nowMs - this.sweptAtMs < 60_000) return;
    this.sweptAtMs = nowMs;
    for (const [target, lastMs] of this.fromResults) if (nowMs - lastMs >= this.idleMs) this.fromResults.delete(target);
  }
}

/** Distinct serving IPs, and distinct values of each identity, one target may show per hour unless told otherwise. */
export const DEFAULT_MAX_SERVING_NODES = 1_000;
const HOUR_MS = 3_600_000;
/** Values tracked over every target at most; past it the hour starts over (memory stays bounded whatever arrives). */
const MAX_TRACKED = 500_000;

interface HourOfTarget {
  hour: number;
  readonly ips: Set<string>;
  /** identity name → its values */
  readonly identities: Map<string, Set<string>>;
}

/**
 * The serving nodes (IPs, identity values) a target shows per clock hour, at most `maxNodes` of each
 * kind: they are the diagnosis grid's columns, so a broken or hostile agent sending a new IP or node
 * name with every result would make every diagnosis of the target slower without end. A result that
 * would add one past the bound is refused (the caller rejects it, the reason naming the flag).
 */
export class ServingNodeBounds {
  private readonly targets = new Map<string, HourOfTarget>();
  private tracked = 0;

  constructor(readonly maxNodes = DEFAULT_MAX_SERVING_NODES) {
    if (!Number.isSafeInteger(maxNodes) || maxNodes < 1) throw new RangeError(`maxNodes must be a whole number above 0, got ${maxNodes}`);
  }

  /** Null when the result's IP and identity values fit, else why not; what fits is remembered. */
  check(target: string, ip: string, identity: Readonly<Record<string, string>>, nowMs: number): string | null {
    const hour = Math.floor(nowMs / HOUR_MS);
    let t = this.targets.get(target);
    if (t === undefined) {
      if (this.tracked >= MAX_TRACKED) {
        this.targets.clear();
        this.tracked = 0;
      }
      t = { hour, ips: new Set(), identities: new Map() };
      this.targets.set(target, t);
    } else if (t.hour !== hour) {
      this.tracked -= t.ips.size;
      for (const values of t.identities.values()) this.tracked -= values.size;
      t.hour = hour;
      t.ips.clear();
      t.identities.clear();
    }
    if (ip !== '' && !t.ips.has(ip)) {
      if (t.ips.size >= this.maxNodes) return `ip: target "${target}" already showed ${this.maxNodes} distinct IPs this hour (--max-serving-nodes ${this.maxNodes})`;
    }
    let newNames = 0;
    for (const name in identity) {
      const values = t.identities.get(name);
      if (values === undefined) {
        // names are bounded per result (RESULT_LIMITS.maxIdentities), not per target: bound them too
        if (t.identities.size + ++newNames > this.maxNodes) return `identity: target "${target}" already showed ${this.maxNodes} identity names this hour (--max-serving-nodes ${this.maxNodes})`;
      } else if (values.size >= this.maxNodes && !values.has(identity[name]!)) {
        return `identity[${JSON.stringify(name)}]: target "${target}" already showed ${this.maxNodes} distinct values this hour (--max-serving-nodes ${this.maxNodes})`;
      }
    }
    // fits: remember (only now, so a refused result adds nothing)
    if (ip !== '' && !t.ips.has(ip)) {
      t.ips.add(ip);
      this.tracked++;
    }
    for (const name in identity) {
      let values = t.identities.get(name);
      if (values === undefined) {
        values = new Set();
        t.identities.set(name, values);
      }
      const value = identity[name]!;
      if (!values.has(value)) {
        values.add(value);
        this.tracked++;
      }
    }
    return null;
  }
}
