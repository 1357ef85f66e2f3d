/** One sample of a Prometheus text exposition. */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface PromFamily {
  readonly name: string;
  readonly type: string;
  readonly help: string;
  readonly samples: PromSample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = `([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"`;
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*)?,?\\})? (\\S+)(?: (-?\\d+))?$`);

function parseValue(text: string, line: number): number {
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  const v = Number(text);
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(text) || Number.isNaN(v)) throw new Error(`line ${line}: "${text}" is not a sample value`);
  return v;
}

/**
 * A strict parser of the Prometheus text format 0.0.4: every line is a HELP, a TYPE or a sample;
 * TYPE comes before the family's samples, once; label values are properly escaped. Throws on the
 * first line that is not.
 */
export function parsePrometheus(text: string): Map<string, PromFamily> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, PromFamily>();
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, i) => {
    const n = i + 1;
    if (line === '') return;
    const help = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line);
    if (help) {
      const f = families.get(help[1]!) ?? { name: help[1]!, type: 'untyped', help: '', samples: [] };
      families.set(f.name, { ...f, help: help[2]! });
      return;
    }
    const type = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line);
    if (type) {
      const f = families.get(type[1]!);
      if (f && (f.samples.length > 0 || f.type !== 'untyped')) throw new Error(`line ${n}: TYPE of ${type[1]} after its samples or twice`);
      families.set(type[1]!, { name: type[1]!, type: type[2]!, help: f?.help ?? '', samples: f?.samples ?? [] });
      return;
    }
    if (line.startsWith('#')) return;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`line ${n}: not a sample: ${line}`);
    const name = m[1]!;
    const labels: Record<string, string> = {};
    const labelText = line.slice(name.length).match(/^\{(.*)\}/)?.[1] ?? '';
    for (const lm of labelText.matchAll(new RegExp(LABEL, 'g'))) {
      if (Object.hasOwn(labels, lm[1]!)) throw new Error(`line ${n}: label ${lm[1]} twice`);
      labels[lm[1]!] = lm[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    const family = families.get(name) ?? families.get(name.replace(/_(sum|count|bucket)$/, ''));
    if (!family) throw new Error(`line ${n}: sample of ${name} without a TYPE line`);
    family.samples.push({ name, labels, value: parseValue(m[m.length - 2]!, n) });
  });
  return families;
}
