import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findDuplicateKey } from '../../src/server/duplicate-keys.js';

describe('findDuplicateKey', () => {
  it('names the first repeated key with its field path, at any depth', () => {
    expect(findDuplicateKey('{"action":"createTags","action":"deleteTags"}')).toBe('action');
    expect(findDuplicateKey('{"tags":[{"key":"a","value":"1"},{"key":"b","key":"c"}]}')).toBe('tags[1].key');
    expect(findDuplicateKey('{"spec":{"driver":{"version":"1","updateStrategy":"idle","version":"2"}}}')).toBe('spec.driver.version');
    expect(findDuplicateKey('[[0],{"a":[{"x":1}],"b":{"x":1,"x":2}}]')).toBe('[1].b.x');
  });

  it('compares keys as JSON reads them, escapes included', () => {
    expect(findDuplicateKey('{"a":1,"\\u0061":2}')).toBe('a');
    expect(findDuplicateKey('{"a\\"b":1,"a\\u0022b":2}')).toBe('a"b');
    expect(findDuplicateKey('{"A":1,"a":2}')).toBeUndefined();
  });

  it('does not take string contents for structure', () => {
    expect(findDuplicateKey('{"a":"{\\"a\\":1,\\"a\\":2}","b":"\\\\","c":"x\\\\\\"y,\\"c\\":"}')).toBeUndefined();
    expect(findDuplicateKey('{"a":{"a":{"a":1}},"b":["a","a"]}')).toBeUndefined();
    expect(findDuplicateKey('"a"')).toBeUndefined();
    expect(findDuplicateKey('{}')).toBeUndefined();
  });

  it('scans a 100,000-deep body without recursion', () => {
    const depth = 100_000;
    expect(findDuplicateKey('{"a":'.repeat(depth) + '1' + '}'.repeat(depth))).toBeUndefined();
    expect(findDuplicateKey('['.repeat(depth) + '{"k":1,"k":2}' + ']'.repeat(depth))).toBe(`${'[0]'.repeat(depth)}.k`);
  });

  it('finds nothing in what JSON.stringify writes, and finds a key written twice anywhere in it', () => {
    const key = fc.string({ unit: 'binary', maxLength: 6 });
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 0 }), fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(key, tie('value'), { maxKeys: 4 })),
    })).value;
    fc.assert(
      fc.property(json, (value) => {
        expect(findDuplicateKey(JSON.stringify(value))).toBeUndefined();
      }),
    );
    fc.assert(
      fc.property(json, key, fc.jsonValue({ maxDepth: 1 }), (value, duplicated, extra) => {
        // The same key twice in a new object wrapped around the value, written by hand.
        const text = `{"wrapper":[${JSON.stringify(value)},{${JSON.stringify(duplicated)}:1,${JSON.stringify(duplicated)}:${JSON.stringify(extra)}}]}`;
        expect(findDuplicateKey(text)).toBe(`wrapper[1].${duplicated}`);
      }),
    );
  });
});
