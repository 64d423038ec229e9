/**
 * The pure pieces of Huawei Cloud AK/SK request signing (SDK-HMAC-SHA256 and the derived V11-HMAC-SHA256),
 * shared by the server-side verifier (src/server/auth/signature.ts), our client-side signer (src/client/signer.ts) and the
 * API Explorer's browser signer (web/lib/signer.ts). Nothing here needs Node: the digests live in node-crypto.ts (Node) and
 * in Web Crypto (browser), so the browser bundles this very file.
 *
 * Canonical request (six lines joined by "\n"):
 *   METHOD
 *   canonical URI        every path segment percent-encoded (RFC 3986 unreserved set kept), always ending in "/"
 *   canonical query      decoded pairs sorted by key then value (UTF-16 code-unit order), re-encoded, "k=v" joined by "&"
 *   canonical headers    "name:value\n" per signed header, so this block itself ends in "\n" (an empty-looking line follows)
 *   signed headers       lowercase names joined by ";"
 *   payload hash         hex SHA-256 of the body, or the literal UNSIGNED-PAYLOAD
 */
export const SDK_HMAC_SHA256 = 'SDK-HMAC-SHA256';
export const V11_HMAC_SHA256 = 'V11-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** Hex SHA-256 of the empty string: the payload hash of a request without a body. */
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** 1 for the characters percent-encoding leaves alone: A-Z a-z 0-9 - _ . ~ */
const UNRESERVED = new Uint8Array(128);
// Stryker disable next-line EqualityOperator: a typed array drops a write past its end
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch === '-' || ch === '_' || ch === '.' || ch === '~') {
    UNRESERVED[c] = 1;
  }
}
const HEX_UPPER = '0123456789ABCDEF';

// Stryker disable next-line BlockStatement: every caller treats "not unreserved" as "encode it", which gives an unreserved character back unchanged
function isUnreserved(code: number): boolean {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: past the table's end the read is undefined, not 1, so the answer is the same
  if (code >= 128) return false;
  return UNRESERVED[code] === 1;
}

/**
 * Percent-encodes `value` as UTF-8, keeping only A-Za-z0-9-_.~ (uppercase hex digits), exactly like the
 * official SDK signers. A lone surrogate is encoded as U+FFFD (the SDKs would refuse to sign it at all).
 */
export function percentEncode(value: string): string {
  const length = value.length;
  let i = 0;
  // Fast path for values with nothing to encode; stopping it early leaves the rest to the loop below, same answer.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: the fast path, as above
  while (i < length && isUnreserved(value.charCodeAt(i))) i++;
  // Stryker disable next-line ConditionalExpression: the fast path, as above
  if (i === length) return value;
  // ASCII-only values (the usual case) are escaped without encoding to UTF-8 bytes.
  let out = value.slice(0, i);
  for (; i < length; i++) {
    const c = value.charCodeAt(i);
    // Stryker disable next-line ConditionalExpression: going through UTF-8 bytes earlier than needed encodes ASCII the same
    if (c >= 128) return out + percentEncodeUtf8(value.slice(i));
    out += UNRESERVED[c] === 1 ? value[i]! : ESCAPED[c]!;
  }
  return out;
}

/** `%XX` for every byte value, uppercase hex. */
const ESCAPED: string[] = [];
// Stryker disable next-line EqualityOperator: an entry past 255 is never read
for (let b = 0; b < 256; b++) ESCAPED.push('%' + HEX_UPPER[b >> 4]! + HEX_UPPER[b & 15]!);

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

function percentEncodeUtf8(value: string): string {
  const bytes = utf8.encode(value);
  let out = '';
  for (let k = 0; k < bytes.length; k++) {
    const b = bytes[k]!;
    out += isUnreserved(b) ? String.fromCharCode(b) : ESCAPED[b]!;
  }
  return out;
}

/** The value of a hex digit's character code, or -1 (also for NaN and undefined: a read past the end is "not hex"). */
function hexDigit(code: number): number {
  // Stryker disable next-line ConditionalExpression: below '0' the difference on the next line is negative, which callers read as "not hex" too
  if (code < 0x30) return -1;
  if (code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/** The byte `%XX` at `i` stands for, or -1 when the two characters after the `%` are not both hex digits. */
function escapedByte(value: string, i: number): number {
  const hi = hexDigit(value.charCodeAt(i + 1));
  // a low digit that is not hex (-1) makes the OR -1 as well
  return hi < 0 ? -1 : (hi << 4) | hexDigit(value.charCodeAt(i + 2));
}

/**
 * Decodes %XX escapes (and `+` as a space when `plusAsSpace`), then reads the bytes as UTF-8 with U+FFFD for
 * malformed sequences: the WHATWG URLSearchParams behaviour. A `%` not followed by two hex digits stays literal.
 */
export function percentDecode(value: string, plusAsSpace: boolean): string {
  const length = value.length;
  let i = 0;
  // Fast path for values with nothing to decode; stopping it early leaves the rest to the loop below, same answer.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: the fast path, as above
  for (; i < length; i++) {
    const c = value.charCodeAt(i);
    // Stryker disable next-line ConditionalExpression,LogicalOperator: the fast path, as above
    if (c === 0x25 || (plusAsSpace && c === 0x2b)) break;
  }
  // Stryker disable next-line ConditionalExpression: the fast path, as above
  if (i === length) return value;
  // Decode in JS while the escapes stay ASCII; the first escape of a non-ASCII byte switches to byte decoding.
  let out = value.slice(0, i);
  for (; i < length; i++) {
    const c = value.charCodeAt(i);
    const byte = c === 0x25 ? escapedByte(value, i) : -1;
    if (byte !== -1) {
      // Stryker disable next-line ConditionalExpression: decoding ASCII bytes as UTF-8 gives the same characters
      if (byte >= 0x80) return out + percentDecodeUtf8(value.slice(i), plusAsSpace);
      out += String.fromCharCode(byte);
      i += 2;
      continue;
    }
    out += plusAsSpace && c === 0x2b ? ' ' : value[i]!;
  }
  return out;
}

function percentDecodeUtf8(value: string, plusAsSpace: boolean): string {
  const bytes = utf8.encode(value);
  const out = new Uint8Array(bytes.length);
  let j = 0;
  for (let k = 0; k < bytes.length; k++) {
    const b = bytes[k]!;
    if (b === 0x25) {
      const hi = hexDigit(bytes[k + 1]!); // undefined past the end: not hex
      const lo = hi < 0 ? -1 : hexDigit(bytes[k + 2]!);
      if (lo >= 0) {
        out[j++] = (hi << 4) | lo;
        k += 2;
        continue;
      }
    }
    out[j++] = plusAsSpace && b === 0x2b ? 0x20 : b;
  }
  return utf8Decoder.decode(out.subarray(0, j));
}

/**
 * Canonical URI of a request path (no query): each `/`-separated segment percent-encoded, joined with `/`,
 * with a trailing `/` appended when absent. With `decodeSegments`, each segment is percent-decoded first
 * (for signers that sign the decoded path rather than the bytes on the wire).
 */
export function canonicalUri(path: string, decodeSegments = false): string {
  const length = path.length;
  let i = 0;
  // Fast path for paths with nothing to encode (the common case); stopping it early leaves the path to the loop
  // below, same answer.
  // Stryker disable next-line all: the fast path, as above
  for (; i < length; i++) {
    const c = path.charCodeAt(i);
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator,BooleanLiteral: the fast path, as above
    if (c !== 0x2f && !isUnreserved(c)) break;
  }
  let result: string;
  // Stryker disable next-line ConditionalExpression: the fast path, as above
  if (i === length) {
    result = path;
  } else {
    result = '';
    let start = 0;
    for (;;) {
      const slash = path.indexOf('/', start);
      const end = slash === -1 ? length : slash;
      const segment = path.slice(start, end);
      result += percentEncode(decodeSegments ? percentDecode(segment, false) : segment);
      if (slash === -1) break;
      result += '/';
      start = slash + 1;
    }
  }
  return result.charCodeAt(result.length - 1) === 0x2f ? result : result + '/';
}

/**
 * Canonical URI as the official Node SDK computes it for a request it then sends through axios.
 * The SDK signs `url.parse(endpoint).pathname` (legacy parser: escapes space " ' < > \ ^ ` { | } but leaves
 * non-ASCII raw), while the wire carries the WHATWG-serialised path (non-ASCII as UTF-8 %XX; ' ^ | raw).
 * From the wire we therefore rebuild: %XX of a non-ASCII byte → %XX (signed once), any other %XX → %25XX
 * (signed twice), raw ' ^ | → %25XX (escaped by url.parse, then encoded again), everything else encoded once.
 * Only needed when a single segment mixes those cases (e.g. a space and a non-ASCII character); the two plain
 * readings of canonicalUri cover the rest.
 */
export function canonicalUriNodeSdk(path: string): string {
  let out = '';
  const length = path.length;
  for (let i = 0; i < length; i++) {
    const c = path.charCodeAt(i);
    const byte = c === 0x25 ? escapedByte(path, i) : -1;
    if (c === 0x2f || isUnreserved(c)) {
      out += path[i];
    } else if (byte !== -1) {
      out += byte >= 0x80 ? '%' + HEX_UPPER[byte >> 4]! + HEX_UPPER[byte & 15]! : '%25' + path.slice(i + 1, i + 3);
      i += 2;
    } else if (c === 0x27 || c === 0x5e || c === 0x7c) {
      out += '%25' + HEX_UPPER[c >> 4]! + HEX_UPPER[c & 15]!;
    } else if (c >= 0xd800 && c < 0xdc00) {
      // a high surrogate and what follows it (nothing, at the end): one code point
      out += percentEncode(path.slice(i, i + 2));
      i++;
    } else {
      out += percentEncode(path[i]!);
    }
  }
  return out.charCodeAt(out.length - 1) === 0x2f ? out : out + '/';
}

/** A decoded query parameter: [name, value]. */
export type QueryPair = [name: string, value: string];

/** UTF-16 code-unit order, independent of locale. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePairs(a: QueryPair, b: QueryPair): number {
  const byName = compareStrings(a[0], b[0]);
  return byName !== 0 ? byName : compareStrings(a[1], b[1]);
}

/**
 * Canonical query from decoded pairs: sorted by name then value (the SDKs sort the *unencoded* strings),
 * each side percent-encoded, `name=value` joined by `&`. Sorts `pairs` in place.
 */
function canonicalQueryFromPairs(pairs: QueryPair[]): string {
  pairs.sort(comparePairs);
  let out = '';
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]!;
    if (i > 0) out += '&';
    out += percentEncode(pair[0]) + '=' + percentEncode(pair[1]);
  }
  return out;
}

/**
 * Splits a raw query string (without the leading `?`) into decoded pairs, the URLSearchParams way:
 * `&`-separated, empty pieces skipped, split at the first `=` (none means an empty value),
 * `+` read as a space, %XX decoded as UTF-8.
 */
export function parseQuery(rawQuery: string): QueryPair[] {
  const pairs: QueryPair[] = [];
  const length = rawQuery.length;
  let start = 0;
  // Stryker disable next-line EqualityOperator: from start = length on, the piece is empty and skipped
  while (start < length) {
    let end = rawQuery.indexOf('&', start);
    if (end === -1) end = length;
    if (end > start) {
      const piece = rawQuery.slice(start, end);
      const eq = piece.indexOf('=');
      pairs.push(eq === -1 ? [percentDecode(piece, true), ''] : [percentDecode(piece.slice(0, eq), true), percentDecode(piece.slice(eq + 1), true)]);
    }
    start = end + 1;
  }
  return pairs;
}

/** Canonical query of a raw (wire) query string without the leading `?`. */
export function canonicalQuery(rawQuery: string): string {
  return canonicalQueryFromPairs(parseQuery(rawQuery));
}

/** One line of the canonical headers block, including its terminating "\n". `name` must already be lowercase. */
export function canonicalHeaderLine(name: string, value: string): string {
  return name + ':' + value.trim() + '\n';
}

/** The six-line canonical request. `canonicalHeaders` is the block of header lines, which ends in "\n" itself. */
export function buildCanonicalRequest(
  method: string,
  canonicalUriValue: string,
  canonicalQueryValue: string,
  canonicalHeaders: string,
  signedHeaders: string,
  payloadHash: string,
): string {
  return method + '\n' + canonicalUriValue + '\n' + canonicalQueryValue + '\n' + canonicalHeaders + '\n' + signedHeaders + '\n' + payloadHash;
}

/** String to sign for SDK-HMAC-SHA256: algorithm, X-Sdk-Date, hex SHA-256 of the canonical request. */
export function stringToSign(sdkDate: string, canonicalRequestSha256: string): string {
  return SDK_HMAC_SHA256 + '\n' + sdkDate + '\n' + canonicalRequestSha256;
}

/** String to sign for V11-HMAC-SHA256: algorithm, X-Sdk-Date, `<YYYYMMDD>/<region>/<service>`, hex SHA-256 of the canonical request. */
export function stringToSignV11(sdkDate: string, info: string, canonicalRequestSha256: string): string {
  return V11_HMAC_SHA256 + '\n' + sdkDate + '\n' + info + '\n' + canonicalRequestSha256;
}

/** `YYYYMMDDTHHMMSSZ` in UTC. */
export function formatSdkDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Parses `YYYYMMDDTHHMMSSZ` (UTC) into epoch milliseconds; NaN when malformed or not a real calendar time. */
export function parseSdkDate(value: string): number {
  if (value.length !== 16 || value.charCodeAt(8) !== 0x54 /* T */ || value.charCodeAt(15) !== 0x5a /* Z */) return NaN;
  for (let i = 0; i < 15; i++) {
    if (i === 8) continue;
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return NaN;
  }
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(4, 6));
  const day = Number(value.slice(6, 8));
  const hour = Number(value.slice(9, 11));
  const minute = Number(value.slice(11, 13));
  const second = Number(value.slice(13, 15));
  if (month < 1 || month > 12 || minute > 59 || second > 59) return NaN;
  const millis = Date.UTC(year, month - 1, day, hour, minute, second);
  // A day that is not in the month (20240230, day 00) or hour 24 and later roll over into another day.
  if (new Date(millis).getUTCDate() !== day) return NaN;
  return millis;
}
