/**
 * Exact tests for "is this cell / line / grid failing more than it should?", computed in log space so
 * they stay accurate for tables of hundreds of thousands of probes. No approximations (no chi-square,
 * no normal tails): the counts the classifier sees are often tiny (3 failures in 5 probes) and the
 * p-values it acts on are far in the tail (1e-6 after correction), where approximations are worst.
 */

/** k failures out of n probes. */
export interface Tally {
  readonly failures: number;
  readonly probes: number;
}

const logFactorials: number[] = [0];

/** ln(n!) for a non-negative integer n, from a table grown on demand (exact sum of logs). */
export function logFactorial(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`logFactorial needs a non-negative integer, got ${n}`);
  for (let i = logFactorials.length; i <= n; i++) logFactorials.push((logFactorials[i - 1] ?? 0) + Math.log(i));
  return logFactorials[n] ?? 0;
}

/** ln C(n, k); -Infinity when k is outside 0..n. */
export function logChoose(n: number, k: number): number {
  if (k < 0 || k > n) return -Infinity;
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

/** ln(e^a + e^b) without overflow. */
function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const hi = Math.max(a, b);
  return hi + Math.log1p(Math.exp(Math.min(a, b) - hi));
}

function assertCounts(what: string, ...values: number[]): void {
  for (const v of values) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${what} needs non-negative integer counts, got ${values.join(', ')}`);
  }
}

// Terms this far (in natural log) below the running sum no longer change a double.
const NEGLIGIBLE = 40;

/**
 * Tails already summed, by their arguments. A diagnosis asks for about half its tails twice (an
 * identity grid whose nodes are the IPs' repeats the IP grid's tests: 121 of 216 in an origin outage
 * over 10 regions × 4 nodes), and a tail near the mode sums a hundred terms. Bounded: cleared when
 * full, and by `forgetTails` (each diagnosis starts empty: the next one's counts have moved on anyway).
 */
class TailCache {
  private readonly values = new Map<string, number>();
  constructor(private readonly max: number) {}

  clear(): void {
    this.values.clear();
  }

  get(key: string): number | undefined {
    return this.values.get(key);
  }

  set(key: string, value: number): number {
    if (this.values.size >= this.max) this.values.clear();
    this.values.set(key, value);
    return value;
  }
}

const upperTails = new TailCache(10_000);
const lowerTails = new TailCache(10_000);

/** Empties the tails' cache (a diagnosis starts with it, so it holds one diagnosis' tests at most). */
export function forgetTails(): void {
  upperTails.clear();
  lowerTails.clear();
}

/**
 * P(X >= x) for X ~ Hypergeometric(population, successes, draws): the chance that `draws` items taken
 * without replacement from `population` items, `successes` of them marked, contain at least x marked.
 */
export function hypergeometricUpper(x: number, population: number, successes: number, draws: number): number {
  assertCounts('hypergeometricUpper', population, successes, draws);
  if (!Number.isInteger(x)) throw new RangeError(`hypergeometricUpper needs an integer x, got ${x}`);
  if (successes > population || draws > population) throw new RangeError('hypergeometricUpper: successes and draws cannot exceed the population');
  const lo = Math.max(0, draws - (population - successes));
  const hi = Math.min(successes, draws);
  if (x <= lo) return 1;
  if (x > hi) return 0;
  const key = `${x} ${population} ${successes} ${draws}`;
  return upperTails.get(key) ?? upperTails.set(key, upperTail(x, hi, population, successes, draws));
}

function upperTail(x: number, hi: number, population: number, successes: number, draws: number): number {
  const logDenominator = logChoose(population, draws);
  let term = logChoose(successes, x) + logChoose(population - successes, draws - x) - logDenominator;
  let sum = -Infinity;
  for (let i = x; i <= hi; i++) {
    sum = logAdd(sum, term);
    if (i === hi) break;
    // pmf(i+1) / pmf(i); past the mode the terms only shrink, so stop once they no longer count.
    term += Math.log((successes - i) * (draws - i)) - Math.log((i + 1) * (population - successes - draws + i + 1));
    if (term < sum - NEGLIGIBLE) break;
  }
  return Math.min(1, Math.exp(sum));
}

/** P(X <= x) for X ~ Hypergeometric(population, successes, draws). */
export function hypergeometricLower(x: number, population: number, successes: number, draws: number): number {
  assertCounts('hypergeometricLower', population, successes, draws);
  if (!Number.isInteger(x)) throw new RangeError(`hypergeometricLower needs an integer x, got ${x}`);
  if (successes > population || draws > population) throw new RangeError('hypergeometricLower: successes and draws cannot exceed the population');
  const lo = Math.max(0, draws - (population - successes));
  const hi = Math.min(successes, draws);
  if (x >= hi) return 1;
  if (x < lo) return 0;
  const key = `${x} ${population} ${successes} ${draws}`;
  return lowerTails.get(key) ?? lowerTails.set(key, lowerTail(x, lo, population, successes, draws));
}

function lowerTail(x: number, lo: number, population: number, successes: number, draws: number): number {
  const logDenominator = logChoose(population, draws);
  let term = logChoose(successes, x) + logChoose(population - successes, draws - x) - logDenominator;
  let sum = -Infinity;
  for (let i = x; i >= lo; i--) {
    sum = logAdd(sum, term);
    if (i === lo) break;
    // pmf(i-1) / pmf(i)
    term += Math.log(i * (population - successes - draws + i)) - Math.log((successes - i + 1) * (draws - i + 1));
    if (term < sum - NEGLIGIBLE) break;
  }
  return Math.min(1, Math.exp(sum));
}

/**
 * One-sided Fisher's exact test: the p-value of "`inside` fails more often than `outside`", i.e. the
 * chance, with the failures shuffled at random over all probes, that `inside` gets at least as many
 * as it did. 1 when either side has no probes (nothing to compare).
 */
export function fisherGreater(inside: Tally, outside: Tally): number {
  assertCounts('fisherGreater', inside.failures, inside.probes, outside.failures, outside.probes);
  if (inside.probes === 0 || outside.probes === 0) return 1;
  const population = inside.probes + outside.probes;
  return hypergeometricUpper(inside.failures, population, inside.failures + outside.failures, inside.probes);
}

/** One-sided Fisher's exact test the other way: "`inside` fails less often than `outside`". */
export function fisherLess(inside: Tally, outside: Tally): number {
  assertCounts('fisherLess', inside.failures, inside.probes, outside.failures, outside.probes);
  if (inside.probes === 0 || outside.probes === 0) return 1;
  const population = inside.probes + outside.probes;
  return hypergeometricLower(inside.failures, population, inside.failures + outside.failures, inside.probes);
}

/** P(X >= k) for X ~ Binomial(n, rate): "k failures in n probes are more than a `rate` background explains". */
export function binomialUpper(k: number, n: number, rate: number): number {
  assertCounts('binomialUpper', k, n);
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`binomialUpper needs a rate in [0, 1], got ${rate}`);
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (rate === 0) return 0;
  if (rate === 1) return 1;
  const logRate = Math.log(rate);
  const logRest = Math.log1p(-rate);
  let term = logChoose(n, k) + k * logRate + (n - k) * logRest;
  let sum = -Infinity;
  for (let i = k; i <= n; i++) {
    sum = logAdd(sum, term);
    if (i === n) break;
    term += Math.log(n - i) - Math.log(i + 1) + logRate - logRest;
    if (term < sum - NEGLIGIBLE) break;
  }
  return Math.min(1, Math.exp(sum));
}

/** Failures per probe; 0 for no probes. */
export function rate(t: Tally): number {
  return t.probes === 0 ? 0 : t.failures / t.probes;
}

/** Sum of tallies. */
export function addTallies(tallies: Iterable<Tally>): Tally {
  let failures = 0;
  let probes = 0;
  for (const t of tallies) {
    failures += t.failures;
    probes += t.probes;
  }
  return { failures, probes };
}

/**
 * How often each key occurs among items (null keys are not counted), in the order keys first occur. A
 * run of items with one key is counted at once: an outage's thousands of failures come in long runs
 * of one kind.
 */
export function countKeys<T, K>(items: readonly T[], keyOf: (item: T) => K | null): Map<K, number> {
  const counts = new Map<K, number>();
  let run: K | null = null;
  let length = 0;
  for (const item of items) {
    const k = keyOf(item);
    if (k === run) {
      length++;
      continue;
    }
    if (run !== null) counts.set(run, (counts.get(run) ?? 0) + length);
    run = k;
    length = 1;
  }
  if (run !== null) counts.set(run, (counts.get(run) ?? 0) + length);
  return counts;
}

/** The q-quantile (0..1) of values by linear interpolation; NaN when empty. */
export function quantile(values: ArrayLike<number>, q: number): number {
  return quantileInPlace(Float64Array.from(values), q);
}

/**
 * Moves the k-th smallest of values (0-based) to index k, the smaller ones before it and the larger
 * after it, in O(n) on average (Hoare's selection: a quantile needs no full sort). Values must not be NaN.
 */
function selectInPlace(values: Float64Array, k: number): void {
  let lo = 0;
  let hi = values.length - 1;
  while (hi > lo) {
    // the median of the first, middle and last as pivot: sorted and reversed runs stay linear
    const mid = (lo + hi) >> 1;
    const x = values[lo]!;
    const y = values[mid]!;
    const z = values[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i++] = values[j]!;
        values[j--] = t;
      }
    }
    // values[lo..j] <= pivot <= values[i..hi], and what lies between equals the pivot
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/**
 * The q-quantile (0..1) of values by linear interpolation between the two nearest ranks, found
 * without sorting: values are reordered. NaN when empty; values must not be NaN.
 */
export function quantileInPlace(values: Float64Array, q: number): number {
  if (values.length === 0) return Number.NaN;
  const pos = (values.length - 1) * Math.min(1, Math.max(0, q));
  const lower = Math.floor(pos);
  const upper = Math.ceil(pos);
  selectInPlace(values, lower);
  const a = values[lower]!;
  if (upper === lower) return a;
  // the next in order is the smallest of those after it
  let b = Infinity;
  for (let i = lower + 1; i < values.length; i++) if (values[i]! < b) b = values[i]!;
  return a + (b - a) * (pos - lower);
}

/** The median of values; NaN when empty. */
export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5);
}
