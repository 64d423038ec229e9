import { describe, expect, it } from 'vitest';
import {
  MAX_TAGS_PER_NODE,
  checkTagKey,
  checkTagValue,
  renderTagsAnnotation,
} from '../../src/domain/tags.js';

describe('checkTagKey', () => {
  it.each([
    'env',
    'a',
    'Env_1.2:3=4+5-6@7',
    'cost center', // inner space
    '环境',
    'среда',
    'बिल्लिंग', // Devanagari: needs combining marks (\p{M})
    'ελληνικά',
    'مفتاح',
    '١٢٣', // Arabic-Indic digits are \p{Nd}
    'system-owner',
    'sys-x',
    '_sys', // only the full prefix "_sys_" is reserved
    'sys_x',
    'x_sys_',
    '_SYS_upper', // the reserved prefix is case-sensitive
  ])('accepts %j', (key) => {
    expect(checkTagKey(key)).toBeNull();
  });

  it('rejects the reserved _sys_ prefix', () => {
    expect(checkTagKey('_sys_x')).toBe('must not start with _sys_');
    expect(checkTagKey('_sys_')).toBe('must not start with _sys_');
  });

  it('rejects an empty key', () => {
    expect(checkTagKey('')).toBe('must be 1-128 characters');
  });

  it('counts length in code points: 128 is valid, 129 is not', () => {
    expect(checkTagKey('a'.repeat(128))).toBeNull();
    expect(checkTagKey('a'.repeat(129))).toBe('must be 1-128 characters');
    // 3 bytes each in UTF-8, 1 UTF-16 unit each
    expect(checkTagKey('环'.repeat(128))).toBeNull();
    expect(checkTagKey('环'.repeat(129))).toBe('must be 1-128 characters');
    // astral letters: 2 UTF-16 units (4 UTF-8 bytes) each
    const astral = '𠀀'; // U+20000, a CJK letter outside the BMP
    expect(astral.length).toBe(2);
    expect(checkTagKey(astral.repeat(128))).toBeNull();
    expect(checkTagKey(astral.repeat(129))).toBe('must be 1-128 characters');
    expect(checkTagKey('a' + astral.repeat(127))).toBeNull();
    expect(checkTagKey('a' + astral.repeat(128))).toBe('must be 1-128 characters');
  });

  it.each([
    ['U+10000, the first supplementary code point', '\u{10000}'],
    ['U+203FF, a low surrogate of DFFF', '\u{203FF}'],
    ['U+2A6D6', '\u{2A6D6}'],
  ])('counts a supplementary-plane letter as one character: %s', (_name, letter) => {
    expect(letter.length).toBe(2);
    expect(checkTagKey(letter.repeat(128))).toBeNull();
    expect(checkTagKey(letter.repeat(129))).toBe('must be 1-128 characters');
    expect(checkTagKey(letter.repeat(64) + 'a'.repeat(64))).toBeNull();
    expect(checkTagValue(letter.repeat(255))).toBeNull();
    expect(checkTagValue(letter.repeat(256))).toBe('must be at most 255 characters');
  });

  it('counts U+10FFFF (high surrogate DBFF) as one character: 128 pass the length rule and fail on the character', () => {
    const last = '\u{10FFFF}';
    expect(checkTagKey(last.repeat(128))).toBe(`contains a character that is not allowed: ${JSON.stringify(last)} (U+10FFFF)`);
    expect(checkTagKey(last.repeat(129))).toBe('must be 1-128 characters');
  });

  it('counts a lone surrogate as one character', () => {
    // high surrogates not followed by a low one, and low surrogates on their own: 128 units, 128 characters
    expect(checkTagKey('\ud800'.repeat(128))).toBe('contains a character that is not allowed: "\\ud800" (U+D800)');
    expect(checkTagKey('\ud800'.repeat(129))).toBe('must be 1-128 characters');
    // a high surrogate before a character above the low surrogates (U+FF21) does not pair with it: 130 characters
    expect(checkTagKey('\ud800\uff21'.repeat(65))).toBe('must be 1-128 characters');
    expect(checkTagKey('a'.repeat(127) + '\udc00'.repeat(2))).toBe('must be 1-128 characters');
    expect(checkTagKey('a'.repeat(128) + '\ud800')).toBe('must be 1-128 characters');
  });

  it('rejects a very long key cheaply', () => {
    expect(checkTagKey('a'.repeat(1_000_000))).toBe('must be 1-128 characters');
  });

  it.each(['#', '/', '*', '?', ',', '!', '$', '%', '&', '(', ')', '<', '>', '|', '\\', '"', "'", '~', '`', '[', '{', ';'])(
    'rejects %j and names it',
    (ch) => {
      expect(checkTagKey(`a${ch}b`)).toBe(`contains a character that is not allowed: ${JSON.stringify(ch)}`);
    },
  );

  it.each([
    ['\t', 'U+0009'],
    ['\n', 'U+000A'],
    ['\u00a0', 'U+00A0'], // no-break space is not "space"
    ['\u3000', 'U+3000'], // ideographic space
    ['\u200d', 'U+200D'], // zero-width joiner
    ['😀', 'U+1F600'],
    ['Ⅻ', 'U+216B'], // letter number (\p{Nl}), not a letter or decimal digit
    ['²', 'U+00B2'], // \p{No}
    ['\ud800', 'U+D800'], // lone surrogate
  ])('rejects invisible or non-ASCII %j and shows its code point', (ch, cp) => {
    const reason = checkTagKey(`a${ch}b`);
    expect(reason).toMatch(/^contains a character that is not allowed: /);
    expect(reason).toContain(`(${cp})`);
  });

  it('rejects DEL (U+007F), showing its code point', () => {
    expect(checkTagKey('a\u007fb')).toBe(`contains a character that is not allowed: ${JSON.stringify('\u007f')} (U+007F)`);
  });

  it('reports the first forbidden character', () => {
    expect(checkTagKey('a#b/c')).toBe('contains a character that is not allowed: "#"');
  });

  it.each([' env', 'env ', ' ', '  env  '])('rejects edge spaces in %j', (key) => {
    expect(checkTagKey(key)).toBe('must not start or end with a space');
  });

  it('rejects " _sys_x" for its leading space', () => {
    expect(checkTagKey(' _sys_x')).toBe('must not start or end with a space');
  });
});

describe('checkTagValue', () => {
  it.each(['', 'test', 'a/b/c', '/', 'v 1', '值', 'значение', 'मूल्य', 'x_.:=+-@y', '0'])('accepts %j', (value) => {
    expect(checkTagValue(value)).toBeNull();
  });

  it('allows _sys_ at the start of a value', () => {
    expect(checkTagValue('_sys_x')).toBeNull();
  });

  it('counts length in code points: 255 is valid, 256 is not', () => {
    expect(checkTagValue('a'.repeat(255))).toBeNull();
    expect(checkTagValue('a'.repeat(256))).toBe('must be at most 255 characters');
    expect(checkTagValue('环'.repeat(255))).toBeNull();
    expect(checkTagValue('环'.repeat(256))).toBe('must be at most 255 characters');
    expect(checkTagValue('𠀀'.repeat(255))).toBeNull();
    expect(checkTagValue('𠀀'.repeat(256))).toBe('must be at most 255 characters');
  });

  it.each(['#', '*', '?', ',', '\\', '"', '|', '<', '~'])('rejects %j', (ch) => {
    expect(checkTagValue(`a${ch}b`)).toBe(`contains a character that is not allowed: ${JSON.stringify(ch)}`);
  });

  it('rejects DEL (U+007F), showing its code point', () => {
    expect(checkTagValue('v\u007f')).toBe(`contains a character that is not allowed: ${JSON.stringify('\u007f')} (U+007F)`);
  });

  it('rejects non-ASCII forbidden characters', () => {
    expect(checkTagValue('a😀')).toContain('(U+1F600)');
    expect(checkTagValue('a\tb')).toContain('(U+0009)');
  });

  it.each([' v', 'v ', ' ', ' / '])('rejects edge spaces in %j', (value) => {
    expect(checkTagValue(value)).toBe('must not start or end with a space');
  });
});

describe('MAX_TAGS_PER_NODE', () => {
  it('is 20', () => {
    expect(MAX_TAGS_PER_NODE).toBe(20);
  });
});

describe('renderTagsAnnotation', () => {
  it('renders [] for no tags', () => {
    expect(renderTagsAnnotation([])).toBe('[]');
  });

  it('renders a JSON array of {key, value} sorted by key', () => {
    const tags = [
      { key: 'zeta', value: '1' },
      { key: 'alpha', value: '' },
      { key: 'Beta', value: 'a/b' },
    ];
    expect(renderTagsAnnotation(tags)).toBe(
      '[{"key":"Beta","value":"a/b"},{"key":"alpha","value":""},{"key":"zeta","value":"1"}]',
    );
  });

  it('is independent of input order and does not modify the input', () => {
    const a = [
      { key: 'b', value: '2' },
      { key: '环境', value: '测试' },
      { key: 'a', value: '1' },
    ];
    const b = [a[2]!, a[0]!, a[1]!];
    const before = JSON.stringify(a);
    expect(renderTagsAnnotation(a)).toBe(renderTagsAnnotation(b));
    expect(JSON.stringify(a)).toBe(before);
    expect(JSON.parse(renderTagsAnnotation(a))).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
      { key: '环境', value: '测试' },
    ]);
  });

  it('renders only key and value', () => {
    const tag = { key: 'k', value: 'v', extra: 1 } as { key: string; value: string };
    expect(renderTagsAnnotation([tag])).toBe('[{"key":"k","value":"v"}]');
  });
});
