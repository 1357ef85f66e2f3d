import type { Logger } from 'pino';

/**
 * The first SIGTERM/SIGINT aborts the returned signal (a clean shutdown); a second one exits at once,
 * for an operator who cannot wait. `release()` removes the handlers.
 */
export function shutdownOnSignals(logger: Logger): { signal: AbortSignal; release(): void } {
  const stop = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      logger.warn({ signal: sig }, 'second signal: exiting now');
      process.exit(130);
    }
    logger.info({ signal: sig }, 'shutting down');
    stop.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    signal: stop.signal,
    release: () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}
