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
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch === '-' || ch === '_' || ch === '.' || ch === '~') {
    UNRESERVED[c] = 1;
  }
}
const HEX_UPPER = '0123456789ABCDEF';

function isUnreserved(code: number): boolean {
  return code < 128 && UNRESERVED[code] === 1;
}

/**
 * Percent-encodes `value` as UTF-8, keeping only A-Za-z0-9-_.~ (uppercase hex digits), exactly like the
 * official SDK signers. A lone surrogate is encoded as U+FFFD (the SDKs would refuse to sign it at all).
 */
export function percentEncode(value: string): string {
  const length = value.length;
  let i = 0;
  while (i < length && isUnreserved(value.charCodeAt(i))) i++;
  if (i === length) return value;
  // ASCII-only values (the usual case) are escaped without encoding to UTF-8 bytes.
  let out = value.slice(0, i);
  for (; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128) return out + percentEncodeUtf8(value.slice(i));
    out += UNRESERVED[c] === 1 ? value[i]! : ESCAPED[c]!;
  }
  return out;
}

/** `%XX` for every byte value, uppercase hex. */
const ESCAPED: string[] = [];
for (let b = 0; b < 256; b++) ESCAPED.push('%' + HEX_UPPER[b >> 4]! + HEX_UPPER[b & 15]!);

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

function percentEncodeUtf8(value: string): string {
  const bytes = utf8.encode(value);
  let out = '';
  for (let k = 0; k < bytes.length; k++) {
    const b = bytes[k]!;
    out += b < 128 && UNRESERVED[b] === 1 ? String.fromCharCode(b) : ESCAPED[b]!;
  }
  return out;
}

function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/**
 * Decodes %XX escapes (and `+` as a space when `plusAsSpace`), then reads the bytes as UTF-8 with U+FFFD for
 * malformed sequences: the WHATWG URLSearchParams behaviour. A `%` not followed by two hex digits stays literal.
 */
export function percentDecode(value: string, plusAsSpace: boolean): string {
  const length = value.length;
  let i = 0;
  for (; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25 || (plusAsSpace && c === 0x2b)) break;
  }
  if (i === length) return value;
  // Decode in JS while the escapes stay ASCII; the first escape of a non-ASCII byte switches to byte decoding.
  let out = value.slice(0, i);
  for (; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25 && i + 2 < length) {
      const hi = hexDigit(value.charCodeAt(i + 1));
      const lo = hi < 0 ? -1 : hexDigit(value.charCodeAt(i + 2));
      if (lo >= 0) {
        const byte = (hi << 4) | lo;
        if (byte >= 0x80) return out + percentDecodeUtf8(value.slice(i), plusAsSpace);
        out += String.fromCharCode(byte);
        i += 2;
        continue;
      }
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
    if (b === 0x25 && k + 2 < bytes.length) {
      const hi = hexDigit(bytes[k + 1]!);
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
  for (; i < length; i++) {
    const c = path.charCodeAt(i);
    if (c !== 0x2f && !isUnreserved(c)) break;
  }
  let result: string;
  if (i === length) {
    result = path; // nothing to encode (the common case)
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
    if (c === 0x2f || isUnreserved(c)) {
      out += path[i];
    } else if (c === 0x25 && i + 2 < length && hexDigit(path.charCodeAt(i + 1)) >= 0 && hexDigit(path.charCodeAt(i + 2)) >= 0) {
      const byte = (hexDigit(path.charCodeAt(i + 1)) << 4) | hexDigit(path.charCodeAt(i + 2));
      out += byte >= 0x80 ? '%' + HEX_UPPER[byte >> 4]! + HEX_UPPER[byte & 15]! : '%25' + path.slice(i + 1, i + 3);
      i += 2;
    } else if (c === 0x27 || c === 0x5e || c === 0x7c) {
      out += '%25' + HEX_UPPER[c >> 4]! + HEX_UPPER[c & 15]!;
    } else if (c >= 0xd800 && c < 0xdc00 && i + 1 < length) {
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

function comparePairs(a: QueryPair, b: QueryPair): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return 0;
}

/**
 * Canonical query from decoded pairs: sorted by name then value (the SDKs sort the *unencoded* strings),
 * each side percent-encoded, `name=value` joined by `&`. Sorts `pairs` in place.
 */
export function canonicalQueryFromPairs(pairs: QueryPair[]): string {
  if (pairs.length > 1) pairs.sort(comparePairs);
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
  while (start < length) {
    let end = rawQuery.indexOf('&', start);
    if (end === -1) end = length;
    if (end > start) {
      const eq = rawQuery.indexOf('=', start);
      if (eq === -1 || eq > end) {
        pairs.push([percentDecode(rawQuery.slice(start, end), true), '']);
      } else {
        pairs.push([percentDecode(rawQuery.slice(start, eq), true), percentDecode(rawQuery.slice(eq + 1, end), true)]);
      }
    }
    start = end + 1;
  }
  return pairs;
}

/** Canonical query of a raw (wire) query string without the leading `?`. */
export function canonicalQuery(rawQuery: string): string {
  if (rawQuery === '') return '';
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
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return NaN;
  const millis = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(millis).getUTCDate() !== day) return NaN; // e.g. 20240230
  return millis;
}
