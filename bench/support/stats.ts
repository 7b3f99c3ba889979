/**
 * The value at quantile `q` (0 to 1) of `values`: the element at ⌊q·n⌋ of them in order (0.5 is
 * the median, the upper one of an even count); NaN when there are none.
 */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}
