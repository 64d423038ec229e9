/**
 * Our client-side AK/SK signer (SDK-HMAC-SHA256), signing the way the official Huawei Cloud Node SDK does:
 * encoded path segments, sorted query, every header we send (plus Host and X-Sdk-Date) signed.
 */
import {
  EMPTY_BODY_SHA256,
  SDK_HMAC_SHA256,
  buildCanonicalRequest,
  canonicalHeaderLine,
  canonicalQuery,
  canonicalUri,
  formatSdkDate,
  hmacSha256Hex,
  sha256Hex,
  stringToSign,
} from '../signing/canonical-request.js';

export interface Credentials {
  accessKey: string;
  secretKey: string;
  securityToken?: string;
}

export interface RequestToSign {
  method: string;
  /** The URL the request is sent to; its pathname and search are signed exactly as they will go on the wire. */
  url: URL;
  headers: Record<string, string>;
  body?: string | Buffer;
}

const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

/** The method as fetch puts it on the wire: the six standard ones uppercased, anything else (e.g. `patch`) as given. */
function wireMethod(method: string): string {
  const upper = method.toUpperCase();
  return NORMALIZED_METHODS.has(upper) ? upper : method;
}

/**
 * Returns the headers to send: the input headers + X-Sdk-Date + Host + Authorization (+ X-Security-Token).
 * Every returned header except Authorization is signed. An X-Sdk-Date or Host already among the input headers is
 * kept and signed as given; an input Authorization is replaced; names differing only in case are merged (last wins).
 * An `X-Sdk-Content-Sha256` header (e.g. `UNSIGNED-PAYLOAD`) is used as the payload hash, as the SDKs do.
 */
export function signRequest(req: RequestToSign, creds: Credentials, now: Date = new Date()): Record<string, string> {
  const byLowerName = new Map<string, [name: string, value: string]>();
  for (const [name, value] of Object.entries(req.headers)) {
    const lower = name.toLowerCase();
    if (lower === 'authorization') continue;
    byLowerName.set(lower, [name, value]);
  }
  if (!byLowerName.has('x-sdk-date')) byLowerName.set('x-sdk-date', ['X-Sdk-Date', formatSdkDate(now)]);
  if (!byLowerName.has('host')) byLowerName.set('host', ['Host', req.url.host]);
  if (creds.securityToken !== undefined && creds.securityToken !== '') {
    byLowerName.set('x-security-token', ['X-Security-Token', creds.securityToken]);
  }

  const names = [...byLowerName.keys()].sort();
  let canonicalHeaders = '';
  for (const name of names) canonicalHeaders += canonicalHeaderLine(name, byLowerName.get(name)![1]);
  const signedHeaders = names.join(';');

  const contentSha256 = byLowerName.get('x-sdk-content-sha256')?.[1];
  const body = req.body;
  const payloadHash =
    contentSha256 !== undefined && contentSha256 !== ''
      ? contentSha256
      : body === undefined || body.length === 0
        ? EMPTY_BODY_SHA256
        : sha256Hex(body);

  const canonicalRequest = buildCanonicalRequest(
    wireMethod(req.method),
    canonicalUri(req.url.pathname),
    canonicalQuery(req.url.search.slice(1)),
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  );
  const sdkDate = byLowerName.get('x-sdk-date')![1].trim();
  const signature = hmacSha256Hex(creds.secretKey, stringToSign(sdkDate, canonicalRequest));

  const out: Record<string, string> = {};
  for (const [name, value] of byLowerName.values()) out[name] = value;
  out['Authorization'] = `${SDK_HMAC_SHA256} Access=${creds.accessKey}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return out;
}
