/** Medians and spreads of a row's samples. */

export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** Non-finite values (a window in which the server answered nothing has no CPU per request) are left out. */
export function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function spread(values: readonly number[]): Spread {
  const finite = values.filter(Number.isFinite);
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite) };
}

/** The ratios a[i] / b[i] of samples taken side by side (the same window pair, the same round). */
export function pairRatios(a: readonly number[], b: readonly number[]): number[] {
  return a.map((value, i) => value / b[i]!);
}
