/**
 * AK/SK request signing (SDK-HMAC-SHA256) in the browser with Web Crypto. The canonical request is built by the very
 * code the server verifies with (src/signing); only the digests differ. The secret key is imported once as a
 * non-extractable HMAC key: after sign-in the page holds no copy of the secret key's text.
 */
import { stringToSign } from '../../src/signing/canonical-request.js';
import { canonicalRequestOf, payloadHashOf, planSignature, signedHeadersOf } from '../../src/signing/request-signing.js';

const utf8 = new TextEncoder();

function hex(bytes: ArrayBuffer): string {
  let out = '';
  for (const byte of new Uint8Array(bytes)) out += byte.toString(16).padStart(2, '0');
  return out;
}

async function sha256Hex(text: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', utf8.encode(text)));
}

/** Web Crypto exists only in secure contexts: https, or http on localhost / 127.0.0.1. */
export function canSignInBrowser(): boolean {
  return typeof crypto !== 'undefined' && crypto.subtle !== undefined;
}

export interface SigningKey {
  accessKey: string;
  /** HMAC-SHA256 keyed with the secret key; cannot be exported. */
  hmac: CryptoKey;
  securityToken?: string;
}

export async function importSigningKey(accessKey: string, secretKey: string, securityToken?: string): Promise<SigningKey> {
  const hmac = await crypto.subtle.importKey('raw', utf8.encode(secretKey), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return { accessKey, hmac, ...(securityToken ? { securityToken } : {}) };
}

export interface BrowserRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  /** Sent as UTF-8, exactly these characters. */
  body?: string;
}

/** The headers to send: the request's own, X-Sdk-Date, Host (signed, set by the browser) and Authorization. */
export async function signBrowserRequest(request: BrowserRequest, key: SigningKey, now: Date = new Date()): Promise<Record<string, string>> {
  const plan = planSignature(request, key.securityToken, now);
  const body = request.body ?? '';
  const bodyHash = body === '' ? '' : await sha256Hex(body);
  const canonicalRequest = canonicalRequestOf(plan, payloadHashOf(plan, body.length, () => bodyHash));
  const toSign = stringToSign(plan.sdkDate, await sha256Hex(canonicalRequest));
  const signature = hex(await crypto.subtle.sign('HMAC', key.hmac, utf8.encode(toSign)));
  const headers = signedHeadersOf(plan, key.accessKey, signature);
  // The browser sets Host itself (to the same value); fetch refuses it as a request header.
  delete headers['Host'];
  return headers;
}
