import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { driverUpgradeInProgress, nodeLocked, nodeNotAvailable, nodeNotFound, tagLimitExceeded } from '../../src/errors/catalogue.js';
import {
  LABEL_HA_REDUNDANT,
  TAINT_HA_REDUNDANT,
  type BatchNodeState,
  type NodeDelta,
  type Tag,
  type Taint,
  type TaintEffect,
} from '../../src/domain/node.js';
import { createdTagKeys, planBatchUpdate, type NodeDecision } from '../../src/domain/node-update-planner.js';
import type { BatchUpdateBody } from '../../src/schemas/batch-update.js';

const NOW = Date.UTC(2026, 10, 28, 9, 50, 38, 123);
const NOW_TS = '2026-11-28T09:50:38Z';
const EARLIER_TS = '2026-01-01T00:00:00Z';

let nextId = 1;

/** A node as these tests model it: the planner's view plus the labels and tags its deltas change. */
interface TestNode extends Omit<BatchNodeState, 'otherTagCount'> {
  labels: Record<string, string>;
  tags: Tag[];
}

function node(name: string, overrides: Partial<TestNode> = {}): TestNode {
  return {
    id: nextId++,
    name,
    phase: 'Available',
    labels: {},
    taints: [],
    tags: [],
    lockedActions: [],
    driver: { version: '23.0.5', phase: 'Running', targetVersion: null, updateStrategy: null },
    ...overrides,
  };
}

/** The nodes as the store hands them to the planner for `body`: otherTagCount counts the tags whose key it does not name. */
function pool(body: BatchUpdateBody, ...nodes: TestNode[]): Map<string, BatchNodeState> {
  const named = new Set(createdTagKeys(body));
  return new Map(nodes.map((n) => [n.name, { ...n, otherTagCount: n.tags.filter((t) => !named.has(t.key)).length }]));
}

function plan(body: BatchUpdateBody, ...nodes: TestNode[]): NodeDecision[] {
  return planBatchUpdate(body, pool(body, ...nodes), NOW);
}

function haTaint(effect: TaintEffect, timeAdded = EARLIER_TS): Taint {
  return { key: TAINT_HA_REDUNDANT, value: 'true', effect, timeAdded };
}

function tags(n: number, prefix = 'k'): Tag[] {
  return Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: `v${i}` }));
}

/** Plans one node and returns its delta, failing the test if the node failed. */
function deltaFor(b: Omit<BatchUpdateBody, 'nodeNames'>, n: TestNode): NodeDelta {
  const [d] = plan({ ...b, nodeNames: [n.name] }, n);
  if (d === undefined || !d.ok) throw new Error(`expected success, got ${JSON.stringify(d)}`);
  return d.delta;
}

function failureFor(b: Omit<BatchUpdateBody, 'nodeNames'>, n: TestNode) {
  const [d] = plan({ ...b, nodeNames: [n.name] }, n);
  if (d === undefined || d.ok) throw new Error(`expected failure, got ${JSON.stringify(d)}`);
  return d.failure;
}

/** Applies a delta the way the store is meant to: per-item changes, never whole-list replacement. */
function applyDelta(state: TestNode, delta: NodeDelta): TestNode {
  const labels = { ...state.labels, ...delta.setLabels };
  let taints = state.taints.filter(
    (t) => !(delta.removeTaints ?? []).some((r) => r.key === t.key && r.effect === t.effect),
  );
  taints = [...taints, ...(delta.addTaints ?? [])];
  let tagList = state.tags.filter(
    (t) => !(delta.deleteTags ?? []).some((d) => d.key === t.key && (d.value === undefined || d.value === t.value)),
  );
  for (const u of delta.upsertTags ?? []) {
    tagList = tagList.some((t) => t.key === u.key)
      ? tagList.map((t) => (t.key === u.key ? { key: u.key, value: u.value } : t))
      : [...tagList, { key: u.key, value: u.value }];
  }
  const driver =
    delta.driverUpgrade === undefined || state.driver === null
      ? state.driver
      : { ...state.driver, phase: 'Pending' as const, targetVersion: delta.driverUpgrade.version, updateStrategy: delta.driverUpgrade.updateStrategy };
  return { ...state, labels, taints, tags: tagList, driver };
}

describe('planBatchUpdate: openHaRedundant', () => {
  it('sets the label and adds a NoSchedule taint by default, stamped now', () => {
    const n = node('n1');
    expect(deltaFor({ action: 'openHaRedundant' }, n)).toEqual({
      nodeId: n.id,
      setLabels: { [LABEL_HA_REDUNDANT]: 'true' },
      addTaints: [{ key: TAINT_HA_REDUNDANT, value: 'true', effect: 'NoSchedule', timeAdded: NOW_TS }],
    });
  });

  it('uses the requested effect', () => {
    const delta = deltaFor({ action: 'openHaRedundant', haRedundantEffect: 'NoExecute' }, node('n1'));
    expect(delta.addTaints).toEqual([haTaint('NoExecute', NOW_TS)]);
    expect(delta.removeTaints).toBeUndefined();
  });

  it('is idempotent: re-opening with the same effect keeps the taint (and its timeAdded) and has no taint delta', () => {
    const n = node('n1', { labels: { [LABEL_HA_REDUNDANT]: 'true' }, taints: [haTaint('NoSchedule')] });
    const delta = deltaFor({ action: 'openHaRedundant' }, n);
    expect(delta).toEqual({ nodeId: n.id, setLabels: { [LABEL_HA_REDUNDANT]: 'true' } });
    expect(applyDelta(n, delta).taints).toEqual([haTaint('NoSchedule', EARLIER_TS)]);
  });

  it('switching effect removes the HA taint with the other effect and adds the new one', () => {
    const n = node('n1', { labels: { [LABEL_HA_REDUNDANT]: 'true' }, taints: [haTaint('NoSchedule')] });
    const delta = deltaFor({ action: 'openHaRedundant', haRedundantEffect: 'NoExecute' }, n);
    expect(delta.removeTaints).toEqual([{ key: TAINT_HA_REDUNDANT, effect: 'NoSchedule' }]);
    expect(delta.addTaints).toEqual([haTaint('NoExecute', NOW_TS)]);
    expect(applyDelta(n, delta).taints).toEqual([haTaint('NoExecute', NOW_TS)]);
  });

  it('with both HA effects present, removes only the other one', () => {
    const n = node('n1', { taints: [haTaint('NoSchedule'), haTaint('NoExecute')] });
    const delta = deltaFor({ action: 'openHaRedundant', haRedundantEffect: 'NoExecute' }, n);
    expect(delta.removeTaints).toEqual([{ key: TAINT_HA_REDUNDANT, effect: 'NoSchedule' }]);
    expect(delta.addTaints).toBeUndefined();
  });

  it('leaves unrelated taints alone, even with the same effect', () => {
    const other: Taint = { key: 'node.kubernetes.io/unschedulable', value: '', effect: 'NoSchedule', timeAdded: EARLIER_TS };
    const n = node('n1', { taints: [other] });
    const delta = deltaFor({ action: 'openHaRedundant', haRedundantEffect: 'NoExecute' }, n);
    expect(delta.removeTaints).toBeUndefined();
    expect(applyDelta(n, delta).taints).toEqual([other, haTaint('NoExecute', NOW_TS)]);
  });
});

describe('planBatchUpdate: closeHaRedundant', () => {
  it('sets the label to "false" and removes HA taints of every effect', () => {
    const other: Taint = { key: 'x', value: 'y', effect: 'NoExecute', timeAdded: EARLIER_TS };
    const n = node('n1', {
      labels: { [LABEL_HA_REDUNDANT]: 'true' },
      taints: [haTaint('NoSchedule'), other, haTaint('NoExecute')],
    });
    const delta = deltaFor({ action: 'closeHaRedundant' }, n);
    expect(delta.setLabels).toEqual({ [LABEL_HA_REDUNDANT]: 'false' });
    expect(delta.removeTaints).toEqual([
      { key: TAINT_HA_REDUNDANT, effect: 'NoSchedule' },
      { key: TAINT_HA_REDUNDANT, effect: 'NoExecute' },
    ]);
    expect(delta.addTaints).toBeUndefined();
    expect(applyDelta(n, delta).taints).toEqual([other]);
  });

  it('ignores haRedundantEffect: a NoExecute close also removes a NoSchedule HA taint', () => {
    const n = node('n1', { taints: [haTaint('NoSchedule')] });
    const delta = deltaFor({ action: 'closeHaRedundant', haRedundantEffect: 'NoExecute' }, n);
    expect(delta.removeTaints).toEqual([{ key: TAINT_HA_REDUNDANT, effect: 'NoSchedule' }]);
  });

  it('is idempotent: closing a node without HA taints only sets the label, whatever other taints it has', () => {
    const n = node('n1', {
      taints: [
        { key: 'x', value: 'y', effect: 'NoSchedule', timeAdded: EARLIER_TS },
        { key: 'z', value: 'y', effect: 'NoExecute', timeAdded: EARLIER_TS },
      ],
    });
    expect(deltaFor({ action: 'closeHaRedundant' }, n)).toEqual({
      nodeId: n.id,
      setLabels: { [LABEL_HA_REDUNDANT]: 'false' },
    });
  });
});

describe('planBatchUpdate: createTags', () => {
  it('upserts the request tags as a delta', () => {
    const n = node('n1', { tags: [{ key: 'env', value: 'old' }, { key: 'keep', value: 'me' }] });
    const requested = [{ key: 'env', value: 'new' }, { key: '环境', value: '测试' }];
    const delta = deltaFor({ action: 'createTags', tags: requested }, n);
    expect(delta).toEqual({ nodeId: n.id, upsertTags: requested });
    expect(applyDelta(n, delta).tags).toEqual([
      { key: 'env', value: 'new' },
      { key: 'keep', value: 'me' },
      { key: '环境', value: '测试' },
    ]);
  });

  it('allows reaching exactly 20 tags', () => {
    const n = node('n1', { tags: tags(18) });
    const delta = deltaFor({ action: 'createTags', tags: tags(2, 'new') }, n);
    expect(delta.upsertTags).toHaveLength(2);
    expect(applyDelta(n, delta).tags).toHaveLength(20);
  });

  it('fails a node that would have 21 tags', () => {
    expect(failureFor({ action: 'createTags', tags: tags(3, 'new') }, node('n1', { tags: tags(18) }))).toEqual(
      tagLimitExceeded('n1', 21, 20),
    );
  });

  it('counts the union of keys: updating existing keys on a full node is fine', () => {
    const n = node('n1', { tags: tags(20) });
    expect(deltaFor({ action: 'createTags', tags: [{ key: 'k0', value: 'x' }, { key: 'k19', value: 'y' }] }, n).upsertTags)
      .toHaveLength(2);
    expect(failureFor({ action: 'createTags', tags: [{ key: 'k0', value: 'x' }, { key: 'k20', value: 'y' }] }, n)).toEqual(
      tagLimitExceeded('n1', 21, 20),
    );
  });

  it('allows 20 tags on an empty node', () => {
    expect(deltaFor({ action: 'createTags', tags: tags(20) }, node('n1')).upsertTags).toHaveLength(20);
  });
});

describe('createdTagKeys', () => {
  it('the distinct keys of a createTags request, none for a request without tags', () => {
    expect(createdTagKeys({ nodeNames: ['n1'], action: 'createTags', tags: [{ key: 'a', value: '1' }, { key: 'b', value: '' }, { key: 'a', value: '2' }] })).toEqual(['a', 'b']);
    expect(createdTagKeys({ nodeNames: ['n1'], action: 'openHaRedundant' })).toEqual([]);
  });
});

describe('planBatchUpdate: deleteTags', () => {
  it('deletes by key and value, or by key alone when the value is empty', () => {
    const n = node('n1', {
      tags: [
        { key: 'env', value: 'prod' },
        { key: 'team', value: 'a' },
        { key: 'owner', value: 'bob' },
      ],
    });
    const delta = deltaFor(
      {
        action: 'deleteTags',
        tags: [
          { key: 'env', value: '' },
          { key: 'team', value: 'b' },
          { key: 'owner', value: 'bob' },
        ],
      },
      n,
    );
    expect(delta).toEqual({
      nodeId: n.id,
      deleteTags: [{ key: 'env' }, { key: 'team', value: 'b' }, { key: 'owner', value: 'bob' }],
    });
    expect(delta.deleteTags?.[0]).not.toHaveProperty('value');
    expect(applyDelta(n, delta).tags).toEqual([{ key: 'team', value: 'a' }]);
  });

  it('succeeds when the tag is absent', () => {
    const n = node('n1');
    const delta = deltaFor({ action: 'deleteTags', tags: [{ key: 'missing', value: '' }] }, n);
    expect(applyDelta(n, delta).tags).toEqual([]);
  });
});

describe('planBatchUpdate: driver', () => {
  it('schedules the upgrade with the default idle strategy, besides the action', () => {
    const n = node('n1');
    const delta = deltaFor({ action: 'openHaRedundant', driver: { version: '23.0.6' } }, n);
    expect(delta.driverUpgrade).toEqual({ version: '23.0.6', updateStrategy: 'idle' });
    expect(delta.setLabels).toEqual({ [LABEL_HA_REDUNDANT]: 'true' });
    expect(delta.addTaints).toHaveLength(1);
  });

  it('passes the force strategy through, with a tag action', () => {
    const delta = deltaFor(
      { action: 'createTags', tags: [{ key: 'k', value: 'v' }], driver: { version: '24.1', updateStrategy: 'force' } },
      node('n1'),
    );
    expect(delta.driverUpgrade).toEqual({ version: '24.1', updateStrategy: 'force' });
    expect(delta.upsertTags).toEqual([{ key: 'k', value: 'v' }]);
  });

  it('has no driverUpgrade without body.driver', () => {
    expect(Object.keys(deltaFor({ action: 'closeHaRedundant' }, node('n1')))).not.toContain('driverUpgrade');
  });

  it.each(['Running', 'Abnormal'] as const)('upgrades a node whose driver is %s', (phase) => {
    const n = node('n1', { driver: { version: '1', phase, targetVersion: null, updateStrategy: null } });
    expect(deltaFor({ action: 'closeHaRedundant', driver: { version: '2' } }, n).driverUpgrade).toBeDefined();
  });

  it('upgrades a node that reports no driver yet', () => {
    expect(deltaFor({ action: 'closeHaRedundant', driver: { version: '2' } }, node('n1', { driver: null })).driverUpgrade)
      .toEqual({ version: '2', updateStrategy: 'idle' });
  });
});

describe('planBatchUpdate: per-node outcomes', () => {
  const upgrading = (name: string, phase: 'Pending' | 'Updating') =>
    node(name, { driver: { version: '1', phase, targetVersion: '2', updateStrategy: 'idle' } });

  it('decides each node independently, one decision per name, in request order', () => {
    const good1 = node('good-1');
    const creating = node('creating', { phase: 'Creating' });
    const abnormal = node('abnormal', { phase: 'Abnormal' });
    const locked = node('locked', { lockedActions: ['delete'] });
    const pending = upgrading('pending', 'Pending');
    const updating = upgrading('updating', 'Updating');
    const good2 = node('good-2');
    const names = ['good-1', 'missing', 'creating', 'locked', 'pending', 'abnormal', 'updating', 'good-2'];
    const decisions = plan({ nodeNames: names, action: 'openHaRedundant', driver: { version: '3' } }, good2, updating, abnormal, pending, locked, creating, good1);
    expect(decisions.map((d) => d.name)).toEqual(names);
    const summary = decisions.map((d) => (d.ok ? 'ok' : d.failure));
    expect(summary).toEqual([
      'ok',
      nodeNotFound('missing'),
      nodeNotAvailable('creating', 'Creating'),
      nodeLocked('locked', ['delete']),
      driverUpgradeInProgress('pending', 'Pending'),
      nodeNotAvailable('abnormal', 'Abnormal'),
      driverUpgradeInProgress('updating', 'Updating'),
      'ok',
    ]);
    const ok = decisions.filter((d): d is Extract<NodeDecision, { ok: true }> => d.ok);
    expect(ok.map((d) => d.delta.nodeId)).toEqual([good1.id, good2.id]);
  });

  it.each(['Creating', 'Deleting', 'Abnormal', 'Checking'] as const)('fails a %s node', (phase) => {
    expect(failureFor({ action: 'closeHaRedundant' }, node('n1', { phase }))).toEqual(nodeNotAvailable('n1', phase));
  });

  it('a lock on delete still blocks batch-update', () => {
    expect(failureFor({ action: 'createTags', tags: [{ key: 'k', value: 'v' }] }, node('n1', { lockedActions: ['delete'] })))
      .toEqual(nodeLocked('n1', ['delete']));
  });

  it('a node mid driver upgrade can still be updated when the request has no driver', () => {
    expect(deltaFor({ action: 'openHaRedundant' }, upgrading('n1', 'Updating')).addTaints).toHaveLength(1);
  });

  it('checks phase before lock before driver before the tag limit', () => {
    const everything = (name: string, o: Partial<TestNode>) =>
      node(name, { phase: 'Abnormal', lockedActions: ['delete'], tags: tags(20), driver: { version: '1', phase: 'Updating', targetVersion: '2', updateStrategy: 'force' }, ...o });
    const b: Omit<BatchUpdateBody, 'nodeNames'> = { action: 'createTags', tags: [{ key: 'new', value: 'v' }], driver: { version: '2' } };
    expect(failureFor(b, everything('a', {})).code).toBe('ModelArts.50004002');
    expect(failureFor(b, everything('b', { phase: 'Available' })).code).toBe('ModelArts.50004003');
    expect(failureFor(b, everything('c', { phase: 'Available', lockedActions: [] })).code).toBe('ModelArts.50004005');
    expect(failureFor(b, everything('d', { phase: 'Available', lockedActions: [], driver: null })).code).toBe('ModelArts.50004004');
  });

  it('returns [] for no names and fails every name of an empty pool', () => {
    expect(plan({ nodeNames: [], action: 'closeHaRedundant' })).toEqual([]);
    const d = plan({ nodeNames: ['a', 'b'], action: 'closeHaRedundant' });
    expect(d).toEqual([
      { name: 'a', ok: false, failure: nodeNotFound('a') },
      { name: 'b', ok: false, failure: nodeNotFound('b') },
    ]);
  });

  it('does not modify the node states', () => {
    const n = node('n1', { taints: [haTaint('NoSchedule')], tags: tags(3) });
    const before = structuredClone(n);
    for (const b of [
      { nodeNames: ['n1'], action: 'openHaRedundant', haRedundantEffect: 'NoExecute' },
      { nodeNames: ['n1'], action: 'createTags', tags: tags(2, 'x') },
      { nodeNames: ['n1'], action: 'deleteTags', tags: [{ key: 'k0', value: '' }] },
    ] satisfies BatchUpdateBody[]) {
      const states = pool(b, n);
      const snapshot = structuredClone(states);
      planBatchUpdate(b, states, NOW);
      expect(states).toEqual(snapshot);
    }
    expect(n).toEqual(before);
  });

  it('plans 10,000 nodes, every one of them', () => {
    const names: string[] = [];
    const nodes: TestNode[] = [];
    for (let i = 0; i < 10_000; i++) {
      const name = `os-node-created-${i}`;
      names.push(name);
      nodes.push(node(name, { tags: tags(i % 19), taints: i % 2 === 0 ? [haTaint('NoSchedule')] : [] }));
    }
    const bodies: BatchUpdateBody[] = [
      { nodeNames: names, action: 'openHaRedundant', haRedundantEffect: 'NoExecute', driver: { version: '2' } },
      { nodeNames: names, action: 'closeHaRedundant' },
      { nodeNames: names, action: 'createTags', tags: tags(2, 'new') },
      { nodeNames: names, action: 'deleteTags', tags: tags(20) },
    ];
    for (const b of bodies) {
      const decisions = plan(b, ...nodes);
      expect(decisions).toHaveLength(10_000);
      expect(decisions.every((d) => d.ok)).toBe(true);
    }
  });
});

describe('planBatchUpdate: HA property', () => {
  const effectArb = fc.constantFrom<TaintEffect>('NoSchedule', 'NoExecute');
  const stepArb = fc.record({
    action: fc.constantFrom('openHaRedundant' as const, 'closeHaRedundant' as const),
    effect: fc.option(effectArb, { nil: undefined }),
  });
  const otherTaintArb = fc.record({
    key: fc.constantFrom('x', 'node.kubernetes.io/unschedulable'),
    value: fc.constant('v'),
    effect: effectArb,
    timeAdded: fc.constant(EARLIER_TS),
  });
  const initialArb = fc.record({
    ha: fc.subarray<TaintEffect>(['NoSchedule', 'NoExecute']),
    others: fc.array(otherTaintArb, { maxLength: 3 }),
    label: fc.constantFrom<string | undefined>(undefined, 'true', 'false'),
  });

  it('any open/close sequence leaves at most one HA taint, and the label agrees with it', () => {
    fc.assert(
      fc.property(initialArb, fc.array(stepArb, { minLength: 1, maxLength: 12 }), (initial, steps) => {
        let state = node('n1', {
          taints: [...initial.ha.map((e) => haTaint(e)), ...initial.others],
          labels: initial.label === undefined ? {} : { [LABEL_HA_REDUNDANT]: initial.label },
        });
        let now = NOW;
        for (const step of steps) {
          const before = state;
          const b: BatchUpdateBody = { nodeNames: ['n1'], action: step.action };
          if (step.effect !== undefined) b.haRedundantEffect = step.effect;
          const [decision] = planBatchUpdate(b, pool(b, state), now);
          expect(decision?.ok).toBe(true);
          if (!decision?.ok) return;
          state = applyDelta(state, decision.delta);
          now += 1000;

          const ha = state.taints.filter((t) => t.key === TAINT_HA_REDUNDANT);
          expect(ha.length).toBeLessThanOrEqual(1);
          expect(state.labels[LABEL_HA_REDUNDANT] === 'true').toBe(ha.length === 1);
          expect(state.taints.filter((t) => t.key !== TAINT_HA_REDUNDANT)).toEqual(initial.others);
          if (step.action === 'openHaRedundant') {
            const effect = step.effect ?? 'NoSchedule';
            expect(ha[0]?.effect).toBe(effect);
            // re-opening with the same effect keeps the original taint
            const prior = before.taints.find((t) => t.key === TAINT_HA_REDUNDANT && t.effect === effect);
            if (prior !== undefined) expect(ha[0]).toEqual(prior);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
