/** The console's node model (web/console/model.ts): row reading, filters, sorting, range selection, chunking, tag checks. */
import { describe, expect, it } from 'vitest';
import type { Node } from '../../web/lib/types.js';
import { batchAction, checkDriverVersion, chunk, matches, NO_FILTER, parseTags, rangeBetween, sortRows, toRow } from '../../web/console/model.js';

function node(name: string, options: { phase?: string; effect?: string; tags?: Array<{ key: string; value: string }>; lock?: string; driver?: string } = {}): Node {
  const annotations: Record<string, string> = {};
  if (options.tags) annotations['os.modelarts/tms.tags'] = JSON.stringify(options.tags);
  if (options.lock) annotations['os.modelarts.node/lock.action'] = options.lock;
  return {
    metadata: { name, creationTimestamp: '2026-01-01T00:00:00Z', labels: {}, annotations },
    spec: { flavor: 'f' },
    status: {
      phase: options.phase ?? 'Available',
      az: 'az1',
      privateIp: '10.0.0.1',
      ...(options.driver ? { driver: { version: options.driver, phase: 'Running' } } : {}),
      taints: options.effect ? [{ key: 'os.modelarts.node/ha.redundant', value: 'true', effect: options.effect, timeAdded: '2026-01-01T00:00:00Z' }] : [],
    },
  };
}

describe('console node model', () => {
  it('reads HA, tags, lock and driver from the node', () => {
    const row = toRow(node('n-1', { effect: 'NoExecute', tags: [{ key: 'team', value: 'ml' }], lock: 'delete', driver: '535.1' }));
    expect(row).toMatchObject({ name: 'n-1', ha: 'NoExecute', tags: [{ key: 'team', value: 'ml' }], locked: true, driverVersion: '535.1', driverPhase: 'Running' });
    expect(toRow(node('n-2'))).toMatchObject({ ha: null, tags: [], locked: false, driverVersion: '' });
  });

  it('filters by phase, HA state, tag key or key=value, driver version and name', () => {
    const rows = [
      toRow(node('a-1', { effect: 'NoSchedule', tags: [{ key: 'team', value: 'ml' }], driver: '1' })),
      toRow(node('b-2', { phase: 'Abnormal', tags: [{ key: 'team', value: 'ops' }], driver: '2' })),
    ];
    const names = (part: Partial<typeof NO_FILTER>) => rows.filter((r) => matches(r, { ...NO_FILTER, ...part })).map((r) => r.name);
    expect(names({})).toEqual(['a-1', 'b-2']);
    expect(names({ phase: 'Abnormal' })).toEqual(['b-2']);
    expect(names({ ha: 'closed' })).toEqual(['b-2']);
    expect(names({ ha: 'NoSchedule' })).toEqual(['a-1']);
    expect(names({ ha: 'NoExecute' })).toEqual([]);
    expect(names({ tag: 'team' })).toEqual(['a-1', 'b-2']);
    expect(names({ tag: 'team=ops' })).toEqual(['b-2']);
    expect(names({ driver: '1' })).toEqual(['a-1']);
    expect(names({ search: 'B-' })).toEqual(['b-2']);
  });

  it('sorts by a column with the name as tie-breaker, either way', () => {
    const rows = [toRow(node('c', { phase: 'Available' })), toRow(node('a', { phase: 'Abnormal' })), toRow(node('b', { phase: 'Available' }))];
    expect(sortRows(rows, 'phase', false).map((r) => r.name)).toEqual(['a', 'b', 'c']);
    expect(sortRows(rows, 'phase', true).map((r) => r.name)).toEqual(['c', 'b', 'a']);
    expect(sortRows(rows, 'name', false).map((r) => r.name)).toEqual(['a', 'b', 'c']);
  });

  it('selects a range in the order shown, in either direction', () => {
    const order = ['a', 'b', 'c', 'd'];
    expect(rangeBetween(order, 'b', 'd')).toEqual(['b', 'c', 'd']);
    expect(rangeBetween(order, 'd', 'b')).toEqual(['b', 'c', 'd']);
    expect(rangeBetween(order, null, 'c')).toEqual(['c']);
    expect(rangeBetween(order, 'gone', 'c')).toEqual(['c']);
  });

  it('chunks a selection by the published limit', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(batchAction('drain', { maxBatch: 10_000 }).limit).toBe(10);
    expect(batchAction('haOpen', { maxBatch: 500, effect: 'NoExecute' }).groups([toRow(node('n'))])[0]!.body(['n'])).toEqual({ nodeNames: ['n'], action: 'openHaRedundant', haRedundantEffect: 'NoExecute' });
    const rows = [toRow(node('a')), toRow(node('b'))];
    const [group] = batchAction('delete', { maxBatch: 500 }).groups(rows);
    expect(group!.names).toEqual(['a', 'b']);
    expect(group!.body(['a'])).toEqual({ deleteNodeNames: ['a'] });
  });

  it('follows each action’s work the way its record allows: completions, the drain annotation, the node gone, or not at all', () => {
    const kinds = ['haOpen', 'haClose', 'tagsAdd', 'tagsDelete', 'driver', 'lock', 'unlock', 'reboot', 'drain', 'delete'] as const;
    expect(kinds.map((kind) => batchAction(kind, { maxBatch: 500 }).wait)).toEqual(['none', 'none', 'none', 'none', 'completion', 'none', 'none', 'completion', 'drain', 'delete']);
  });

  it('upgrades drivers without touching HA: each node restates its own HA state', () => {
    const driver = { version: '550.1', updateStrategy: 'force' as const };
    const rows = [toRow(node('a', { effect: 'NoExecute' })), toRow(node('b')), toRow(node('c', { effect: 'NoExecute' })), toRow(node('d', { effect: 'NoSchedule' }))];
    const action = batchAction('driver', { maxBatch: 500, driver });
    expect(action.wait).toBe('completion');
    const calls = action.groups(rows).map((g) => g.body(g.names));
    expect(calls).toEqual([
      { nodeNames: ['a', 'c'], action: 'openHaRedundant', haRedundantEffect: 'NoExecute', driver },
      { nodeNames: ['b'], action: 'closeHaRedundant', driver },
      { nodeNames: ['d'], action: 'openHaRedundant', haRedundantEffect: 'NoSchedule', driver },
    ]);
    expect(checkDriverVersion('550.54.15')).toBeNull();
    expect(checkDriverVersion('5 5')).not.toBeNull();
    expect(checkDriverVersion('')).not.toBeNull();
  });

  it('checks tags with the service’s rules before sending', () => {
    expect(parseTags('team=ml, tier=gold', false, [])).toEqual({ tags: [{ key: 'team', value: 'ml' }, { key: 'tier', value: 'gold' }], errors: [] });
    expect(parseTags('_sys_x=1', false, []).errors[0]).toContain('must not start with _sys_');
    expect(parseTags('a=1\na=2', false, []).errors[0]).toContain('given twice');
    expect(parseTags('', false, []).errors).toEqual(['give at least one tag']);
    expect(parseTags(Array.from({ length: 21 }, (_, i) => `k${i}=v`).join(','), false, []).errors).toContain('at most 20 tags per request');
    const full = toRow(node('full', { tags: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: '' })) }));
    expect(parseTags('new=1', false, [full]).errors[0]).toContain('would have more than 20 tags (e.g. full)');
    expect(parseTags('k1', true, [full])).toEqual({ tags: [{ key: 'k1', value: '' }], errors: [] });
  });
});
