import { METADATA_KEY_NAME_MAX_LENGTH, METADATA_KEY_PREFIX_MAX_LENGTH } from '../schemas/common.js';
import { checkDnsSubdomain } from './node-name.js';

/**
 * The label and annotation key rule (schemas/common.ts: METADATA_KEY_RULE), as a check that says what is wrong: a
 * Kubernetes qualified name, as pools and nodes are Kubernetes objects underneath ModelArts. An optional prefix, a
 * DNS-1123 subdomain of at most 253 characters, and `/`; then a name of 1-63 letters, digits, `-`, `_` and `.`,
 * starting and ending with a letter or digit (`team`, `os.modelarts/name`). Values are not constrained here.
 */

/** Longer keys are cut short where a message names them. */
const SHOWN_KEY_MAX_LENGTH = 64;

const NAME_FORBIDDEN_CHAR = /[^A-Za-z0-9_.-]/u;
const ALPHANUMERIC_EDGES = /^[A-Za-z0-9](?:.*[A-Za-z0-9])?$/;

/** Returns null when `key` is a valid label or annotation key, else a short reason. */
export function checkMetadataKey(key: string): string | null {
  const slash = key.indexOf('/');
  if (slash === -1) return checkName(key);
  if (key.includes('/', slash + 1)) return "must contain at most one '/'";
  const prefixReason = checkDnsSubdomain(key.slice(0, slash), METADATA_KEY_PREFIX_MAX_LENGTH);
  if (prefixReason !== null) return `prefix before '/' ${prefixReason}`;
  const nameReason = checkName(key.slice(slash + 1));
  return nameReason === null ? null : `name after '/' ${nameReason}`;
}

/**
 * Every key of a label or annotation map. A key set to null (a merge patch's removal) is checked too, as a key that
 * cannot exist cannot be removed either, unless `stored` holds it: a key stored before keys were checked can still be
 * removed. Null, or a detail naming the first bad key, e.g. `metadata.labels["a b"]: the key contains ...`.
 */
export function checkMetadataKeys(
  map: Readonly<Record<string, unknown>> | undefined,
  field: string,
  stored: Readonly<Record<string, string>> = {},
): string | null {
  for (const [key, value] of Object.entries(map ?? {})) {
    if (value === null && Object.hasOwn(stored, key)) continue;
    const reason = checkMetadataKey(key);
    if (reason !== null) return `${field}[${showKey(key)}]: the key ${reason}`;
  }
  return null;
}

function checkName(name: string): string | null {
  const bad = NAME_FORBIDDEN_CHAR.exec(name);
  if (bad !== null) return `contains a character that is not allowed: ${JSON.stringify(bad[0])} (letters, digits, '-', '_' and '.' only)`;
  if (name.length === 0 || name.length > METADATA_KEY_NAME_MAX_LENGTH) return `must be 1-${METADATA_KEY_NAME_MAX_LENGTH} characters`;
  if (!ALPHANUMERIC_EDGES.test(name)) return 'must start and end with a letter or digit';
  return null;
}

function showKey(key: string): string {
  return key.length <= SHOWN_KEY_MAX_LENGTH ? JSON.stringify(key) : `${JSON.stringify(key.slice(0, SHOWN_KEY_MAX_LENGTH)).slice(0, -1)}…"`;
}
