import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/paths.js';
import { detectionSpecs, noiseSpecs, run, scenarios } from './scenario-table.js';

/**
 * Every byte the diagnosis says — verdict, suspects, confidences, summaries, hints, evidence — on the
 * scenario table, the noise seeds and the detection seeds, pinned in a committed fixture: a refactor
 * must leave it unchanged, and a change of wording or behaviour shows up here as a diff to review.
 * Regenerate (only for an intended change, in its own commit): CROSSPROBE_UPDATE_GOLDEN=1.
 */
const FIXTURE = join(repoRoot, 'test', 'collector', 'diagnosis', 'golden-diagnoses.jsonl');

function cases(): { name: string; json: string }[] {
  return [
    ...scenarios.map((s) => ({ name: `table: ${s.name}`, json: JSON.stringify(run(s)) })),
    ...noiseSpecs().map(({ label, spec }) => ({ name: `noise: ${label}`, json: JSON.stringify(run({ spec })) })),
    ...detectionSpecs().map(({ label, spec }) => ({ name: `detection: ${label}`, json: JSON.stringify(run({ spec })) })),
  ];
}

/** One line per case: its name, a tab, the diagnosis as JSON.stringify writes it. */
const serialize = (all: readonly { name: string; json: string }[]): string => all.map((c) => `${c.name}\t${c.json}\n`).join('');

test('diagnosis golden - every scenario, noise and detection seed diagnoses byte for byte as the fixture', () => {
  const actual = serialize(cases());
  if (process.env['CROSSPROBE_UPDATE_GOLDEN'] === '1') writeFileSync(FIXTURE, actual);
  const expected = readFileSync(FIXTURE, 'utf8');
  // case by case first, so a failure names the scenario and shows its two lines
  const wanted = new Map(expected.split('\n').filter((l) => l !== '').map((l) => [l.slice(0, l.indexOf('\t')), l] as const));
  for (const line of actual.split('\n').filter((l) => l !== '')) {
    const name = line.slice(0, line.indexOf('\t'));
    assert.equal(line, wanted.get(name), `diagnosis of "${name}" differs from the fixture`);
  }
  assert.equal(actual, expected);
});

test('diagnosis golden - the fixture covers the whole table and both seed sets', () => {
  const expected = readFileSync(FIXTURE, 'utf8');
  const names = expected.split('\n').filter((l) => l !== '').map((l) => l.slice(0, l.indexOf('\t')));
  assert.equal(names.length, scenarios.length + noiseSpecs().length + detectionSpecs().length);
  assert.equal(new Set(names).size, names.length);
});
