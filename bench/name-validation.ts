/**
 * `node dist/bench/name-validation.js` (after `npm run build`): how long BatchUpdatePoolNodes' whole-request check
 * takes on the largest request, 10,000 node names (each name's syntax, then duplicates), beside its budget.
 * Pure CPU in this process, no server. See bench/README.md.
 */
import { cpus, loadavg } from 'node:os';
import { checkBatchUpdateRequest } from '../src/domain/batch-update-request.js';
import type { BatchUpdateBody } from '../src/schemas/batch-update.js';
import { millis, verdict } from './report.js';

const NAMES = 10_000;
const WARMUPS = 3;
const RUNS = 15;
const BUDGET_MS = 250;

const valid: BatchUpdateBody = {
  nodeNames: Array.from({ length: NAMES }, (_, i) => `os-node-created-${i.toString(36).padStart(5, '0')}`),
  action: 'openHaRedundant',
};
// The same names with the last one repeating the first: every name is checked before the duplicate is found.
const duplicateLast: BatchUpdateBody = { ...valid, nodeNames: [...valid.nodeNames.slice(0, -1), valid.nodeNames[0]!] };

/** One measured round: the valid request and the one refused for its last name, as one request would meet them. */
function round(): number {
  const start = performance.now();
  const accepted = checkBatchUpdateRequest(valid);
  const refused = checkBatchUpdateRequest(duplicateLast);
  const elapsed = performance.now() - start;
  if (accepted !== null || refused === null) throw new Error(`unexpected check results: ${String(accepted)} / ${String(refused)}`);
  return elapsed;
}

const loadAtStart = loadavg().map((l) => l.toFixed(2)).join(' ');
for (let i = 0; i < WARMUPS; i++) round();
const times = Array.from({ length: RUNS }, round).sort((a, b) => a - b);
const median = times[Math.floor(RUNS / 2)]!;

process.stdout.write(
  [
    `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, load ${loadAtStart} → ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    `checkBatchUpdateRequest, ${NAMES.toLocaleString('en-US')} names, valid + duplicate-last: median ${millis(median)} ` +
      `(min ${millis(times[0]!)}, max ${millis(times[RUNS - 1]!)}, ${RUNS} runs after ${WARMUPS} warm-ups); budget ≤ ${BUDGET_MS} ms: ${verdict(median <= BUDGET_MS)}`,
  ].join('\n') + '\n',
);
