import { describe, expect, it } from 'vitest';
import { checkPoolResources, planInitialNodes, planScaling, type ExistingNode } from '../../src/domain/pool-scaling.js';
import type { NodePhase } from '../../src/domain/node.js';

let nextId = 1;
function node(flavor: string, phase: NodePhase = 'Available', extra: Partial<ExistingNode> = {}): ExistingNode {
  return { id: nextId++, flavor, nodePool: null, phase, lockedActions: [], ...extra };
}

describe('checkPoolResources', () => {
  it.each([
    ['one flavor', [{ flavor: 'a', count: 2 }]],
    ['maxCount equal to count', [{ flavor: 'a', count: 2, maxCount: 2 }]],
    ['az counts adding up to count', [{ flavor: 'a', count: 3, azs: [{ az: 'z1', count: 1 }, { az: 'z2', count: 2 }] }]],
    ['an empty az list (no placement asked for)', [{ flavor: 'a', count: 3, azs: [] }]],
    ['one flavor in two node pools', [{ flavor: 'a', count: 1 }, { flavor: 'a', count: 1, nodePool: 'np-1' }, { flavor: 'a', count: 1, nodePool: 'np-2' }]],
    ['exactly the pool limit', [{ flavor: 'a', count: 6 }, { flavor: 'b', count: 4 }]],
  ])('accepts %s', (_name, resources) => {
    expect(checkPoolResources(resources, 10)).toBeNull();
  });

  it('refuses a flavor listed twice, naming the second entry (and its node pool)', () => {
    expect(checkPoolResources([{ flavor: 'a', count: 1 }, { flavor: 'b', count: 1 }, { flavor: 'a', count: 2 }], 10)).toBe(
      'spec.resources[2]: flavor a appears twice',
    );
    expect(checkPoolResources([{ flavor: 'a', count: 1, nodePool: 'np' }, { flavor: 'a', count: 2, nodePool: 'np' }], 10)).toBe(
      'spec.resources[1]: flavor a in node pool np appears twice',
    );
  });

  it('refuses maxCount other than count, naming the entry', () => {
    expect(checkPoolResources([{ flavor: 'a', count: 1 }, { flavor: 'b', count: 2, maxCount: 3 }], 10)).toBe(
      'spec.resources[1].maxCount must equal count for a physical pool',
    );
  });

  it('refuses az counts that do not add up to count', () => {
    expect(checkPoolResources([{ flavor: 'a', count: 2, azs: [{ az: 'z1', count: 1 }, { az: 'z2', count: 2 }] }], 10)).toBe(
      'spec.resources[0].azs: the az counts add up to 3, not to count 2',
    );
  });

  it('refuses more nodes in total than a pool holds', () => {
    expect(checkPoolResources([{ flavor: 'a', count: 6 }, { flavor: 'b', count: 5 }], 10)).toBe(
      'spec.resources: 11 nodes requested; a pool holds at most 10',
    );
  });
});

describe('planInitialNodes', () => {
  it('places each flavor in its azs in the order listed, the rest in the default az, with its node pool', () => {
    expect(
      planInitialNodes(
        [
          { flavor: 'a', count: 3, azs: [{ az: 'z1', count: 1 }, { az: 'z0', count: 0 }, { az: 'z2', count: 2 }] },
          { flavor: 'b', count: 2, nodePool: 'np' },
        ],
        'dflt',
      ),
    ).toEqual([
      { flavor: 'a', az: 'z1', nodePool: null },
      { flavor: 'a', az: 'z2', nodePool: null },
      { flavor: 'a', az: 'z2', nodePool: null },
      { flavor: 'b', az: 'dflt', nodePool: 'np' },
      { flavor: 'b', az: 'dflt', nodePool: 'np' },
    ]);
  });
});

describe('planScaling', () => {
  it('adds nodes to a growing flavor, counting only nodes that are not being deleted', () => {
    const existing = [node('a', 'Deleting'), node('a'), node('b')];
    expect(planScaling(existing, [{ flavor: 'a', count: 3 }, { flavor: 'b', count: 1 }], 'dflt')).toEqual({
      ok: true,
      create: [
        { flavor: 'a', az: 'dflt', nodePool: null },
        { flavor: 'a', az: 'dflt', nodePool: null },
      ],
      remove: [],
    });
  });

  it('a new flavor gets all its nodes; a growing one fills its azs in the order listed, up to the nodes it lacks', () => {
    const existing = [node('a')];
    const plan = planScaling(existing, [{ flavor: 'a', count: 3, azs: [{ az: 'z1', count: 1 }, { az: 'z2', count: 2 }] }, { flavor: 'c', count: 1, nodePool: 'np' }], 'dflt');
    expect(plan).toEqual({
      ok: true,
      create: [
        { flavor: 'a', az: 'z1', nodePool: null },
        { flavor: 'a', az: 'z2', nodePool: null },
        { flavor: 'c', az: 'dflt', nodePool: 'np' },
      ],
      remove: [],
    });
  });

  it('a growing flavor with many nodes loses none of them', () => {
    const existing = [node('a'), node('a', 'Abnormal'), node('a'), node('a', 'Creating')];
    expect(planScaling(existing, [{ flavor: 'a', count: 5 }], 'dflt')).toEqual({ ok: true, create: [{ flavor: 'a', az: 'dflt', nodePool: null }], remove: [] });
  });

  it('unchanged counts change nothing', () => {
    expect(planScaling([node('a'), node('a', 'Abnormal')], [{ flavor: 'a', count: 2 }], 'dflt')).toEqual({ ok: true, create: [], remove: [] });
  });

  it('shrinks unhealthy nodes first (Abnormal, Creating, Checking, then Available), newest first within a phase', () => {
    // newest first, as the store lists them
    const available1 = node('a');
    const checking = node('a', 'Checking');
    const available2 = node('a');
    const creating = node('a', 'Creating');
    const abnormal1 = node('a', 'Abnormal');
    const abnormal2 = node('a', 'Abnormal');
    const existing = [available1, checking, available2, creating, abnormal1, abnormal2];
    const order = [abnormal1, abnormal2, creating, checking, available1, available2].map((n) => n.id);
    for (let keep = 5; keep >= 1; keep--) {
      expect(planScaling(existing, [{ flavor: 'a', count: keep }], 'dflt'), `keep ${keep}`).toEqual({ ok: true, create: [], remove: order.slice(0, 6 - keep) });
    }
  });

  it('removes every node of a flavor and node pool pair no longer listed; a listed pair keeps its nodes', () => {
    const gone = [node('b'), node('b', 'Creating')];
    const otherPool = node('a', 'Available', { nodePool: 'np' });
    const kept = node('a');
    const plan = planScaling([gone[0]!, otherPool, kept, gone[1]!], [{ flavor: 'a', count: 1 }], 'dflt');
    expect(plan).toEqual({ ok: true, create: [], remove: [gone[1]!.id, gone[0]!.id, otherPool.id] });
  });

  it('never removes a locked node, and refuses when the unlocked ones are too few', () => {
    const locked = node('a', 'Abnormal', { lockedActions: ['delete'] });
    const unlocked = node('a');
    const lockedToo = node('a', 'Available', { lockedActions: ['delete'] });
    expect(planScaling([locked, unlocked, lockedToo], [{ flavor: 'a', count: 2 }], 'dflt')).toEqual({ ok: true, create: [], remove: [unlocked.id] });
    expect(planScaling([locked, unlocked, lockedToo], [{ flavor: 'a', count: 1 }], 'dflt')).toEqual({
      ok: false,
      detail: 'spec.resources: cannot scale flavor a down to 1: 2 of its nodes are locked',
    });
  });
});
