/**
 * Binary search: the first index of `sorted` whose item is not `below` the bound, or its length when
 * every item is. `below` must hold for a prefix of `sorted` and for nothing after it (items sorted by
 * the key `below` compares). `(r) => r.atMs < ms` gives the first item at or after `ms`;
 * `(r) => r.atMs <= ms` the first after it.
 */
export function lowerBound<T>(sorted: ArrayLike<T>, below: (item: T) => boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (below(sorted[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
