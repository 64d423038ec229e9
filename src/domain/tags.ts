import type { Tag } from './node.js';

/**
 * Resource-tag rules (api-reference §6).
 *
 * - key: 1-128 characters (Unicode code points); letters of any language (with their combining marks, so
 *   scripts such as Devanagari work), decimal digits, space and `_ . : = + - @`; no leading or trailing
 *   space; must not start with `_sys_` (reserved for system tags; `system-owner` is a valid key).
 * - value: 0-255 characters; the key characters plus `/`; no leading or trailing space.
 * - at most 20 tags on one node.
 *
 * Strings are checked as received: no Unicode normalization, so `é` written as one code point or as
 * `e` + combining accent are different keys, and the second counts as two characters.
 */

export const MAX_TAGS_PER_NODE = 20;
const TAG_KEY_MAX_LENGTH = 128;
const TAG_VALUE_MAX_LENGTH = 255;
const RESERVED_TAG_KEY_PREFIX = '_sys_';

/** First character outside the allowed set. With the u flag a match is a whole code point (or a lone surrogate). */
const KEY_FORBIDDEN_CHAR = /[^\p{L}\p{M}\p{Nd} _.:=+\-@]/u;
const VALUE_FORBIDDEN_CHAR = /[^\p{L}\p{M}\p{Nd} _.:=+\-@\/]/u;

const KEY_LENGTH_REASON = `must be 1-${TAG_KEY_MAX_LENGTH} characters`;
const VALUE_LENGTH_REASON = `must be at most ${TAG_VALUE_MAX_LENGTH} characters`;
const EDGE_SPACE_REASON = 'must not start or end with a space';
const RESERVED_PREFIX_REASON = `must not start with ${RESERVED_TAG_KEY_PREFIX}`;

/** Returns null when `key` is a valid tag key, else a short reason. */
export function checkTagKey(key: string): string | null {
  if (key.length === 0 || !hasAtMostCodePoints(key, TAG_KEY_MAX_LENGTH)) return KEY_LENGTH_REASON;
  const bad = KEY_FORBIDDEN_CHAR.exec(key);
  if (bad !== null) return forbiddenCharReason(bad[0]);
  if (hasEdgeSpace(key)) return EDGE_SPACE_REASON;
  if (key.startsWith(RESERVED_TAG_KEY_PREFIX)) return RESERVED_PREFIX_REASON;
  return null;
}

/** Returns null when `value` is a valid tag value (the empty string is valid), else a short reason. */
export function checkTagValue(value: string): string | null {
  if (!hasAtMostCodePoints(value, TAG_VALUE_MAX_LENGTH)) return VALUE_LENGTH_REASON;
  const bad = VALUE_FORBIDDEN_CHAR.exec(value);
  if (bad !== null) return forbiddenCharReason(bad[0]);
  if (hasEdgeSpace(value)) return EDGE_SPACE_REASON;
  return null;
}

/**
 * The `os.modelarts/tms.tags` annotation: a JSON string of `[{"key","value"}]`, sorted by key (UTF-16 code-unit
 * order, independent of locale) so equal tag sets always render identically. Does not modify `tags`.
 */
export function renderTagsAnnotation(tags: readonly Tag[]): string {
  const sorted = tags.map((t) => ({ key: t.key, value: t.value }));
  // Stryker disable next-line EqualityOperator,ConditionalExpression: a node's keys are unique, and Array.prototype.sort only tells a negative answer from the rest
  sorted.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return JSON.stringify(sorted);
}

function hasEdgeSpace(s: string): boolean {
  return s.charCodeAt(0) === 0x20 || s.charCodeAt(s.length - 1) === 0x20;
}

/** Counts code points without allocating, stopping as soon as the limit is passed (keys can be arbitrarily long). */
function hasAtMostCodePoints(s: string, max: number): boolean {
  // Two shortcuts (every code point is one or two UTF-16 units); counting gives the same answers.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: a shortcut, as above
  if (s.length <= max) return true;
  // Stryker disable next-line ConditionalExpression: a shortcut, as above
  if (s.length > 2 * max) return false;
  let count = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low surrogate is one code point (past the end, charCodeAt is NaN: no low surrogate).
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    if (++count > max) return false;
  }
  return true;
}

function forbiddenCharReason(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const printableAscii = cp >= 0x21 && cp <= 0x7e; // '!' to '~'
  const shown = JSON.stringify(ch);
  return printableAscii
    ? `contains a character that is not allowed: ${shown}`
    : `contains a character that is not allowed: ${shown} (U+${cp.toString(16).toUpperCase().padStart(4, '0')})`;
}
