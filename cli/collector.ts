import { pino } from 'pino';
import { parseCollectorConfig, collectorHelp, runCollector } from '../collector/index.js';
import { shutdownOnSignals } from './signals.js';

/** `crossprobe collector`: runs until SIGTERM/SIGINT, then stops accepting, finishes the batch and closes the database. */
export async function collectorCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${collectorHelp()}\n`);
    return 0;
  }
  const config = parseCollectorConfig(argv, process.env);
  const logger = pino({ level: config.logLevel, base: { service: 'crossprobe-collector' } });
  const shutdown = shutdownOnSignals(logger);
  try {
    await runCollector(config, logger, shutdown.signal);
  } catch (err) {
    logger.fatal({ err }, 'collector could not start');
    process.stderr.write(`crossprobe collector: ${(err as Error).message}\n`);
    return 1;
  } finally {
    shutdown.release();
  }
  return 0;
}
