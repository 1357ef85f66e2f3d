import { readFileSync } from 'node:fs';
import { parseDocument } from '../../common/index.js';
import { ConfigError, parseTarget, type Target } from '../../proto/index.js';

/**
 * Reads a targets file, YAML or JSON: `{ targets: [ {id, url, ...}, ... ] }` (DESIGN §5). Every
 * target is validated; the first problem throws a ConfigError naming the file and the field, e.g.
 * `targets.yaml: targets[2].interval: must be a duration such as 30s`.
 */
export function loadTargetsFile(path: string): Target[] {
  let doc: unknown;
  try {
    doc = parseDocument(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError(`${path}: must be a mapping with a "targets" list, e.g. targets: [{ id: shop, url: https://shop.example.com/ }]`);
  }
  const extra = Object.keys(doc).filter((k) => k !== 'targets');
  if (extra.length) throw new ConfigError(`${path}: unknown key "${extra[0]}" (known keys: targets)`, extra[0]);
  const list = (doc as { targets?: unknown }).targets;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new ConfigError(`${path}: targets: must be a list of targets`, 'targets');
  const seen = new Set<string>();
  return list.map((item, i) => {
    try {
      const t = parseTarget(item, `targets[${i}]`);
      if (seen.has(t.id)) throw new ConfigError(`targets[${i}].id: "${t.id}" is used by an earlier target; ids must be unique`, `targets[${i}].id`);
      seen.add(t.id);
      return t;
    } catch (err) {
      if (err instanceof ConfigError) throw new ConfigError(`${path}: ${err.message}`, err.field);
      throw err;
    }
  });
}
