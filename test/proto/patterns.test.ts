import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DURATION_PATTERN, ID_PATTERN, ID_RULE, durationProblem, idProblem, parseDuration } from '../../proto/index.js';

test('patterns - DURATION_PATTERN accepts exactly the texts parseDuration reads (within its bound)', () => {
  const pattern = new RegExp(DURATION_PATTERN, 'u');
  for (const text of ['500ms', '30s', '15m', '24h', '7d', '1h30m', '1.5s', '0s', '2d12h', '10ms5s']) {
    assert.ok(pattern.test(text), text);
    assert.notEqual(parseDuration(text), null, text);
  }
  for (const text of ['', '5', 's', '1w', '1 h', '-1s', '1.s', '.5s', '1h-', '1H', ' 1h', '1h ']) {
    assert.ok(!pattern.test(text), text);
    assert.equal(parseDuration(text), null, text);
    assert.equal(durationProblem(text), 'must be a duration such as 500ms, 30s, 15m or 1h', text);
  }
});

test('patterns - ID_PATTERN and ID_RULE are what idProblem checks and says', () => {
  const pattern = new RegExp(ID_PATTERN, 'u');
  for (const id of ['eu-west', 'fra-1', 'a', '0', 'x'.repeat(63)]) {
    assert.ok(pattern.test(id), id);
    assert.equal(idProblem(id), null, id);
  }
  for (const id of ['', 'EU', 'eu_west', 'eu.west', 'x'.repeat(64), 'é']) {
    assert.ok(!pattern.test(id), id);
    assert.equal(idProblem(id), `${JSON.stringify(id)} ${ID_RULE}`, id);
  }
  assert.equal(ID_RULE, 'must be 1–63 characters of a–z, 0–9 and "-"');
});
