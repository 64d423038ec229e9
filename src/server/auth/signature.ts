/**
 * Server-side verification of Huawei Cloud AK/SK signed requests (SDK-HMAC-SHA256 and derived V11-HMAC-SHA256).
 * The canonicalisation rules live in src/signing/canonical-request.ts, shared with our client signer.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  EMPTY_BODY_SHA256,
  SDK_HMAC_SHA256,
  UNSIGNED_PAYLOAD,
  V11_HMAC_SHA256,
  canonicalQuery,
  canonicalUri,
  canonicalUriNodeSdk,
  parseSdkDate,
  stringToSign,
  stringToSignV11,
} from '../../signing/canonical-request.js';
import { deriveV11SigningKey, sha256Hex } from '../../signing/node-crypto.js';

/** A rejected signature. `reason` is short human text for the client; it never contains the secret or the signature. */
export class SignatureError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'SignatureError';
  }
}

export interface SignedRequest {
  /** e.g. 'POST' */
  method: string;
  /** Path and optional query exactly as received on the wire (Node's req.url), e.g. '/v2/abc/pools?labelSelector=a%3Db'. */
  url: string;
  /** Node's IncomingHttpHeaders (lowercase names). */
  headers: Record<string, string | string[] | undefined>;
  /** Raw body bytes as received (undefined or empty: no body). */
  body: Buffer | undefined;
}

export type ParsedAuthorization =
  | { algorithm: 'SDK-HMAC-SHA256'; accessKey: string; signedHeaders: string[]; signature: string }
  | {
      algorithm: 'V11-HMAC-SHA256';
      accessKey: string;
      signedHeaders: string[];
      signature: string;
      date: string;
      region: string;
      service: string;
    };

const DEFAULT_MAX_SKEW_MILLIS = 15 * 60 * 1000;

const X_SDK_DATE = 'x-sdk-date';
const X_SDK_CONTENT_SHA256 = 'x-sdk-content-sha256';

/** RFC 7230 token characters, lowercase letters only (header names in SignedHeaders are lowercase). */
const TOKEN = new Uint8Array(128);
for (const ch of "abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-.^_`|~") TOKEN[ch.charCodeAt(0)] = 1;

function malformed(what: string): never {
  throw new SignatureError(`malformed Authorization header: ${what}`);
}

function parseSignedHeaders(value: string): string[] {
  if (value === '') malformed('SignedHeaders is empty');
  const names = value.split(';');
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!.toLowerCase();
    if (name === '') malformed('SignedHeaders contains an empty name');
    for (let j = 0; j < name.length; j++) {
      // a code past the table reads as undefined: not a token character
      if (TOKEN[name.charCodeAt(j)] !== 1) malformed('SignedHeaders contains an invalid header name');
    }
    names[i] = name;
  }
  return names;
}

/**
 * Parses `SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<h1;h2>, Signature=<hex>` or
 * `V11-HMAC-SHA256 Credential=<AK>/<YYYYMMDD>/<region>/<service>, SignedHeaders=..., Signature=...`.
 * Whitespace around the comma-separated parts is tolerated. Throws SignatureError when malformed.
 */
export function parseAuthorization(header: string): ParsedAuthorization {
  const text = header.trim();
  const space = text.indexOf(' ');
  if (space === -1) malformed('expected "<algorithm> <parameters>"');
  const algorithm = text.slice(0, space);
  if (algorithm !== SDK_HMAC_SHA256 && algorithm !== V11_HMAC_SHA256) {
    malformed(`unsupported algorithm (expected ${SDK_HMAC_SHA256} or ${V11_HMAC_SHA256})`);
  }
  const credentialName = algorithm === SDK_HMAC_SHA256 ? 'Access' : 'Credential';
  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  const parts = text.slice(space + 1).split(',');
  for (const rawPart of parts) {
    const part = rawPart.trim();
    const eq = part.indexOf('=');
    if (eq <= 0) malformed('expected comma-separated name=value parameters');
    const name = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (name === credentialName) {
      if (credential !== undefined) malformed(`duplicate ${name}`);
      credential = value;
    } else if (name === 'SignedHeaders') {
      if (signedHeaders !== undefined) malformed(`duplicate ${name}`);
      signedHeaders = value;
    } else if (name === 'Signature') {
      if (signature !== undefined) malformed(`duplicate ${name}`);
      signature = value;
    } else {
      malformed(`unexpected parameter ${JSON.stringify(name.slice(0, 32))}`);
    }
  }
  if (credential === undefined || credential === '') malformed(`${credentialName} is missing`);
  if (signedHeaders === undefined) malformed('SignedHeaders is missing');
  if (signature === undefined || signature === '') malformed('Signature is missing');
  const headers = parseSignedHeaders(signedHeaders);

  if (algorithm === SDK_HMAC_SHA256) {
    return { algorithm, accessKey: credential, signedHeaders: headers, signature };
  }
  const scope = credential.split('/');
  if (scope.length !== 4) malformed('Credential must be <AK>/<YYYYMMDD>/<region>/<service>');
  const [accessKey, date, region, service] = scope as [string, string, string, string];
  if (accessKey === '' || region === '' || service === '') malformed('Credential must be <AK>/<YYYYMMDD>/<region>/<service>');
  if (!/^[0-9]{8}$/.test(date)) malformed('the Credential date must be YYYYMMDD');
  return { algorithm, accessKey, signedHeaders: headers, signature, date, region, service };
}

/** One request header as a single string: repeated headers joined with ',' (each value trimmed). */
function headerValue(value: string | string[] | undefined): string | undefined {
  if (typeof value === 'string') return value;
  // anything else that is not an array (e.g. an inherited `constructor` of a plain headers object) counts as absent
  if (!Array.isArray(value)) return undefined;
  let joined = '';
  for (let i = 0; i < value.length; i++) joined += (i > 0 ? ',' : '') + String(value[i]).trim();
  return joined;
}

/**
 * The path and query of a request target: absolute-form (`http://host/path?q`, sent to proxies) is reduced to them.
 * Without a path (`http://host?q`) the path is empty, which signs as `/` just the same.
 */
function originForm(url: string): string {
  if (url.charCodeAt(0) === 0x2f /* '/' */) return url;
  const scheme = url.indexOf('://');
  if (scheme === -1) return url;
  let i = scheme + 3;
  // Stryker disable next-line EqualityOperator: past the end charCodeAt is NaN, which stops nothing, and the loop ends one later
  while (i < url.length && url.charCodeAt(i) !== 0x2f && url.charCodeAt(i) !== 0x3f /* '?' */) i++;
  return url.slice(i);
}

/** HKDF output per (AK, info), remembering the SK it was derived from so a rotated SK is never served stale. */
const derivedKeys = new Map<string, { secretKey: string; key: string }>();
const DERIVED_KEY_CACHE_SIZE = 1024;

function derivedSigningKey(accessKey: string, secretKey: string, info: string): string {
  // Stryker disable next-line StringLiteral: the info starts with an 8-digit date and '/', so no two AK and info pairs join alike
  const cacheKey = accessKey + '\n' + info;
  const hit = derivedKeys.get(cacheKey);
  // Stryker disable next-line ConditionalExpression: not using the cache derives the same key again
  if (hit !== undefined && hit.secretKey === secretKey) return hit.key;
  const key = deriveV11SigningKey(accessKey, secretKey, info);
  // Stryker disable all: the cache's bound limits memory, never the key returned
  if (hit === undefined && derivedKeys.size >= DERIVED_KEY_CACHE_SIZE) {
    const oldest = derivedKeys.keys().next();
    if (oldest.done !== true) derivedKeys.delete(oldest.value);
  }
  // Stryker restore all
  // Stryker disable next-line ObjectLiteral: an entry without its SK never matches, so the key is derived again
  derivedKeys.set(cacheKey, { secretKey, key });
  return key;
}

/** Constant-time comparison of the hex signature the client sent against the expected one. */
function signatureMatches(provided: Buffer, expectedHex: string): boolean {
  if (provided.length !== expectedHex.length) return false;
  // Stryker disable next-line StringLiteral: hex is ASCII, the same bytes in latin1 and in utf8 (the default)
  return timingSafeEqual(provided, Buffer.from(expectedHex, 'latin1'));
}

/**
 * Verifies the signature of `request` against `auth` (from parseAuthorization) with the access key's secret.
 * Returns normally when it matches; throws SignatureError(reason) otherwise.
 *
 * The canonical URI is accepted under any of three readings of the path: (a) the raw wire segments encoded
 * (our signer; the Node SDK for ASCII paths), (b) the percent-decoded segments encoded (the Go SDK, the Node SDK
 * for non-ASCII paths, anyone signing the path before encoding it for the wire), (c) the Node SDK's mix of the two
 * (see canonicalUriNodeSdk). (b) and (c) are computed only when the path contains `%` (or ' ^ | for (c)).
 */
export function verifySignature(
  request: SignedRequest,
  auth: ParsedAuthorization,
  secretKey: string,
  nowMillis: number,
  maxSkewMillis: number = DEFAULT_MAX_SKEW_MILLIS,
): void {
  const headers = request.headers;
  const signed = auth.signedHeaders;

  // X-Sdk-Date: present, signed, well-formed and close to our clock.
  if (!signed.includes(X_SDK_DATE)) throw new SignatureError('the X-Sdk-Date header must be listed in SignedHeaders');
  const sdkDate = headerValue(headers[X_SDK_DATE]);
  if (sdkDate === undefined) throw new SignatureError('the X-Sdk-Date header is missing');
  const requestTime = parseSdkDate(sdkDate);
  if (Number.isNaN(requestTime)) throw new SignatureError('the X-Sdk-Date header must be YYYYMMDDTHHMMSSZ (UTC)');
  if (Math.abs(nowMillis - requestTime) > maxSkewMillis) {
    throw new SignatureError(
      `the X-Sdk-Date is ${Math.round((requestTime - nowMillis) / 1000)} s away from the server time; the allowed clock skew is ${Math.round(maxSkewMillis / 1000)} s`,
    );
  }
  if (auth.algorithm === V11_HMAC_SHA256 && auth.date !== sdkDate.slice(0, 8)) {
    throw new SignatureError('the Credential date does not match the X-Sdk-Date day');
  }

  // Canonical headers, in SignedHeaders order.
  let canonicalHeaders = '';
  for (let i = 0; i < signed.length; i++) {
    const name = signed[i]!;
    const value = headerValue(headers[name]);
    if (value === undefined) throw new SignatureError(`the signed header ${name} is missing from the request`);
    canonicalHeaders += name + ':' + value.trim() + '\n';
  }

  // URI and query, from the request target as received.
  const target = originForm(request.url);
  const questionMark = target.indexOf('?');
  const path = questionMark === -1 ? target : target.slice(0, questionMark);
  const query = questionMark === -1 ? '' : canonicalQuery(target.slice(questionMark + 1));
  const uriAsSent = canonicalUri(path, false);
  // Alternative readings of the path, computed only for paths where they can differ from the wire reading (computing
  // one that cannot differ, or keeping one equal to another, gives the same answer: those mutants are disabled).
  let uriDecoded: string | undefined;
  let uriNodeSdk: string | undefined;
  // Stryker disable next-line StringLiteral: see above
  const hasPercent = path.includes('%');
  // Stryker disable next-line ConditionalExpression: see above
  if (hasPercent) {
    const decoded = canonicalUri(path, true);
    // Stryker disable next-line ConditionalExpression: see above
    if (decoded !== uriAsSent) uriDecoded = decoded;
  }
  // Stryker disable next-line ConditionalExpression,StringLiteral: see above
  if (hasPercent || path.includes("'") || path.includes('^') || path.includes('|')) {
    const nodeSdk = canonicalUriNodeSdk(path);
    // Stryker disable next-line ConditionalExpression,LogicalOperator: see above
    if (nodeSdk !== uriAsSent && nodeSdk !== uriDecoded) uriNodeSdk = nodeSdk;
  }

  // Payload hash.
  let payloadHash: string;
  if (headers[X_SDK_CONTENT_SHA256] === UNSIGNED_PAYLOAD) payloadHash = UNSIGNED_PAYLOAD;
  else if (request.body === undefined) payloadHash = EMPTY_BODY_SHA256;
  else payloadHash = sha256Hex(request.body);

  const tail = '\n' + query + '\n' + canonicalHeaders + '\n' + signed.join(';') + '\n' + payloadHash;
  // Stryker disable next-line StringLiteral: a non-ASCII signature mismatches in any encoding (its bytes are never hex digits)
  const provided = Buffer.from(auth.signature, 'latin1');

  let key: string;
  let info: string | undefined;
  if (auth.algorithm === SDK_HMAC_SHA256) {
    key = secretKey;
  } else {
    info = auth.date + '/' + auth.region + '/' + auth.service;
    key = derivedSigningKey(auth.accessKey, secretKey, info);
  }
  const expected = (uri: string): string => {
    const canonicalRequest = request.method + '\n' + uri + tail;
    const hash = sha256Hex(canonicalRequest);
    const toSign = info === undefined ? stringToSign(sdkDate, hash) : stringToSignV11(sdkDate, info, hash);
    return createHmac('sha256', key).update(toSign).digest('hex');
  };

  if (signatureMatches(provided, expected(uriAsSent))) return;
  for (const uri of [uriDecoded, uriNodeSdk]) {
    // Stryker disable next-line ConditionalExpression: trying an absent reading tries the URI "undefined", which no one signs
    if (uri === undefined) continue;
    if (signatureMatches(provided, expected(uri))) return;
  }
  throw new SignatureError('signature does not match');
}
