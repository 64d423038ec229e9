/**
 * Our client-side AK/SK signer (SDK-HMAC-SHA256), signing the way the official Huawei Cloud Node SDK does:
 * encoded path segments, sorted query, every header we send (plus Host and X-Sdk-Date) signed.
 */
import { stringToSign } from '../signing/canonical-request.js';
import { hmacSha256Hex, sha256Hex } from '../signing/node-crypto.js';
import { canonicalRequestOf, payloadHashOf, planSignature, signedHeadersOf, type RequestToSign as SignableRequest } from '../signing/request-signing.js';

export interface Credentials {
  accessKey: string;
  secretKey: string;
  securityToken?: string;
}

export interface RequestToSign extends SignableRequest {
  body?: string | Buffer;
}

/**
 * Returns the headers to send: the input headers + X-Sdk-Date + Host + Authorization (+ X-Security-Token).
 * Every returned header except Authorization is signed. An X-Sdk-Date or Host already among the input headers is
 * kept and signed as given; an input Authorization is replaced; names differing only in case are merged (last wins).
 * An `X-Sdk-Content-Sha256` header (e.g. `UNSIGNED-PAYLOAD`) is used as the payload hash, as the SDKs do.
 */
export function signRequest(req: RequestToSign, creds: Credentials, now: Date = new Date()): Record<string, string> {
  const plan = planSignature(req, creds.securityToken, now);
  const body = req.body;
  const payloadHash = payloadHashOf(plan, body?.length ?? 0, () => sha256Hex(body!));
  const canonicalRequest = canonicalRequestOf(plan, payloadHash);
  const signature = hmacSha256Hex(creds.secretKey, stringToSign(plan.sdkDate, sha256Hex(canonicalRequest)));
  return signedHeadersOf(plan, creds.accessKey, signature);
}
