import { writeFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { ConfigError, DURATION_PATTERN, ID_PATTERN, ID_RULE } from '../proto/index.js';
import { ApiClientError, normalizeApiBase } from './api-client.js';
import { loadConfig, configHelp } from '../common/index.js';

const DURATION = { pattern: DURATION_PATTERN, errorMessage: 'must be a duration such as 30s, 15m or 24h' };

/** What `crossprobe report` takes. */
export const ReportCliSchema = Type.Object(
  {
    api: Type.String({ minLength: 1, description: 'the collector API, e.g. http://127.0.0.1:8080 (required)' }),
    token: Type.Optional(Type.String({ minLength: 1, description: 'bearer token, when the collector requires one for reads' })),
    target: Type.String({ pattern: ID_PATTERN, errorMessage: ID_RULE, description: 'target id (required)' }),
    since: Type.String({ ...DURATION, description: 'how far back the report reaches (30d and more read hourly rollups)' }),
    until: Type.Optional(Type.String({ minLength: 1, description: 'end of the range: ISO 8601, ms since the epoch, or a duration ago such as 2h (without it: now)' })),
    format: Type.Union([Type.Literal('md'), Type.Literal('html'), Type.Literal('json')], { errorMessage: 'must be md, html or json', description: 'md, html (one self-contained file) or json' }),
    window: Type.Optional(Type.String({ ...DURATION, description: 'diagnosis window of the verdict (without it: the collector\'s long window)' })),
    output: Type.Optional(Type.String({ minLength: 1, description: 'write the report to this file instead of standard output' })),
  },
  { additionalProperties: false },
);

export const REPORT_USAGE =
  'Usage: crossprobe report --api URL --target ID [--since 24h] [--until TIME] [--format md|html|json] [--window 1h] [--output FILE] [--token T]';

/** What `crossprobe report` uses for a key nobody set (the parser applies these, --help shows them). */
export const REPORT_DEFAULTS = Object.freeze({ since: '24h', format: 'md' as const });

/** Parses `crossprobe report`'s flags, environment and config file; throws ConfigError. */
export function parseReportArgs(argv: readonly string[], env: NodeJS.ProcessEnv) {
  const { config, positionals } = loadConfig(ReportCliSchema, argv, env, REPORT_DEFAULTS);
  if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}"\n\n${REPORT_USAGE}`);
  return config;
}

const ACCEPT = { md: 'text/markdown', html: 'text/html', json: 'application/json' } as const;

/** `crossprobe report`: the regional failure report of a target, from the collector API. */
export async function reportCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${configHelp(ReportCliSchema, REPORT_USAGE, { defaults: REPORT_DEFAULTS })}\n`);
    return 0;
  }
  const config = parseReportArgs(argv, process.env);
  try {
    const base = normalizeApiBase(config.api);
    const query = new URLSearchParams({ since: config.since, format: config.format });
    if (config.until !== undefined) query.set('until', config.until);
    if (config.window !== undefined) query.set('window', config.window);
    const url = `${base}/api/v1/targets/${encodeURIComponent(config.target)}/report?${query.toString()}`;
    const text = await fetchReport(url, config.token ?? null, ACCEPT[config.format]);
    const out = config.format === 'json' ? `${JSON.stringify(JSON.parse(text), null, 2)}\n` : text;
    if (config.output !== undefined) {
      writeFileSync(config.output, out);
      process.stderr.write(`crossprobe report: wrote ${config.output} (${Buffer.byteLength(out)} bytes)\n`);
    } else {
      process.stdout.write(out);
    }
    return 0;
  } catch (err) {
    if (err instanceof ApiClientError) {
      process.stderr.write(`crossprobe report: ${err.message}${err.status ? ` (HTTP ${err.status} ${err.code})` : ''}\n`);
      return 1;
    }
    throw err;
  }
}

/** The report's body as text; throws ApiClientError with the server's own message on an error. */
async function fetchReport(url: string, token: string | null, accept: string): Promise<string> {
  const headers: Record<string, string> = { accept };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.timeout(60_000) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new ApiClientError(`cannot reach the collector API at ${new URL(url).origin}: ${cause?.code ?? cause?.message ?? (err as Error).message}`, 0, 'CP_UNREACHABLE');
  }
  const text = await res.text();
  if (!res.ok) {
    let e: { code?: unknown; message?: unknown } | undefined;
    try {
      e = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
    } catch {
      e = undefined;
    }
    const message = typeof e?.message === 'string' ? e.message : `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
    throw new ApiClientError(message, res.status, typeof e?.code === 'string' ? e.code : `HTTP_${res.status}`);
  }
  return text;
}
