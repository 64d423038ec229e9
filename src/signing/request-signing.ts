/**
 * What an SDK-HMAC-SHA256 signer does besides hashing, the way the official Node SDK signs: every header sent
 * (plus Host and X-Sdk-Date) is signed, the path and query as they go on the wire. Shared by our Node client signer
 * (src/client/signer.ts) and the API Explorer's browser signer (web/lib/signer.ts), which each bring their digests.
 */
import {
  EMPTY_BODY_SHA256,
  SDK_HMAC_SHA256,
  buildCanonicalRequest,
  canonicalHeaderLine,
  canonicalQuery,
  canonicalUri,
  formatSdkDate,
} from './canonical-request.js';

export interface RequestToSign {
  method: string;
  /** The URL the request is sent to; its pathname and search are signed exactly as they will go on the wire. */
  url: URL;
  headers: Record<string, string>;
}

/** The request's headers and canonical parts, ready for the payload hash. */
export interface SigningPlan {
  /** Headers to send (lowercase name → [name as sent, value]), Authorization not yet among them. */
  headers: Map<string, [name: string, value: string]>;
  method: string;
  canonicalUri: string;
  canonicalQuery: string;
  canonicalHeaders: string;
  signedHeaders: string;
  sdkDate: string;
  /** An X-Sdk-Content-Sha256 header's value (e.g. UNSIGNED-PAYLOAD): used as the payload hash, as the SDKs do. */
  payloadHashOverride: string | undefined;
}

const NORMALIZED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

/** The method as fetch puts it on the wire: the six standard ones uppercased, anything else (e.g. `patch`) as given. */
function wireMethod(method: string): string {
  const upper = method.toUpperCase();
  return NORMALIZED_METHODS.has(upper) ? upper : method;
}

/**
 * Collects the headers to sign: the input headers + X-Sdk-Date + Host (+ X-Security-Token). An X-Sdk-Date or Host
 * already among the input headers is kept and signed as given; an input Authorization is dropped; names differing only
 * in case are merged (last wins).
 */
export function planSignature(req: RequestToSign, securityToken: string | undefined, now: Date): SigningPlan {
  const headers = new Map<string, [name: string, value: string]>();
  for (const [name, value] of Object.entries(req.headers)) {
    const lower = name.toLowerCase();
    if (lower === 'authorization') continue;
    headers.set(lower, [name, value]);
  }
  if (!headers.has('x-sdk-date')) headers.set('x-sdk-date', ['X-Sdk-Date', formatSdkDate(now)]);
  if (!headers.has('host')) headers.set('host', ['Host', req.url.host]);
  if (securityToken !== undefined && securityToken !== '') headers.set('x-security-token', ['X-Security-Token', securityToken]);

  const names = [...headers.keys()].sort();
  let canonicalHeaders = '';
  for (const name of names) canonicalHeaders += canonicalHeaderLine(name, headers.get(name)![1]);
  const override = headers.get('x-sdk-content-sha256')?.[1];
  return {
    headers,
    method: wireMethod(req.method),
    canonicalUri: canonicalUri(req.url.pathname),
    canonicalQuery: canonicalQuery(req.url.search.slice(1)),
    canonicalHeaders,
    signedHeaders: names.join(';'),
    sdkDate: headers.get('x-sdk-date')![1].trim(),
    // Stryker disable next-line ConditionalExpression: without the header, override is undefined either way
    payloadHashOverride: override !== undefined && override !== '' ? override : undefined,
  };
}

/** The payload hash the plan signs: the override, the empty-body hash, or `bodyHash()` of a non-empty body. */
export function payloadHashOf(plan: SigningPlan, bodyLength: number, bodyHash: () => string): string {
  if (plan.payloadHashOverride !== undefined) return plan.payloadHashOverride;
  return bodyLength === 0 ? EMPTY_BODY_SHA256 : bodyHash();
}

export function canonicalRequestOf(plan: SigningPlan, payloadHash: string): string {
  return buildCanonicalRequest(plan.method, plan.canonicalUri, plan.canonicalQuery, plan.canonicalHeaders, plan.signedHeaders, payloadHash);
}

/** The headers to send: every planned header plus Authorization with the signature. */
export function signedHeadersOf(plan: SigningPlan, accessKey: string, signature: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of plan.headers.values()) out[name] = value;
  out['Authorization'] = `${SDK_HMAC_SHA256} Access=${accessKey}, SignedHeaders=${plan.signedHeaders}, Signature=${signature}`;
  return out;
}
