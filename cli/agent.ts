import { pino } from 'pino';
import { parseAgentConfig, agentHelp } from '../agent/config.js';
import { runAgent } from '../agent/agent.js';

/** `crossprobe agent`: runs until SIGTERM/SIGINT, then shuts down without losing a result. */
export async function agentCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${agentHelp()}\n`);
    return 0;
  }
  const config = parseAgentConfig(argv, process.env);
  const logger = pino({ level: config.logLevel, base: { region: config.region, agent: config.id } });
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
  const { connected } = await runAgent(config, logger, stop.signal);
  // a NATS connection still being attempted (the hub never answered) would keep the process alive
  if (!connected) process.exit(0);
  return 0;
}
