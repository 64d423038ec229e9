/** A Prometheus text exposition, parsed: enough to read samples by name and labels. */
export interface Scrape {
  text: string;
  /** `# TYPE` lines: metric family name → type. */
  types: Map<string, string>;
  samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
  /** The sum of the samples named `name` whose labels include `labels` (0 when there is none). */
  sum(name: string, labels?: Record<string, string>): number;
  /** Whether a sample named `name` with (at least) these labels exists. */
  has(name: string, labels?: Record<string, string>): boolean;
}

const SAMPLE = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/;
const LABEL = /([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): Scrape {
  const types = new Map<string, string>();
  const samples: Scrape['samples'] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name!, type!);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key!] = value!.replace(/\\(.)/g, '$1');
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  const matching = (name: string, labels: Record<string, string>) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return {
    text,
    types,
    samples,
    sum: (name, labels = {}) => matching(name, labels).reduce((total, s) => total + s.value, 0),
    has: (name, labels = {}) => matching(name, labels).length > 0,
  };
}

/** The sample names a metric family of this type exposes (a histogram's buckets, sum and count). */
export function sampleNames(family: string, type: string): string[] {
  return type === 'histogram' || type === 'summary' ? [family, `${family}_bucket`, `${family}_sum`, `${family}_count`] : [family];
}
