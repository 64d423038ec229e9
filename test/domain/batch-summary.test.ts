import { describe, expect, it } from 'vitest';
import { summarizeBatch, summarizeRefusal } from '../../src/domain/batch-summary.js';
import { nodeLocked, nodeNotFound } from '../../src/errors/catalogue.js';
import type { NodeDecision } from '../../src/domain/node-update-planner.js';

describe('summarizeBatch', () => {
  it('counts successes, failures, and failures per code', () => {
    const decisions: NodeDecision[] = [
      { name: 'a', ok: true, delta: { nodeId: 1 } },
      { name: 'b', ok: false, failure: nodeNotFound('b') },
      { name: 'c', ok: false, failure: nodeLocked('c', ['delete']) },
      { name: 'd', ok: false, failure: nodeNotFound('d') },
      { name: 'e', ok: true, delta: { nodeId: 5 } },
    ];
    expect(summarizeBatch(decisions)).toEqual({ successCount: 2, failCount: 3, failures: { 'ModelArts.50005101': 2, 'ModelArts.50004003': 1 } });
    expect(summarizeBatch([])).toEqual({ successCount: 0, failCount: 0, failures: {} });
  });

  it('counts a refused all-or-nothing batch as failures only', () => {
    expect(summarizeRefusal([nodeLocked('a', ['delete']), nodeLocked('b', ['delete'])])).toEqual({ successCount: 0, failCount: 2, failures: { 'ModelArts.50004003': 2 } });
  });
});
