import { describe, expect, it } from 'vitest';
import { requestIdFor } from '../../src/server/request-log.js';

describe('requestIdFor (X-Request-Id)', () => {
  it('keeps an incoming id of 1 to 128 letters, digits, dots, underscores, colons and dashes', () => {
    for (const id of ['a', 'req-42', '3f0c2d1e-0a6b-4c1e-9d2f-7b8a9c0d1e2f', 'trace:00-4bf92f.span_1', 'X'.repeat(128)]) {
      expect(requestIdFor(id)).toBe(id);
    }
  });

  it('replaces a missing, empty, long, repeated or unsafe id with a generated one', () => {
    const generated = /^[0-9a-f]{32}$/;
    for (const id of [undefined, '', 'X'.repeat(129), 'has space', 'new\nline', 'quote"d', 'ünïcode', 'a/b', 'a,b', ['one', 'two']]) {
      expect(requestIdFor(id)).toMatch(generated);
    }
    expect(requestIdFor(undefined)).not.toBe(requestIdFor(undefined));
  });
});
