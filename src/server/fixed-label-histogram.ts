import type { Metric } from 'prom-client';

/** One sample as prom-client's registry formats it. */
interface Sample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

export interface FixedLabelHistogramOptions<V extends string> {
  name: string;
  help: string;
  label: string;
  /** Every value the label takes, known up front. */
  values: readonly V[];
  buckets: readonly number[];
}

/**
 * A histogram with one label whose values are known up front, for a path that observes several times per request
 * (SQL statements). Observing is a bucket search and three array writes, about 20 ns; prom-client's Histogram
 * observe validates and hashes the labels and updates an object keyed by the bucket bound, about 350 ns. It shows
 * itself to prom-client's registry as a Histogram does (the same exposition), registered with `register`.
 */
export class FixedLabelHistogram<V extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly label: string;
  private readonly bounds: Float64Array;
  private readonly series: ReadonlyMap<V, { buckets: Float64Array; totals: Float64Array }>;

  constructor(options: FixedLabelHistogramOptions<V>) {
    this.name = options.name;
    this.help = options.help;
    this.label = options.label;
    this.bounds = Float64Array.from(options.buckets);
    // Per value: a count per bucket (the last one past every bound), and [sum, count].
    this.series = new Map(options.values.map((value) => [value, { buckets: new Float64Array(options.buckets.length + 1), totals: new Float64Array(2) }]));
  }

  /** An observer for one label value. */
  child(value: V): (observed: number) => void {
    const { buckets, totals } = this.series.get(value)!;
    const bounds = this.bounds;
    return (observed) => {
      let i = 0;
      while (i < bounds.length && observed > bounds[i]!) i++;
      buckets[i]!++;
      totals[0]! += observed;
      totals[1]!++;
    };
  }

  register(registry: { registerMetric(metric: Metric): void }): this {
    // The registry reads a metric through its name and get(), which this implements as prom-client's Histogram does.
    registry.registerMetric(this as unknown as Metric);
    return this;
  }

  /** What prom-client's registry exposes: label values observed at least once, as cumulative buckets, sum and count. */
  async get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: Sample[] }> {
    const values: Sample[] = [];
    for (const [value, { buckets, totals }] of this.series) {
      if (totals[1] === 0) continue;
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += buckets[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { le: bound, [this.label]: value }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', [this.label]: value }, value: totals[1]! });
      values.push({ metricName: `${this.name}_sum`, labels: { [this.label]: value }, value: totals[0]! });
      values.push({ metricName: `${this.name}_count`, labels: { [this.label]: value }, value: totals[1]! });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    for (const { buckets, totals } of this.series.values()) {
      buckets.fill(0);
      totals.fill(0);
    }
  }
}
