/**
 * Runs async operations one at a time, in the order they were asked for; one that fails does not stop
 * those after it (its caller gets the rejection). What the spools use so an append, a replay and a
 * close never interleave on the same files, and the incident loop so that ticks never overlap.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` once everything asked for before has settled; settles as `fn` does. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Resolves (never rejects) once everything asked for so far has settled. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
