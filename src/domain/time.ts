/** Time source injected everywhere the service reads the clock, so tests can move time. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** RFC 3339 UTC with seconds precision, as ModelArts renders timestamps. */
export function toTimestamp(epochMillis: number): string {
  // Stryker disable next-line Regex: toISOString has exactly one fraction, right before its final Z
  return new Date(epochMillis).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
