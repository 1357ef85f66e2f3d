import { pino } from 'pino';
import { parseAgentConfig, agentHelp, runAgent } from '../agent/index.js';
import { shutdownOnSignals } from './signals.js';

/** `crossprobe agent`: runs until SIGTERM/SIGINT, then shuts down without losing a result. */
export async function agentCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${agentHelp()}\n`);
    return 0;
  }
  const config = parseAgentConfig(argv, process.env);
  const logger = pino({ level: config.logLevel, base: { region: config.region, agent: config.id } });
  const shutdown = shutdownOnSignals(logger);
  const { connected } = await runAgent(config, logger, shutdown.signal);
  shutdown.release();
  // a NATS connection still being attempted (the hub never answered) would keep the process alive
  if (!connected) process.exit(0);
  return 0;
}
