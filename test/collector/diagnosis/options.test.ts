import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DIAGNOSIS_OPTIONS, DiagnosisOptionsError, resolveOptions } from '../../../collector/diagnosis/index.js';

test('resolveOptions - defaults, overlaid and frozen', () => {
  const o = resolveOptions({ alpha: 0.05, longWindowMs: 600_000 });
  assert.equal(o.alpha, 0.05);
  assert.equal(o.longWindowMs, 600_000);
  assert.equal(o.shortWindowMs, DEFAULT_DIAGNOSIS_OPTIONS.shortWindowMs);
  assert.ok(Object.isFrozen(o));
  assert.deepEqual(resolveOptions(), DEFAULT_DIAGNOSIS_OPTIONS);
});

test('resolveOptions - bad values throw the message a user sees', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ alpha: 0 }, 'diagnosis option alpha must be in (0, 1), got 0'],
    [{ minFailures: 2.5 }, 'diagnosis option minFailures must be an integer >= 1, got 2.5'],
    [{ backgroundRate: Number.NaN }, 'diagnosis option backgroundRate must be in (0, 1), got NaN'],
    [{ shortWindowMs: '5m' }, 'diagnosis option shortWindowMs must be > 0, got 5m'],
    [{ shortWindowMs: 7_200_000 }, 'diagnosis option shortWindowMs (7200000) must not exceed longWindowMs (3600000)'],
    [{ windowMs: 1 }, 'unknown diagnosis option "windowMs"'],
  ];
  for (const [partial, message] of cases) {
    assert.throws(() => resolveOptions(partial), (e: unknown) => {
      assert.ok(e instanceof DiagnosisOptionsError);
      assert.equal(e.code, 'CP_DIAGNOSIS_BAD_OPTION');
      assert.equal(e.message, message);
      return true;
    });
  }
});
