import { describe, expect, it } from 'vitest';
import { checkMetadataKey, checkMetadataKeys } from '../../src/domain/metadata-keys.js';

const NAME_CHARACTERS = "(letters, digits, '-', '_' and '.' only)";

describe('checkMetadataKey', () => {
  it.each([
    'a',
    '0',
    'team',
    'A.b-c_d',
    'Team_1',
    'example.com/x',
    'os.modelarts/name',
    'os.modelarts.node/ha.redundant.enabled',
    'os.modelarts/tms.tags',
    'a'.repeat(63),
    `example.com/${'a'.repeat(63)}`,
    `${'a'.repeat(253)}/x`,
    `${`${'a'.repeat(63)}.`.repeat(3)}${'b'.repeat(61)}/x`,
  ])('accepts %j', (key) => {
    expect(checkMetadataKey(key)).toBeNull();
  });

  it('rejects names that are empty or longer than 63 characters', () => {
    expect(checkMetadataKey('')).toBe('must be 1-63 characters');
    expect(checkMetadataKey('a'.repeat(64))).toBe('must be 1-63 characters');
    expect(checkMetadataKey('x/')).toBe("name after '/' must be 1-63 characters");
    expect(checkMetadataKey(`x/${'a'.repeat(64)}`)).toBe("name after '/' must be 1-63 characters");
  });

  it.each(['-a', 'a-', '_a', 'a_', '.a', 'a.', '-'])('rejects %j: a name starts and ends with a letter or digit', (key) => {
    expect(checkMetadataKey(key)).toBe('must start and end with a letter or digit');
    expect(checkMetadataKey(`example.com/${key}`)).toBe("name after '/' must start and end with a letter or digit");
  });

  it.each([
    ['a\nb', '"\\n"'],
    ['a b', '" "'],
    ['é', '"é"'],
    ['a:b', '":"'],
    ['a😀', '"😀"'],
    ['a\u0000', '"\\u0000"'],
  ])('rejects %j: a character no name may hold', (key, shown) => {
    expect(checkMetadataKey(key)).toBe(`contains a character that is not allowed: ${shown} ${NAME_CHARACTERS}`);
    expect(checkMetadataKey(`example.com/${key}`)).toBe(`name after '/' contains a character that is not allowed: ${shown} ${NAME_CHARACTERS}`);
  });

  it('rejects an empty prefix and a prefix longer than 253 characters', () => {
    expect(checkMetadataKey('/x')).toBe("prefix before '/' must be 1-253 characters");
    expect(checkMetadataKey(`${'a'.repeat(254)}/x`)).toBe("prefix before '/' must be 1-253 characters");
  });

  it('rejects a prefix that is not a lowercase DNS subdomain', () => {
    expect(checkMetadataKey('Example.com/x')).toBe(`prefix before '/' contains a character that is not allowed: "E" (lowercase letters, digits, '-' and '.' only)`);
    expect(checkMetadataKey('ex_ample.com/x')).toBe(`prefix before '/' contains a character that is not allowed: "_" (lowercase letters, digits, '-' and '.' only)`);
    expect(checkMetadataKey('-example.com/x')).toBe("prefix before '/' must start and end with a lowercase letter or digit");
    expect(checkMetadataKey('example..com/x')).toBe("prefix before '/' each '.'-separated part must start and end with a lowercase letter or digit");
    expect(checkMetadataKey('example-.com/x')).toBe("prefix before '/' each '.'-separated part must start and end with a lowercase letter or digit");
  });

  it.each(['a/b/c', 'example.com//x', '//', 'a//'])('rejects %j: at most one slash', (key) => {
    expect(checkMetadataKey(key)).toBe("must contain at most one '/'");
  });
});

describe('checkMetadataKeys', () => {
  it('accepts a map of valid keys, an empty map and no map', () => {
    expect(checkMetadataKeys({ team: 'vision', 'os.modelarts/name': 'train-a', 'example.com/gone': null }, 'metadata.labels')).toBeNull();
    expect(checkMetadataKeys({}, 'metadata.labels')).toBeNull();
    expect(checkMetadataKeys(undefined, 'metadata.labels')).toBeNull();
  });

  it('names the first bad key of the field, quoted as JSON', () => {
    expect(checkMetadataKeys({ team: 'a', 'a b': 'c', '': 'd' }, 'metadata.labels')).toBe(
      `metadata.labels["a b"]: the key contains a character that is not allowed: " " ${NAME_CHARACTERS}`,
    );
    expect(checkMetadataKeys({ 'a\nb': 'c' }, 'labels')).toBe(`labels["a\\nb"]: the key contains a character that is not allowed: "\\n" ${NAME_CHARACTERS}`);
  });

  it('refuses a bad key set to null, as a merge patch removes it', () => {
    expect(checkMetadataKeys({ 'x/': null }, 'metadata.annotations')).toBe(`metadata.annotations["x/"]: the key name after '/' must be 1-63 characters`);
  });

  it('lets a bad key that is stored be removed (null), but not set', () => {
    const stored = { 'a b': 'kept from before keys were checked', team: 'vision' };
    expect(checkMetadataKeys({ 'a b': null, team: null }, 'metadata.labels', stored)).toBeNull();
    expect(checkMetadataKeys({ 'a b': 'x' }, 'metadata.labels', stored)).toBe(
      `metadata.labels["a b"]: the key contains a character that is not allowed: " " ${NAME_CHARACTERS}`,
    );
    expect(checkMetadataKeys({ 'a b': null, 'x/': null }, 'metadata.labels', stored)).toBe(`metadata.labels["x/"]: the key name after '/' must be 1-63 characters`);
    expect(checkMetadataKeys({ toString: null }, 'metadata.labels', stored)).toBeNull();
    expect(checkMetadataKeys({ 'a b': null }, 'metadata.labels', {})).not.toBeNull();
  });

  it('cuts a long key short where it names it', () => {
    expect(checkMetadataKeys({ ['k'.repeat(10_000)]: 'v' }, 'metadata.labels')).toBe(`metadata.labels["${'k'.repeat(64)}…"]: the key must be 1-63 characters`);
    expect(checkMetadataKeys({ ['k'.repeat(64)]: 'v' }, 'metadata.labels')).toBe(`metadata.labels["${'k'.repeat(64)}"]: the key must be 1-63 characters`);
  });
});
