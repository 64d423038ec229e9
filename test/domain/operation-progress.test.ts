import { describe, expect, it } from 'vitest';
import {
  observeProgress,
  outcomeOfEntry,
  outcomesOf,
  progressCounts,
  settleByNode,
  waitKindOf,
  type NodeOutcome,
  type NodeView,
  type ProgressSource,
  type RecordEntry,
} from '../../src/domain/operation-progress.js';

const running = (name: string, operationId = 'op-1'): NodeOutcome => ({ name, status: 'in-progress', operationId });

function nodeView(name: string, phase = 'Available', extra: { drain?: string; driver?: string } = {}): NodeView {
  return {
    metadata: { name, annotations: extra.drain === undefined ? {} : { 'os.modelarts.node/drain': extra.drain } },
    status: { phase, ...(extra.driver === undefined ? {} : { driver: { phase: extra.driver } }) },
  };
}

/** A source over fixed records and nodes that counts what it is asked. */
function source(records: Record<string, RecordEntry[]>, nodes: NodeView[]): ProgressSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async operation(id) {
      asked.push(`operation ${id}`);
      return { nodes: records[id] ?? [] };
    },
    async nodes(pool, names) {
      asked.push(`nodes ${pool} ${names.join(',')}`);
      return new Map(nodes.filter((n) => names.includes(n.metadata.name)).map((n) => [n.metadata.name, n]));
    },
  };
}

describe('waitKindOf', () => {
  it('maps each recorded operation to what ends its nodes’ work', () => {
    expect(
      ['BatchRebootPoolNodes', 'BatchUpdatePoolNodes', 'PatchPool', 'BatchDrainPoolNodes', 'BatchDeletePoolNodes', 'BatchLockPoolNodes', 'BatchUnlockPoolNodes', 'Other'].map(waitKindOf),
    ).toEqual(['completion', 'update', 'update', 'drain', 'delete', 'none', 'none', 'none']);
  });
});

describe('outcomeOfEntry', () => {
  it('fails a refused node with its code and reason, whatever the wait', () => {
    const entry = { name: 'a', status: 'failed', errorCode: 'ModelArts.50004003', errorMsg: 'locked' };
    for (const wait of ['none', 'completion', 'delete'] as const) {
      expect(outcomeOfEntry(entry, 'op', wait)).toEqual({ name: 'a', status: 'failed', errorCode: 'ModelArts.50004003', errorMsg: 'locked', operationId: 'op' });
    }
  });

  it('ends an accepted node by its completion, else leaves it in progress unless the call’s work was done when it answered', () => {
    const failed = { name: 'a', status: 'success', completion: { status: 'failed', errorCode: 'ModelArts.50005201', errorMsg: 'upgrade failed' } };
    expect(outcomeOfEntry(failed, 'op', 'completion')).toEqual({ name: 'a', status: 'failed', errorCode: 'ModelArts.50005201', errorMsg: 'upgrade failed', operationId: 'op' });
    expect(outcomeOfEntry({ name: 'a', status: 'success', completion: { status: 'succeeded' } }, 'op', 'update')).toEqual({ name: 'a', status: 'succeeded', operationId: 'op' });
    expect(outcomeOfEntry({ name: 'a', status: 'success' }, 'op', 'none')).toEqual({ name: 'a', status: 'succeeded', operationId: 'op' });
    for (const wait of ['completion', 'update', 'drain', 'delete', 'create'] as const) expect(outcomeOfEntry({ name: 'a', status: 'success' }, 'op', wait).status).toBe('in-progress');
  });

  it('reads a whole record by node name', () => {
    const outcomes = outcomesOf({ id: 'op-9', nodes: [{ name: 'a', status: 'success' }, { name: 'b', status: 'failed', errorCode: 'X' }] }, 'drain');
    expect([...outcomes.entries()]).toEqual([
      ['a', { name: 'a', status: 'in-progress', operationId: 'op-9' }],
      ['b', { name: 'b', status: 'failed', errorCode: 'X', errorMsg: undefined, operationId: 'op-9' }],
    ]);
  });
});

describe('settleByNode', () => {
  it('ends a deletion when the node is gone', () => {
    expect(settleByNode(running('a'), undefined, 'delete')).toEqual({ name: 'a', status: 'succeeded', operationId: 'op-1' });
    expect(settleByNode(running('a'), nodeView('a', 'Deleting'), 'delete')).toBeNull();
  });

  it('fails any other wait whose node is gone', () => {
    for (const wait of ['drain', 'create', 'update'] as const) {
      expect(settleByNode(running('a'), undefined, wait)).toEqual({ name: 'a', status: 'failed', errorCode: 'ModelArts.50005101', errorMsg: 'Node a no longer exists.', operationId: 'op-1' });
    }
  });

  it('ends a drain when the node reads Drained', () => {
    expect(settleByNode(running('a'), nodeView('a', 'Available', { drain: 'Draining' }), 'drain')).toBeNull();
    expect(settleByNode(running('a'), nodeView('a'), 'drain')).toBeNull();
    expect(settleByNode(running('a'), nodeView('a', 'Available', { drain: 'Drained' }), 'drain')).toEqual({ name: 'a', status: 'succeeded', operationId: 'op-1' });
  });

  it('ends a creation when the node leaves Creating: Available succeeded, any other phase failed', () => {
    expect(settleByNode(running('a'), nodeView('a', 'Creating'), 'create')).toBeNull();
    expect(settleByNode(running('a'), nodeView('a', 'Available'), 'create')).toEqual({ name: 'a', status: 'succeeded', operationId: 'op-1' });
    expect(settleByNode(running('a'), nodeView('a', 'Abnormal'), 'create')).toEqual({ name: 'a', status: 'failed', errorCode: 'ModelArts.50005101', errorMsg: 'Node a is Abnormal.', operationId: 'op-1' });
  });

  it('ends an update once the node’s driver is not upgrading', () => {
    expect(settleByNode(running('a'), nodeView('a', 'Available', { driver: 'Pending' }), 'update')).toBeNull();
    expect(settleByNode(running('a'), nodeView('a', 'Available', { driver: 'Updating' }), 'update')).toBeNull();
    expect(settleByNode(running('a'), nodeView('a', 'Available', { driver: 'Running' }), 'update')).toEqual({ name: 'a', status: 'succeeded', operationId: 'op-1' });
    expect(settleByNode(running('a'), nodeView('a'), 'update')).toEqual({ name: 'a', status: 'succeeded', operationId: 'op-1' });
  });

  it('never ends a wait that nodes cannot end', () => {
    expect(settleByNode(running('a'), nodeView('a'), 'completion')).toBeNull();
    expect(settleByNode(running('a'), nodeView('a'), 'none')).toBeNull();
  });
});

describe('observeProgress', () => {
  it('follows completions in the records only, asking each record once', async () => {
    const outcomes = new Map([
      ['a', running('a', 'op-1')],
      ['b', running('b', 'op-1')],
      ['c', running('c', 'op-2')],
      ['d', { name: 'd', status: 'failed' as const, operationId: 'op-2' }],
    ]);
    const from = source(
      {
        'op-1': [
          { name: 'a', status: 'success', completion: { status: 'succeeded' } },
          { name: 'b', status: 'success' },
        ],
        'op-2': [
          { name: 'c', status: 'success', completion: { status: 'failed', errorCode: 'E', errorMsg: 'm' } },
          { name: 'd', status: 'success', completion: { status: 'succeeded' } },
        ],
      },
      [nodeView('a'), nodeView('b')],
    );
    const ended = await observeProgress(from, 'pool', 'completion', outcomes);
    expect(ended).toEqual([
      { name: 'a', status: 'succeeded', operationId: 'op-1' },
      { name: 'c', status: 'failed', errorCode: 'E', errorMsg: 'm', operationId: 'op-2' },
    ]);
    expect(from.asked).toEqual(['operation op-1', 'operation op-2']);
    // A node that had already ended keeps its outcome.
    expect(outcomes.get('d')!.status).toBe('failed');
    expect(progressCounts(outcomes.values())).toEqual({ succeeded: 1, failed: 2, pending: 1 });
  });

  it('for an update reads the records first, then the nodes that still run', async () => {
    const outcomes = new Map([
      ['a', running('a')],
      ['b', running('b')],
      ['c', running('c')],
    ]);
    const from = source({ 'op-1': [{ name: 'a', status: 'success', completion: { status: 'succeeded' } }] }, [
      nodeView('b', 'Available', { driver: 'Updating' }),
      nodeView('c', 'Available', { driver: 'Running' }),
    ]);
    const ended = await observeProgress(from, 'pool', 'update', outcomes);
    expect(ended.map((o) => [o.name, o.status])).toEqual([
      ['a', 'succeeded'],
      ['c', 'succeeded'],
    ]);
    expect(from.asked).toEqual(['operation op-1', 'nodes pool b,c']);
    expect(outcomes.get('b')!.status).toBe('in-progress');
  });

  it('for drains, deletions and creations reads only the nodes, and nothing once every node has ended', async () => {
    const drains = new Map([
      ['a', running('a')],
      ['b', running('b')],
    ]);
    const from = source({}, [nodeView('a', 'Available', { drain: 'Drained' }), nodeView('b', 'Available', { drain: 'Draining' })]);
    expect((await observeProgress(from, 'p', 'drain', drains)).map((o) => o.name)).toEqual(['a']);
    expect(from.asked).toEqual(['nodes p a,b']);

    const deletions = new Map([
      ['a', running('a')],
      ['gone', running('gone')],
    ]);
    expect((await observeProgress(from, 'p', 'delete', deletions)).map((o) => o.name)).toEqual(['gone']);
    const created = new Map([['b', running('b')]]);
    expect(await observeProgress(source({}, [nodeView('b', 'Creating')]), 'p', 'create', created)).toEqual([]);

    const done = new Map([['a', { name: 'a', status: 'succeeded' as const, operationId: 'op-1' }]]);
    const idle = source({}, []);
    expect(await observeProgress(idle, 'p', 'drain', done)).toEqual([]);
    expect(await observeProgress(idle, 'p', 'none', new Map([['a', running('a')]]))).toEqual([]);
    expect(idle.asked).toEqual([]);
  });
});
