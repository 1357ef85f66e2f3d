import { pino } from 'pino';
import { parseCollectorConfig, collectorHelp } from '../collector/config.js';
import { runCollector } from '../collector/main.js';

/** `crossprobe collector`: runs until SIGTERM/SIGINT, then stops accepting, finishes the batch and closes the database. */
export async function collectorCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${collectorHelp()}\n`);
    return 0;
  }
  const config = parseCollectorConfig(argv, process.env);
  const logger = pino({ level: config.logLevel, base: { service: 'crossprobe-collector' } });
  const stop = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      logger.warn({ signal: sig }, 'second signal: exiting now');
      process.exit(130);
    }
    logger.info({ signal: sig }, 'shutting down');
    stop.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    await runCollector(config, logger, stop.signal);
  } catch (err) {
    logger.fatal({ err: (err as Error).message }, 'collector could not start');
    process.stderr.write(`crossprobe collector: ${(err as Error).message}\n`);
    return 1;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
  return 0;
}
