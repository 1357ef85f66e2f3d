import { Type } from '@sinclair/typebox';
import { ConfigError, DURATION_PATTERN, ID_PATTERN, ID_RULE } from '../proto/index.js';
import type { Diagnosis, GridView } from '../collector/diagnosis/index.js';
import { apiClient, ApiClientError } from './api-client.js';
import { loadConfig, configHelp } from '../common/index.js';
import { table } from './targets.js';

/** What `crossprobe diagnose` takes. */
export const DiagnoseCliSchema = Type.Object(
  {
    api: Type.String({ minLength: 1, description: 'the collector API, e.g. http://127.0.0.1:8080 (required)' }),
    token: Type.Optional(Type.String({ minLength: 1, description: 'bearer token, when the collector requires one for reads' })),
    target: Type.String({ pattern: ID_PATTERN, errorMessage: ID_RULE, description: 'target id (required)' }),
    window: Type.Optional(
      Type.String({ pattern: DURATION_PATTERN, errorMessage: 'must be a duration such as 30s, 15m or 24h', description: 'how far back to look (without it: the collector\'s long window)' }),
    ),
    json: Type.Boolean({ description: 'print the API\'s JSON' }),
  },
  { additionalProperties: false },
);

/** What `crossprobe diagnose` uses for a key nobody set (the parser applies these, --help shows them). */
export const DIAGNOSE_DEFAULTS = Object.freeze({ json: false });

/** Parses `crossprobe diagnose`'s flags, environment and config file; throws ConfigError. */
export function parseDiagnoseArgs(argv: readonly string[], env: NodeJS.ProcessEnv) {
  const { config, positionals } = loadConfig(DiagnoseCliSchema, argv, env, DIAGNOSE_DEFAULTS);
  if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}"\n\n${DIAGNOSE_USAGE}`);
  return config;
}

export const DIAGNOSE_USAGE = 'Usage: crossprobe diagnose --api URL --target ID [--window 15m] [--json] [--token T]';

interface GridResponse {
  readonly target: string;
  readonly window: { readonly from: string; readonly to: string };
  readonly grids: readonly GridView[];
}

/** `crossprobe diagnose`: where do the target's failures come from? */
export async function diagnoseCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${configHelp(DiagnoseCliSchema, DIAGNOSE_USAGE, { defaults: DIAGNOSE_DEFAULTS })}\n`);
    return 0;
  }
  const config = parseDiagnoseArgs(argv, process.env);
  const client = apiClient(config.api, config.token ?? null);
  const query = config.window !== undefined ? `?window=${encodeURIComponent(config.window)}` : '';
  const path = `/api/v1/targets/${encodeURIComponent(config.target)}`;
  try {
    const { body: diagnosis } = await client.request<Diagnosis>('GET', `${path}/diagnosis${query}`);
    if (config.json) {
      process.stdout.write(`${JSON.stringify(diagnosis, null, 2)}\n`);
      return 0;
    }
    const first = diagnosis.findings[0];
    let grid: { view: GridView; label: string } | null = null;
    if (first !== undefined && first.verdict !== 'agent') {
      grid = { view: first.evidence.grid, label: `${first.evidence.window} window, ${first.evidence.from} → ${first.evidence.to}` };
    } else {
      const { body } = await client.request<GridResponse>('GET', `${path}/grid${query}`);
      const view = body.grids[0];
      if (view !== undefined) grid = { view, label: `${body.window.from} → ${body.window.to}` };
    }
    process.stdout.write(formatDiagnosis(diagnosis, grid));
    return 0;
  } catch (err) {
    if (err instanceof ApiClientError) {
      process.stderr.write(`crossprobe diagnose: ${err.message}${err.status ? ` (HTTP ${err.status} ${err.code})` : ''}\n`);
      return 1;
    }
    throw err;
  }
}

/** The grid as failures/probes, a row per region, a column per serving node. */
export function formatGrid(view: GridView): string {
  const rows: string[][] = [['', ...view.columns]];
  view.rows.forEach((region, r) => {
    rows.push([region, ...view.columns.map((_, c) => {
      const cell = view.cells[r]?.[c];
      return cell && cell.probes > 0 ? `${cell.failures}/${cell.probes}` : '-';
    })]);
  });
  return table(rows);
}

const indent = (text: string, by: string) => text.split('\n').map((l) => `${by}${l}`).join('\n');

/** The human-readable diagnosis: verdict line, each finding (summary, suspects, confidence, hints), the grid. */
export function formatDiagnosis(d: Diagnosis, grid: { view: GridView; label: string } | null): string {
  const out: string[] = [`${d.target}: ${d.verdict}   (window ${d.window.from} → ${d.window.to})`];
  if (d.findings.length === 0) out.push('', 'No failure pattern stands out from probe noise.');
  d.findings.forEach((f, i) => {
    out.push('', `${i + 1}. ${f.verdict} — confidence ${f.confidence.toFixed(2)}`, `   ${f.summary}`);
    if (f.suspects.length > 0) out.push(`   suspects: ${f.suspects.map((s) => `${s.dimension} ${s.value}`).join(', ')}`);
    if (f.hints.length > 0) out.push('   hints:', ...f.hints.map((h) => `   • ${h}`));
  });
  if (grid === null || grid.view.rows.length === 0) out.push('', 'No probe results in the window.');
  else out.push('', `grid by ${grid.view.dimension}, failures/probes (${grid.label}):`, indent(formatGrid(grid.view), '  '));
  return `${out.join('\n')}\n`;
}
