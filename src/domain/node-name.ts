import { NODE_NAME_MAX_LENGTH } from '../schemas/common.js';

/**
 * The node-name rule (schemas/common.ts: NODE_NAME_PATTERN and NODE_NAME_MAX_LENGTH), the one every path, body and
 * seed checks, as a check that says what is wrong: no `..`, `.-` or `-.` either.
 */

const SUBDOMAIN_EDGE_REASON = 'must start and end with a lowercase letter or digit';
const SUBDOMAIN_DOT_REASON = "each '.'-separated part must start and end with a lowercase letter or digit";

/**
 * The same rule as NODE_NAME_PATTERN and NODE_NAME_MAX_LENGTH, saying what is wrong: null for a valid name, else the reason. A plain
 * char-code loop: this runs on up to 10,000 names per request.
 */
export function checkNodeName(name: string): string | null {
  return checkDnsSubdomain(name, NODE_NAME_MAX_LENGTH);
}

/**
 * A DNS-1123 subdomain of at most `maxLength` characters (node names cap it at 63, label-key prefixes at 253):
 * null, or the reason it is not one.
 */
export function checkDnsSubdomain(name: string, maxLength: number): string | null {
  const n = name.length;
  if (n === 0 || n > maxLength) return `must be 1-${maxLength} characters`;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    const alnum = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
    if (!alnum) {
      if (c !== 0x2d && c !== 0x2e) {
        return `contains a character that is not allowed: ${JSON.stringify(String.fromCodePoint(name.codePointAt(i) ?? c))} (lowercase letters, digits, '-' and '.' only)`;
      }
      if (i === 0 || i === n - 1) return SUBDOMAIN_EDGE_REASON;
      if (c === 0x2e && prev === 0x2d) return SUBDOMAIN_DOT_REASON; // "-."
      if (prev === 0x2e) return SUBDOMAIN_DOT_REASON; // ".." or ".-"
    }
    prev = c;
  }
  return null;
}

/** A list of node names in a request body: each valid and none twice. Null, or a detail naming `field[index]`. */
export function checkNodeNameList(names: readonly string[], field: string): string | null {
  const seen = new Set<string>();
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const reason = checkNodeName(name);
    if (reason !== null) return `${field}[${i}]: ${reason}`;
    if (seen.has(name)) return `${field}[${i}]: duplicate node name ${JSON.stringify(name)}`;
    seen.add(name);
  }
  return null;
}
