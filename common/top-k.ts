/** Which items topK considers, and in which direction it scans them. */
export interface TopKOptions<T> {
  /** Only items for which this holds are kept. */
  readonly where?: (item: T) => boolean;
  /**
   * Scan from the last item to the first. Same result; cheaper when the items come roughly in the
   * reverse of `compare`'s order (oldest first, for a newest-first `compare`): most are then passed
   * over with one comparison instead of being inserted and dropped.
   */
  readonly fromEnd?: boolean;
}

/**
 * The first `k` items in `compare` order, as `[...items].sort(compare).slice(0, k)` gives them (ties
 * in input order), without sorting all of them: a handful kept sorted while scanning, for "the newest
 * few of thousands".
 */
export function topK<T>(items: readonly T[], k: number, compare: (a: T, b: T) => number, options: TopKOptions<T> = {}): T[] {
  const kept: T[] = [];
  if (k <= 0) return kept;
  const { where, fromEnd = false } = options;
  // ties: scanning forward, an item goes after the equal ones kept (they came first); scanning from
  // the end, before them (it comes first)
  const after = fromEnd ? (o: T, other: T) => compare(o, other) > 0 : (o: T, other: T) => compare(o, other) >= 0;
  for (let n = 0; n < items.length; n++) {
    const o = items[fromEnd ? items.length - 1 - n : n]!;
    if (where && !where(o)) continue;
    if (kept.length === k && after(o, kept[k - 1]!)) continue;
    let i = kept.length;
    while (i > 0 && !after(o, kept[i - 1]!)) i--;
    kept.splice(i, 0, o);
    if (kept.length > k) kept.pop();
  }
  return kept;
}
