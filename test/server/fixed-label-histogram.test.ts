import fc from 'fast-check';
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FixedLabelHistogram } from '../../src/server/fixed-label-histogram.js';
import { parseMetrics } from '../helpers/metrics.js';

const KINDS = ['select', 'insert', 'other'] as const;
const BUCKETS = [0.001, 0.01, 0.1, 1];

/** The same observations through prom-client's Histogram and through ours, each in a registry of its own. */
async function both(observations: ReadonlyArray<readonly [(typeof KINDS)[number], number]>) {
  const reference = new Registry();
  const library = new Histogram({ name: 'h_seconds', help: 'help text', labelNames: ['kind'], buckets: BUCKETS, registers: [reference] });
  const ours = new Registry();
  const fixed = new FixedLabelHistogram({ name: 'h_seconds', help: 'help text', label: 'kind', values: KINDS, buckets: BUCKETS }).register(ours);
  const children = Object.fromEntries(KINDS.map((kind) => [kind, fixed.child(kind)]));
  for (const [kind, value] of observations) {
    library.observe({ kind }, value);
    children[kind]!(value);
  }
  return { library: await reference.metrics(), ours: await ours.metrics(), fixed };
}

const sorted = (text: string) =>
  parseMetrics(text)
    .samples.map((s) => `${s.name} ${JSON.stringify(Object.entries(s.labels).sort())} ${s.value.toPrecision(12)}`)
    .sort();

describe('FixedLabelHistogram', () => {
  it('exposes what prom-client\'s Histogram exposes for the same observations', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...KINDS), fc.oneof(fc.constantFrom(0, 0.001, 0.01, 0.1, 1, 2), fc.double({ min: 0, max: 3, noNaN: true }))), { maxLength: 60 }),
        async (observations) => {
          const { library, ours } = await both(observations);
          expect(sorted(ours)).toEqual(sorted(library));
          expect(parseMetrics(ours).types.get('h_seconds')).toBe('histogram');
          expect(ours).toContain('# HELP h_seconds help text');
        },
      ),
      { numRuns: 100 },
    );
  });

  it('shows only label values observed, and nothing after a reset', async () => {
    const { ours, fixed } = await both([['insert', 0.005]]);
    const scraped = parseMetrics(ours);
    expect(scraped.sum('h_seconds_count', { kind: 'insert' })).toBe(1);
    expect(scraped.sum('h_seconds_bucket', { kind: 'insert', le: '0.001' })).toBe(0);
    expect(scraped.sum('h_seconds_bucket', { kind: 'insert', le: '0.01' })).toBe(1);
    expect(scraped.has('h_seconds_count', { kind: 'select' })).toBe(false);
    fixed.reset();
    expect((await fixed.get()).values).toEqual([]);
  });
});
