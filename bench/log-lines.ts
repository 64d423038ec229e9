/**
 * `node dist/bench/log-lines.js > /dev/null` (or `| cat > /dev/null` for a pipe): what the log lines of a 1-node
 * batch-update cost at level info (a child logger per request, `batch operation recorded` and `request completed`),
 * with pino's default destination (asynchronous writes through libuv's thread pool) and with the service's
 * (src/logger.ts: one synchronous write per turn of the event loop), each beside the same work at level warn (no line).
 * All three in one process, in alternating blocks of 3,000 requests (10 per turn of the loop), so whatever else the
 * machine does weighs on each alike: the process's CPU time (every thread) per request, and the paired difference to
 * warn. The figures go to stderr; stdout carries the lines.
 */
import pino, { type Logger } from 'pino';
import { createServiceLog } from '../src/logger.js';

const PER_TURN = 10;
const TURNS = 300;
const ROUNDS = 30;

const loggers: Array<[string, Logger]> = [
  ['level warn (no line)', pino({ level: 'warn', base: { service: 'poolkeeper' } }, pino.destination({ dest: 1, sync: true }))],
  ["pino's default destination", pino({ level: 'info', base: { service: 'poolkeeper' } })],
  ["the service's (one write per turn)", createServiceLog({ level: 'info', toStderr: false }).logger],
];

/** TURNS turns of the event loop, each logging PER_TURN requests' lines; a zero-delay timer between turns lets the loop poll. */
function block(logger: Logger): Promise<void> {
  return new Promise((done) => {
    let turn = 0;
    const next = () => {
      for (let i = 0; i < PER_TURN; i++) {
        const request = logger.child({ requestId: '0123456789abcdef0123456789abcdef' });
        request.info(
          { operation: 'BatchUpdatePoolNodes', action: 'createTags', pool: 'bench-k-0123456789abcdef0123456789abcdef', operationId: '0190f0f0-aaaa-7bbb-8ccc-ddddeeeeffff', successCount: 1, failCount: 0, failures: {} },
          'batch operation recorded',
        );
        request.info(
          { operation: 'BatchUpdatePoolNodes', method: 'POST', path: '/v2/0123456789abcdef0123456789abcdef/pools/bench-k/nodes/batch-update', status: 200, durationMs: 1.23, principal: 'admin@poolkeeper', accessKey: 'BENCH0123456789ABCDEF', operationId: '0190f0f0-aaaa-7bbb-8ccc-ddddeeeeffff' },
          'request completed',
        );
      }
      if (++turn < TURNS) setTimeout(next, 0);
      else setTimeout(done, 5);
    };
    next();
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

const micros: number[][] = loggers.map(() => []);
for (let round = 0; round < ROUNDS + 2; round++) {
  const order = [...loggers.keys()];
  if (round % 2 === 1) order.reverse();
  for (const i of order) {
    const before = process.cpuUsage();
    await block(loggers[i]![1]);
    const used = process.cpuUsage(before);
    // The first two rounds warm up.
    if (round >= 2) micros[i]!.push((used.user + used.system) / (PER_TURN * TURNS));
  }
}
process.stderr.write(`CPU time per request (2 lines at info), median of ${ROUNDS} blocks of ${PER_TURN * TURNS} requests:\n`);
for (const [i, [name]] of loggers.entries()) {
  const overWarn = median(micros[i]!.map((value, round) => value - micros[0]![round]!));
  process.stderr.write(`  ${name.padEnd(36)} ${median(micros[i]!).toFixed(2).padStart(6)} µs${i === 0 ? '' : `   lines: +${overWarn.toFixed(2)} µs`}\n`);
}
process.exit(0);
