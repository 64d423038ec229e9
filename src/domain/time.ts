/** Time source injected everywhere the service reads the clock, so tests can move time. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** RFC 3339 UTC with seconds precision, as ModelArts renders timestamps. */
export function toTimestamp(epochMillis: number): string {
  return new Date(epochMillis).toISOString().slice(0, 19) + 'Z'; // 2026-01-02T03:04:05.678Z → 2026-01-02T03:04:05Z
}
