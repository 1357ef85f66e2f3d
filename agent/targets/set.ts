import type { Logger } from 'pino';
import type { Target } from '../../proto/index.js';

/**
 * The targets this agent probes: the union of the targets file and the KV bucket, restricted to
 * targets meant for this agent's region. The file wins when both define an id (it is the operator's
 * explicit word on this machine). Calls `onChange` with the whole set after every change.
 */
export class TargetSet {
  private readonly file = new Map<string, Target>();
  private readonly kv = new Map<string, Target>();

  constructor(
    private readonly region: string,
    private readonly onChange: (targets: ReadonlyMap<string, Target>) => void,
    private readonly logger: Logger,
  ) {}

  replaceFile(targets: readonly Target[]): void {
    this.file.clear();
    for (const t of targets) this.file.set(t.id, t);
    this.emit();
  }

  putKv(t: Target): void {
    if (this.file.has(t.id)) this.logger.warn({ target: t.id }, 'target defined in the targets file and the KV bucket; the file wins');
    this.kv.set(t.id, t);
    this.emit();
  }

  deleteKv(id: string): void {
    if (this.kv.delete(id)) this.emit();
  }

  current(): ReadonlyMap<string, Target> {
    const all = new Map<string, Target>();
    for (const src of [this.kv, this.file]) {
      for (const [id, t] of src) if (t.regions.length === 0 || t.regions.includes(this.region)) all.set(id, t);
    }
    return all;
  }

  private emit(): void {
    this.onChange(this.current());
  }
}
