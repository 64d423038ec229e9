import type { FastifyBaseLogger } from 'fastify';
import { summarizeBatch, summarizeRefusal } from '../domain/batch-summary.js';
import { writesInfo } from '../logger.js';
import type { BatchEvents } from '../service/context.js';
import type { Metrics } from './metrics.js';

/** One log line per batch operation, with its X-Operation-Id and counts, and its metrics. */
export function batchEvents(metrics: Metrics, logger: FastifyBaseLogger): BatchEvents {
  return {
    recorded(operation, decisions) {
      const summary = summarizeBatch(decisions);
      metrics.batchRecorded(operation, summary);
      if (!writesInfo(logger)) return;
      logger.info(
        { requestId: operation.requestId, operation: operation.operation, action: operation.action ?? undefined, pool: operation.poolName, operationId: operation.id, ...summary },
        'batch operation recorded',
      );
    },
    refused(operation, failures) {
      const summary = summarizeRefusal(failures);
      metrics.batchRecorded(operation, summary);
      logger.info(
        { requestId: operation.requestId, operation: operation.operation, pool: operation.poolName, ...summary },
        'batch operation refused; nothing was written',
      );
    },
  };
}
