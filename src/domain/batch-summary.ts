import type { NodeFailure } from '../errors/catalogue.js';
import type { NodeDecision } from './node-update-planner.js';

/** A batch operation's outcome in numbers, for its log line and metrics. */
export interface BatchSummary {
  successCount: number;
  failCount: number;
  /** Failed nodes per error code. */
  failures: Record<string, number>;
}

/** Counts a batch's per-node decisions. */
export function summarizeBatch(decisions: readonly NodeDecision[]): BatchSummary {
  const failures: Record<string, number> = {};
  let failCount = 0;
  for (const decision of decisions) {
    if (decision.ok) continue;
    failCount++;
    failures[decision.failure.code] = (failures[decision.failure.code] ?? 0) + 1;
  }
  return { successCount: decisions.length - failCount, failCount, failures };
}

/** An all-or-nothing batch refused because of these nodes: nothing succeeded. */
export function summarizeRefusal(nodeFailures: readonly NodeFailure[]): BatchSummary {
  // Stryker disable next-line StringLiteral: summarizeBatch never reads a decision's name
  return summarizeBatch(nodeFailures.map((failure) => ({ name: '', ok: false, failure })));
}
