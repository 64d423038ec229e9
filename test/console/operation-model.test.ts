/** The console's operations model (web/console/operation-model.ts): titles, states, progress text, routes. */
import { describe, expect, it } from 'vitest';
import type { NodeOutcome } from '../../src/domain/operation-progress.js';
import {
  byConcern,
  completionOf,
  completionText,
  followsNodes,
  kindLabel,
  operationsHash,
  operationState,
  operationTitle,
  poolDisplayName,
  readOperationsRoute,
} from '../../web/console/operation-model.js';

const PROJECT = '0123456789abcdef0123456789abcdef';
const ID = '01a23c3c-af2e-7589-a41d-a2c3212405f5';

describe('console operations model', () => {
  it('names operations in the console’s words, with the action', () => {
    expect(operationTitle({ operation: 'BatchUpdatePoolNodes', action: 'createTags' })).toBe('Update nodes: add tags');
    expect(operationTitle({ operation: 'BatchLockPoolNodes', action: 'delete' })).toBe('Lock nodes: delete');
    expect(operationTitle({ operation: 'BatchRebootPoolNodes', action: null })).toBe('Reboot nodes');
    expect(operationTitle({ operation: 'PatchPool', action: 'driverUpgrade' })).toBe('Pool driver upgrade');
    expect(operationTitle({ operation: 'BatchUpdatePoolNodes', action: 'somethingNew' })).toBe('Update nodes: somethingNew');
    expect(kindLabel('FutureThing')).toBe('FutureThing');
  });

  it('shows a pool id by its display name', () => {
    expect(poolDisplayName(`demo-${PROJECT}`, PROJECT)).toBe('demo');
    expect(poolDisplayName('elsewhere-abc', PROJECT)).toBe('elsewhere-abc');
  });

  it('follows only drains and deletions through their nodes', () => {
    expect(['BatchDrainPoolNodes', 'BatchDeletePoolNodes', 'BatchUpdatePoolNodes', 'BatchRebootPoolNodes', 'PatchPool'].map((operation) => followsNodes({ operation }))).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('tells where an operation stands, and says it in one line', () => {
    expect(operationState(null)).toBe('unknown');
    expect(operationState(undefined)).toBe('unknown');
    expect(operationState({ succeeded: 1, failed: 1, pending: 1 })).toBe('running');
    expect(operationState({ succeeded: 2, failed: 1, pending: 0 })).toBe('failed');
    expect(operationState({ succeeded: 2, failed: 0, pending: 0 })).toBe('done');
    expect(operationState({ succeeded: 0, failed: 0, pending: 0 })).toBe('done');
    expect(completionText({ succeeded: 3, failed: 1, pending: 1 })).toBe('3 of 5 done, 1 failed, 1 in progress');
    expect(completionText({ succeeded: 2, failed: 0, pending: 0 })).toBe('2 of 2 done');
  });

  it('counts outcomes and puts failures first, then the ones going on, in record order', () => {
    const outcomes: NodeOutcome[] = [
      { name: 'a', status: 'succeeded', operationId: 'o' },
      { name: 'b', status: 'in-progress', operationId: 'o' },
      { name: 'c', status: 'failed', operationId: 'o' },
      { name: 'd', status: 'in-progress', operationId: 'o' },
      { name: 'e', status: 'failed', operationId: 'o' },
    ];
    expect(completionOf(outcomes)).toEqual({ succeeded: 1, failed: 2, pending: 2 });
    expect(byConcern(outcomes).map((o) => o.name)).toEqual(['c', 'e', 'b', 'd', 'a']);
  });

  it('reads and writes the operations routes', () => {
    expect(readOperationsRoute(`#/operations/${ID}`)).toEqual({ id: ID });
    expect(readOperationsRoute('#/operations')).toEqual({ pool: '', kind: '' });
    expect(readOperationsRoute(`#/operations?pool=demo-${PROJECT}&kind=BatchDrainPoolNodes`)).toEqual({ pool: `demo-${PROJECT}`, kind: 'BatchDrainPoolNodes' });
    expect(readOperationsRoute('#/operations/not-an-id')).toBeNull();
    expect(readOperationsRoute('#/pools')).toBeNull();
    expect(operationsHash({ pool: '', kind: '' })).toBe('#/operations');
    expect(operationsHash({ pool: 'p', kind: 'BatchLockPoolNodes' })).toBe('#/operations?pool=p&kind=BatchLockPoolNodes');
    expect(readOperationsRoute(operationsHash({ pool: 'a b', kind: '' }))).toEqual({ pool: 'a b', kind: '' });
  });
});
