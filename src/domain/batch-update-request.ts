import type { BatchUpdateBody } from '../schemas/batch-update.js';
import { checkTagKey, checkTagValue } from './tags.js';

/**
 * Whole-request rules of BatchUpdatePoolNodes beyond the body schema (api-reference §5 decision 1, §6).
 * The HTTP layer has already checked the shape (types, enums, array sizes, no unknown fields); this returns
 * null, or a detail naming the field that the HTTP layer renders as 400 `Bad request. <detail>`.
 * Nothing is written when this fails.
 */

const NODE_NAME_MAX_LENGTH = 63;
const DRIVER_VERSION_MAX_LENGTH = 64;

const HA_ACTIONS: ReadonlySet<string> = new Set(['openHaRedundant', 'closeHaRedundant']);
const TAG_ACTIONS: ReadonlySet<string> = new Set(['createTags', 'deleteTags']);

const DRIVER_VERSION = /^[A-Za-z0-9._-]+$/;

const NODE_NAME_LENGTH_REASON = `must be 1-${NODE_NAME_MAX_LENGTH} characters`;
const NODE_NAME_EDGE_REASON = 'must start and end with a lowercase letter or digit';
const NODE_NAME_DOT_REASON = "each '.'-separated part must start and end with a lowercase letter or digit";

/**
 * Kubernetes node name (DNS-1123 subdomain, capped at 63): lowercase letters, digits, `-` and `.`, starting and
 * ending with a letter or digit, and so is every `.`-separated part (no `..`, `.-`, `-.`).
 * A plain char-code loop: this runs on up to 10,000 names per request.
 */
export function checkNodeName(name: string): string | null {
  const n = name.length;
  if (n === 0 || n > NODE_NAME_MAX_LENGTH) return NODE_NAME_LENGTH_REASON;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    const alnum = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
    if (!alnum) {
      if (c !== 0x2d && c !== 0x2e) {
        return `contains a character that is not allowed: ${JSON.stringify(String.fromCodePoint(name.codePointAt(i) ?? c))} (lowercase letters, digits, '-' and '.' only)`;
      }
      if (i === 0 || i === n - 1) return NODE_NAME_EDGE_REASON;
      if (c === 0x2e && prev === 0x2d) return NODE_NAME_DOT_REASON; // "-."
      if (prev === 0x2e) return NODE_NAME_DOT_REASON; // ".." or ".-"
    }
    prev = c;
  }
  return null;
}

export function checkBatchUpdateRequest(body: BatchUpdateBody): string | null {
  return checkNodeNames(body.nodeNames) ?? checkActionFields(body) ?? checkTags(body) ?? checkDriver(body);
}

function checkNodeNames(names: readonly string[]): string | null {
  const seen = new Set<string>();
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const reason = checkNodeName(name);
    if (reason !== null) return `nodeNames[${i}]: ${reason}`;
    if (seen.has(name)) return `nodeNames[${i}]: duplicate node name ${JSON.stringify(name)}`;
    seen.add(name);
  }
  return null;
}

function checkActionFields(body: BatchUpdateBody): string | null {
  const { action } = body;
  const isHa = HA_ACTIONS.has(action);
  const isTag = TAG_ACTIONS.has(action);

  if (isTag && body.tags === undefined) return `tags is required for action ${action}`;
  if (!isTag && body.tags !== undefined) {
    return `tags is only allowed with createTags or deleteTags, not with action ${action}`;
  }
  if (!isHa && body.haRedundantEffect !== undefined) {
    return `haRedundantEffect is only allowed with openHaRedundant or closeHaRedundant, not with action ${action}`;
  }
  if (body.haRedundantEnable !== undefined) {
    if (!isHa) {
      return `haRedundantEnable is only allowed with openHaRedundant or closeHaRedundant, not with action ${action}`;
    }
    const opening = action === 'openHaRedundant';
    if (body.haRedundantEnable !== opening) {
      return `haRedundantEnable=${String(body.haRedundantEnable)} contradicts action ${action}`;
    }
  }
  return null;
}

function checkTags(body: BatchUpdateBody): string | null {
  const tags = body.tags;
  if (tags === undefined) return null;
  const seen = new Set<string>();
  for (let i = 0; i < tags.length; i++) {
    const tag = tags[i]!;
    const keyReason = checkTagKey(tag.key);
    if (keyReason !== null) return `tags[${i}].key: ${keyReason}`;
    // For deleteTags an empty value means "any value"; for createTags it is a valid (empty) value.
    const valueReason = checkTagValue(tag.value);
    if (valueReason !== null) return `tags[${i}].value: ${valueReason}`;
    if (seen.has(tag.key)) return `tags[${i}].key: duplicate key ${JSON.stringify(tag.key)}`;
    seen.add(tag.key);
  }
  return null;
}

function checkDriver(body: BatchUpdateBody): string | null {
  const driver = body.driver;
  if (driver === undefined) return null;
  const v = driver.version;
  if (v.length > DRIVER_VERSION_MAX_LENGTH || !DRIVER_VERSION.test(v)) {
    return `driver.version: must be 1-${DRIVER_VERSION_MAX_LENGTH} characters of letters, digits, '.', '_' or '-'`;
  }
  return null;
}
