/** Sends one API call from the page, authenticated by the session, and reads what the explorer shows of the answer. */
import type { Session } from './session.js';
import { authorize } from './session.js';

export interface ApiCall {
  method: string;
  /** Path with parameters filled in (already percent-encoded), e.g. /v2/<project>/pools. */
  path: string;
  query?: ReadonlyArray<readonly [string, string]>;
  /** JSON text, sent exactly as given. */
  body?: string;
}

export interface ApiResult {
  status: number;
  requestId: string | null;
  operationId: string | null;
  durationMs: number;
  /** Parsed JSON, or undefined when the answer is empty or not JSON. */
  json: unknown;
  text: string;
  headers: Headers;
  error?: { code: string; message: string };
}

export function callUrl(origin: string, call: Pick<ApiCall, 'path' | 'query'>): URL {
  const url = new URL(call.path, origin);
  for (const [name, value] of call.query ?? []) url.searchParams.append(name, value);
  return url;
}

/** Sends `call` to this page's own origin; without a session the request carries no credentials. */
export async function sendCall(session: Session | null, call: ApiCall): Promise<ApiResult> {
  const url = callUrl(location.origin, call);
  const hasBody = call.body !== undefined && call.body !== '';
  const headers: Record<string, string> = hasBody ? { 'Content-Type': 'application/json' } : {};
  const signed = session ? await authorize(session, { method: call.method, url, headers, ...(hasBody ? { body: call.body! } : {}) }) : headers;
  const started = performance.now();
  const response = await fetch(url, { method: call.method, headers: signed, ...(hasBody ? { body: call.body! } : {}), credentials: 'omit', cache: 'no-store' });
  const text = await response.text();
  const durationMs = performance.now() - started;
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  const result: ApiResult = {
    status: response.status,
    requestId: response.headers.get('X-Request-Id'),
    operationId: response.headers.get('X-Operation-Id'),
    durationMs,
    json,
    text,
    headers: response.headers,
  };
  const error = json as { error_code?: unknown; error_msg?: unknown } | undefined;
  if (response.status >= 400 && error && typeof error.error_code === 'string') {
    result.error = { code: error.error_code, message: typeof error.error_msg === 'string' ? error.error_msg : '' };
  }
  return result;
}
