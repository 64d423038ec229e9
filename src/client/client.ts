import { signRequest, type Credentials } from './signer.js';

export interface ApiResponse<T = unknown> {
  status: number;
  requestId: string | null;
  headers: Headers;
  body: T;
}

/** A small signed-request client for poolkeeper (and ModelArts): used by the CLI, the tests and the benchmarks. */
export class PoolkeeperClient {
  constructor(
    readonly endpoint: string,
    private readonly credentials: Credentials,
    readonly projectId?: string,
  ) {}

  async request<T = unknown>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const url = new URL(path, this.endpoint);
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string> = { 'Content-Type': 'application/json', ...extraHeaders };
    if (this.projectId) headers['X-Project-Id'] = this.projectId;
    const signed = signRequest({ method, url, headers, ...(payload !== undefined ? { body: payload } : {}) }, this.credentials);
    const response = await fetch(url, { method, headers: signed, ...(payload !== undefined ? { body: payload } : {}) });
    const text = await response.text();
    let parsed: unknown = text;
    if (text !== '' && (response.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
    return { status: response.status, requestId: response.headers.get('x-request-id'), headers: response.headers, body: parsed as T };
  }
}
