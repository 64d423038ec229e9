import { signRequest, type Credentials } from './signer.js';

export interface ApiResponse<T = unknown> {
  status: number;
  requestId: string | null;
  headers: Headers;
  body: T;
}

/** How a client authenticates: an AK/SK pair (with the security token of temporary credentials), or an IAM token. */
export type ClientAuth = Credentials | { token: string };

/** The service did not answer at all: the message names the URL and the cause (e.g. `ECONNREFUSED`). */
export class ServiceUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly causeCode: string,
    detail: string,
  ) {
    super(`cannot reach the service at ${url}: ${detail}`);
  }
}

/** Turns fetch's bare `fetch failed` into the underlying cause: the code and message of the socket or DNS error. */
function unreachable(url: URL, error: unknown): ServiceUnreachableError | undefined {
  if (!(error instanceof TypeError)) return undefined;
  let cause: unknown = error.cause;
  // undici wraps some causes once more (an AggregateError for a host with several addresses).
  if (cause instanceof AggregateError && cause.errors.length > 0) cause = cause.errors[0];
  if (!(cause instanceof Error)) return undefined;
  const code = (cause as { code?: unknown }).code;
  if (typeof code !== 'string') return new ServiceUnreachableError(url.origin, 'EFETCH', cause.message);
  return new ServiceUnreachableError(url.origin, code, cause.message.includes(code) ? cause.message : `${code} (${cause.message})`);
}

/** fetch, with a failure to connect reported as ServiceUnreachableError (URL and cause) instead of `fetch failed`. */
export async function send(url: URL, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    throw unreachable(url, error) ?? error;
  }
}

/** A small signed-request client for poolkeeper (and ModelArts): used by the CLI, the tests and the benchmarks. */
export class PoolkeeperClient {
  constructor(
    readonly endpoint: string,
    private readonly auth: ClientAuth,
    readonly projectId?: string,
  ) {}

  async request<T = unknown>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const url = new URL(path, this.endpoint);
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string> = { 'Content-Type': 'application/json', ...extraHeaders };
    if (this.projectId) headers['X-Project-Id'] = this.projectId;
    const sent =
      'token' in this.auth
        ? { ...headers, 'X-Auth-Token': this.auth.token }
        : signRequest({ method, url, headers, ...(payload !== undefined ? { body: payload } : {}) }, this.auth);
    const response = await send(url, { method, headers: sent, ...(payload !== undefined ? { body: payload } : {}) });
    const text = await response.text();
    let parsed: unknown = text;
    if (text !== '' && (response.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
    return { status: response.status, requestId: response.headers.get('x-request-id'), headers: response.headers, body: parsed as T };
  }
}
