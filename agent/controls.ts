import { parseTarget, failureToWire, type ControlHealth, type ProbeResult, type Target } from '../proto/index.js';

/**
 * Control targets: URLs every agent should always reach (a big public site, the collector's own
 * /healthz). They are probed like targets but never published as results; their health rides in the
 * heartbeat so the collector can tell an agent's own network trouble from a target's.
 */
export class Controls {
  readonly targets: readonly Target[];
  private readonly health = new Map<string, ControlHealth>();

  constructor(urls: readonly string[], intervalMs: number) {
    this.targets = urls.map((url, i) =>
      parseTarget({ id: `control-${i}`, url, interval: `${intervalMs}ms`, timeout: `${Math.min(5_000, intervalMs)}ms`, resolveAll: false }),
    );
  }

  /** Records one round of a control target. */
  record(target: Target, results: readonly ProbeResult[]): void {
    const last = results.find((r) => r.ok) ?? results[0];
    if (!last) return;
    const prev = this.health.get(target.url);
    const h: ControlHealth = {
      url: target.url,
      ok: !!last.ok,
      failure: last.ok ? failureToWire(null) : (last.failure ?? null),
      checkedAtMs: last.startedAtMs ?? Date.now(),
      consecutiveFailures: last.ok ? 0 : (prev?.consecutiveFailures ?? 0) + 1,
    };
    if (last.phases?.total != null) h.totalMs = last.phases.total;
    this.health.set(target.url, h);
  }

  /** Health of every control, in the order given; a control not probed yet is absent. */
  snapshot(): ControlHealth[] {
    return this.targets.flatMap((t) => this.health.get(t.url) ?? []);
  }
}
