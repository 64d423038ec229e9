import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkNodeName, checkNodeNameList } from '../../src/domain/node-name.js';
import { NODE_NAME_MAX_LENGTH, NODE_NAME_PATTERN } from '../../src/schemas/common.js';

describe('checkNodeName', () => {
  it.each(['a', '0', 'os-node-created-xzz78', 'a.b', 'a-b.c-d', 'a--b', 'x'.repeat(63), '1.2.3'])('accepts %j', (n) => {
    expect(checkNodeName(n)).toBeNull();
  });

  it('rejects empty and over-63 names', () => {
    expect(checkNodeName('')).toBe('must be 1-63 characters');
    expect(checkNodeName('x'.repeat(64))).toBe('must be 1-63 characters');
  });

  it.each(['-a', 'a-', '.a', 'a.'])('rejects %j (edges)', (n) => {
    expect(checkNodeName(n)).toBe('must start and end with a lowercase letter or digit');
  });

  it.each(['a..b', 'a.-b', 'a-.b'])('rejects %j (a dot-separated part with a bad edge)', (n) => {
    expect(checkNodeName(n)).toBe("each '.'-separated part must start and end with a lowercase letter or digit");
  });

  it.each([
    ['Node-1', '"N"'],
    ['node_1', '"_"'],
    ['node 1', '" "'],
    ['node/1', '"/"'],
    ['nöde', '"ö"'],
    ['node😀', '"😀"'],
  ])('rejects %j and names the character', (n, shown) => {
    expect(checkNodeName(n)).toBe(
      `contains a character that is not allowed: ${shown} (lowercase letters, digits, '-' and '.' only)`,
    );
  });
});

describe('checkNodeNameList', () => {
  it('names the field and index of the first invalid name', () => {
    expect(checkNodeNameList(['ok', 'a..b'], 'deleteNodeNames')).toBe("deleteNodeNames[1]: each '.'-separated part must start and end with a lowercase letter or digit");
    expect(checkNodeNameList(['ok', ''], 'match.nodes')).toBe('match.nodes[1]: must be 1-63 characters');
  });

  it('names the first repeated name and where it repeats', () => {
    expect(checkNodeNameList(['a', 'b', 'a', 'b'], 'nodeNames')).toBe('nodeNames[2]: duplicate node name "a"');
  });

  it('accepts distinct valid names, and an empty list', () => {
    expect(checkNodeNameList(['a', 'b.c', 'd-e'], 'nodeNames')).toBeNull();
    expect(checkNodeNameList([], 'nodeNames')).toBeNull();
  });
});

describe('NODE_NAME_PATTERN with NODE_NAME_MAX_LENGTH', () => {
  const regExp = new RegExp(NODE_NAME_PATTERN, 'u');
  const pattern = { test: (name: string) => regExp.test(name) && name.length <= NODE_NAME_MAX_LENGTH };

  it.each(['a', '0', 'os-node-created-xzz78', 'a.b', 'a-b.c-d', 'a--b', 'x'.repeat(63), '1.2.3'])('matches %j', (n) => {
    expect(pattern.test(n)).toBe(true);
  });

  it.each(['', 'x'.repeat(64), '-a', 'a-', '.a', 'a.', 'a..b', 'a.-b', 'a-.b', 'Node-1', 'node_1', 'nöde'])('does not match %j', (n) => {
    expect(pattern.test(n)).toBe(false);
  });

  it('is the same rule as checkNodeName, for any name', () => {
    const alphabet = fc.constantFrom('a', 'z', '0', '9', '-', '.', 'A', '_', 'ö');
    const names = fc.oneof(fc.string({ unit: alphabet, maxLength: 70 }), fc.string({ maxLength: 70 }));
    fc.assert(fc.property(names, (name) => pattern.test(name) === (checkNodeName(name) === null)), { numRuns: 5_000 });
  });
});
