import { describe, expect, it } from 'vitest';
import { matchesNode, parseNodeSelector } from '../../src/cli/selector.js';
import type { Node } from '../../src/schemas/node.js';

function node(overrides: { labels?: Record<string, string>; tags?: Array<{ key: string; value: string }>; taints?: Node['status']['taints']; phase?: Node['status']['phase']; driver?: string }): Node {
  return {
    apiVersion: 'v2',
    kind: 'Node',
    metadata: {
      name: 'n1',
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: overrides.labels ?? {},
      annotations: overrides.tags ? { 'os.modelarts/tms.tags': JSON.stringify(overrides.tags) } : {},
    },
    spec: { flavor: 'modelarts.vm.gpu.t4u8' },
    status: {
      phase: overrides.phase ?? 'Available',
      az: 'local-1a',
      privateIp: '192.168.0.2',
      resources: {},
      availableResources: {},
      ...(overrides.driver ? { driver: { version: overrides.driver, phase: 'Running' } } : {}),
      taints: overrides.taints ?? [],
    },
  };
}

const matches = (selector: string, n: Node) => matchesNode(n, parseNodeSelector(selector));

describe('node selectors', () => {
  it('parses each operator, with spaces and commas inside sets', () => {
    expect(parseNodeSelector(' a = 1 , b==2,c!=3, d in (x, y) ,e notin(z),f,!g')).toEqual([
      { key: { kind: 'label', name: 'a' }, op: 'in', values: ['1'] },
      { key: { kind: 'label', name: 'b' }, op: 'in', values: ['2'] },
      { key: { kind: 'label', name: 'c' }, op: 'notin', values: ['3'] },
      { key: { kind: 'label', name: 'd' }, op: 'in', values: ['x', 'y'] },
      { key: { kind: 'label', name: 'e' }, op: 'notin', values: ['z'] },
      { key: { kind: 'label', name: 'f' }, op: 'exists' },
      { key: { kind: 'label', name: 'g' }, op: 'absent' },
    ]);
  });

  it('reads label:, tag: and taint: prefixes and the fields; the first = ends the key', () => {
    expect(parseNodeSelector('label:phase=x,tag:k=v=w,taint:t,phase=Available,driver-phase=Running')).toEqual([
      { key: { kind: 'label', name: 'phase' }, op: 'in', values: ['x'] },
      { key: { kind: 'tag', name: 'k' }, op: 'in', values: ['v=w'] },
      { key: { kind: 'taint', name: 't' }, op: 'exists' },
      { key: { kind: 'field', name: 'phase' }, op: 'in', values: ['Available'] },
      { key: { kind: 'field', name: 'driver-phase' }, op: 'in', values: ['Running'] },
    ]);
  });

  it('refuses empty selectors, terms and keys, unknown prefixes and unbalanced parentheses', () => {
    for (const [selector, message] of [
      ['', 'the selector is empty'],
      ['a=1,,b=2', 'has an empty term'],
      ['=1', 'has no key'],
      ['tag:=1', 'has no key after tag:'],
      ['foo:x=1', 'unknown prefix "foo:"'],
      ['a in (x', 'unmatched "("'],
      ['a in x)', 'unmatched ")"'],
      ['a in (x,)', 'has an empty value'],
    ] as const) {
      expect(() => parseNodeSelector(selector), selector).toThrow(message);
    }
  });

  it('matches labels, tags, taints and fields; != and notin match a node without the key, as in kubectl', () => {
    const n = node({
      labels: { 'os.modelarts.node/ha.redundant.enabled': 'true' },
      tags: [{ key: '环境', value: '测试' }],
      taints: [{ key: 'os.modelarts.node/ha.redundant', value: 'true', effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' }],
      driver: '535.54.03',
    });
    expect(matches('os.modelarts.node/ha.redundant.enabled=true', n)).toBe(true);
    expect(matches('tag:环境=测试', n)).toBe(true);
    expect(matches('tag:环境 in (生产, 测试)', n)).toBe(true);
    expect(matches('tag:环境 notin (测试)', n)).toBe(false);
    expect(matches('taint:os.modelarts.node/ha.redundant=true', n)).toBe(true);
    expect(matches('!taint:os.modelarts.node/drain', n)).toBe(true);
    expect(matches('driver=535.54.03,phase=Available,flavor=modelarts.vm.gpu.t4u8,az=local-1a', n)).toBe(true);
    expect(matches('team!=a', n)).toBe(true);
    expect(matches('team', n)).toBe(false);
    expect(matches('driver', node({}))).toBe(false);
    expect(matches('phase in (Abnormal, Checking)', node({ phase: 'Checking' }))).toBe(true);
    expect(matches('tag:环境=测试,team', n)).toBe(false);
  });
});
