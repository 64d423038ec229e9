/** Plain-text table rendering for the benchmark report. */

export type Row = [figure: string, floor: string, poolkeeper: string, ratio: string, budget: string, result: string];

/** `right`: which columns are right-aligned (by default the floor, poolkeeper and ratio columns). */
export function table(header: Row, rows: Row[], right: boolean[] = [false, true, true, true, false, false]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (right[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function perSecond(value: number): string {
  return `${Math.round(value).toLocaleString('en-US')}/s`;
}

export function millis(value: number): string {
  return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}

export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : '—';
}

export function verdict(pass: boolean): string {
  return pass ? 'PASS' : 'MISS';
}

export function micros(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(0)} µs` : '—';
}

export function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** A median ratio with the min–max of the ratios it is the median of. */
export function ratioSpread(values: { median: number; min: number; max: number }): string {
  return Number.isFinite(values.median) ? `${values.median.toFixed(2)}× (${values.min.toFixed(2)}–${values.max.toFixed(2)})` : '—';
}
