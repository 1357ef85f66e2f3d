import type { TSchema, Static } from '@sinclair/typebox';
import { ValueErrorType } from '@sinclair/typebox/value';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';

// Compiled once per schema: the interpreted checker re-creates regexes and iterators per call, which
// costs real memory and time on a 1,000-target file or a busy API.
const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();
function checker<S extends TSchema>(schema: S): TypeCheck<S> {
  let c = compiled.get(schema);
  if (!c) compiled.set(schema, (c = TypeCompiler.Compile(schema)));
  return c as TypeCheck<S>;
}

/** Bad configuration or input: the message names the field and says what would be accepted. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'ERR_CONFIG';
  constructor(message: string, readonly field?: string) {
    super(message);
  }
}

/** "/targets/0/interval" → "targets[0].interval" */
export function fieldName(prefix: string, pointer: string): string {
  const parts = pointer.split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = prefix;
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out || '(top level)';
}

/**
 * Checks `value` against `schema` (no coercion, unknown keys rejected where the schema says so) and
 * throws a ConfigError for the first problem, naming the field as a user writes it.
 */
export function check<S extends TSchema>(schema: S, value: unknown, prefix = ''): Static<S> {
  const c = checker(schema);
  if (c.Check(value)) return value as Static<S>;
  const first = c.Errors(value).First();
  if (!first) return value as Static<S>;
  const field = fieldName(prefix, first.path);
  if (first.type === ValueErrorType.ObjectAdditionalProperties) {
    const known = Object.keys((first.schema as { properties?: object }).properties ?? {});
    throw new ConfigError(`${field}: unknown key (known keys: ${known.join(', ')})`, field);
  }
  if (first.value === undefined && first.type === ValueErrorType.ObjectRequiredProperty) throw new ConfigError(`${field}: is required`, field);
  const hint = (first.schema as { errorMessage?: string }).errorMessage;
  throw new ConfigError(`${field}: ${hint ?? first.message}${describeGot(first.value)}`, field);
}

function describeGot(v: unknown): string {
  if (v === undefined) return '';
  const text = JSON.stringify(v);
  return text === undefined ? '' : ` (got ${text.length > 60 ? `${text.slice(0, 57)}...` : text})`;
}
