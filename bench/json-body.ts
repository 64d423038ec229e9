/**
 * `node dist/bench/json-body.js`: what refusing duplicate keys adds to reading a JSON body. For batch-update bodies
 * of 1 and 10,000 nodes (and a 20-tag one), the median time of the parse the service did before
 * (`secure-json-parse` on the decoded text) beside the same parse plus `findDuplicateKey`, in one process.
 */
import secureJson from 'secure-json-parse';
import { findDuplicateKey } from '../src/server/duplicate-keys.js';

const RUNS = 200;

function nodeNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `os-node-created-${i.toString(36).padStart(5, '0')}`);
}

const bodies: Array<[string, string]> = [
  ['batch-update, 1 node', JSON.stringify({ nodeNames: nodeNames(1), action: 'createTags', tags: [{ key: 'team', value: 'a' }] })],
  ['batch-update, 10,000 nodes', JSON.stringify({ nodeNames: nodeNames(10_000), action: 'createTags', tags: [{ key: 'team', value: 'a' }] })],
  [
    'batch-update, 1 node, 20 tags',
    JSON.stringify({ nodeNames: nodeNames(1), action: 'createTags', tags: Array.from({ length: 20 }, (_, i) => ({ key: `key-${i}`, value: `value-${i}` })) }),
  ],
];

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median microseconds of `work` over RUNS runs, after RUNS / 4 warm-ups, alternating with `other` to share drift. */
function measurePair(first: () => unknown, second: () => unknown): [number, number] {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < RUNS * 1.25; i++) {
    let started = performance.now();
    first();
    const ta = performance.now() - started;
    started = performance.now();
    second();
    const tb = performance.now() - started;
    if (i >= RUNS / 4) {
      a.push(ta * 1000);
      b.push(tb * 1000);
    }
  }
  return [median(a), median(b)];
}

const parse = (text: string) => secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });

process.stdout.write(`node ${process.version}; median of ${RUNS} runs each, microseconds\n\n`);
process.stdout.write(`${'body'.padEnd(32)}${'bytes'.padStart(10)}${'parse'.padStart(12)}${'+ dup check'.padStart(14)}${'added'.padStart(10)}\n`);
for (const [name, text] of bodies) {
  const buffer = Buffer.from(text);
  const [before, after] = measurePair(
    () => parse(buffer.toString('utf8')),
    () => {
      const decoded = buffer.toString('utf8');
      parse(decoded);
      return findDuplicateKey(decoded);
    },
  );
  process.stdout.write(
    `${name.padEnd(32)}${String(buffer.length).padStart(10)}${before.toFixed(1).padStart(12)}${after.toFixed(1).padStart(14)}${`${(((after - before) / before) * 100).toFixed(0)}%`.padStart(10)}\n`,
  );
}
