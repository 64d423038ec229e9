/** The public docs and the explorer's files: what anonymous callers get, the caching and CSP headers, and how POOLKEEPER_PUBLIC_DOCS=0 closes them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestService, type TestService } from '../helpers/service.js';

interface ErrorBody {
  error_code: string;
  request_id?: string;
}

/** The script and stylesheet URLs of the explorer page (the page must carry no inline script). */
function assetsOf(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="(\/web\/assets\/[^"]+)"/g)].map((m) => m[1]!);
}

describe('public docs (the default)', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('serves the OpenAPI document without credentials, the same in JSON and YAML', async () => {
    const json = await fetch(`${t.url}/openapi.json`);
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = (await json.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.0.3');
    expect(Object.keys(doc.paths)).toContain('/v2/{project_id}/pools/{pool_name}/nodes/batch-update');
    const yaml = await fetch(`${t.url}/openapi.yaml`);
    expect(yaml.status).toBe(200);
    expect(yaml.headers.get('content-type')).toMatch(/^application\/yaml/);
    expect(parse(await yaml.text())).toEqual(doc);
  });

  it('serves the explorer page with a strict Content-Security-Policy, no inline script and no caching of the page', async () => {
    const page = await fetch(`${t.url}/explorer`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    for (const script of html.match(/<script\b[^>]*>/g) ?? []) expect(script).toMatch(/\bsrc="\/web\/assets\//);
    expect(html).not.toMatch(/<script\b[^>]*>[^<]+<\/script>/);
    expect(html).not.toMatch(/\son[a-z]+="/); // no inline event handlers
  });

  it('serves the page’s hashed assets as immutable, with their content types', async () => {
    const assets = assetsOf(await (await fetch(`${t.url}/explorer`)).text());
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    expect(assets.some((a) => a.endsWith('.css'))).toBe(true);
    for (const asset of assets) {
      expect(asset).toMatch(/-[A-Za-z0-9_-]{8}\.(js|css)$/);
      const res = await fetch(`${t.url}${asset}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('content-type')).toMatch(asset.endsWith('.js') ? /javascript/ : /text\/css/);
      await res.arrayBuffer();
    }
    expect((await fetch(`${t.url}/web/assets/missing-00000000.js`)).status).toBe(404);
  });

  it('redirects / to the explorer', async () => {
    const res = await fetch(`${t.url}/`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/explorer');
  });

  it('still refuses unsigned calls to the API and to /metrics', async () => {
    for (const path of [`/v2/${t.projectId}/pools`, `/v2/${t.projectId}/pools/${t.demoPool}/nodes`, '/metrics', '/_poolkeeper/v1/iam/users']) {
      const res = await fetch(`${t.url}${path}`);
      expect(res.status, path).toBe(401);
      expect(((await res.json()) as ErrorBody).error_code).toBe('APIGW.0301');
    }
  });
});

describe('POOLKEEPER_PUBLIC_DOCS=0', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService({ env: { POOLKEEPER_PUBLIC_DOCS: '0' } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers the docs, the explorer and its assets as the API does: 401 without credentials', async () => {
    const page = await t.client.request<string>('GET', '/explorer');
    const asset = assetsOf(page.body)[0]!;
    for (const path of ['/openapi.json', '/openapi.yaml', '/explorer', '/', asset]) {
      const res = await fetch(`${t.url}${path}`, { redirect: 'manual' });
      expect(res.status, path).toBe(401);
      const body = (await res.json()) as ErrorBody;
      expect(body.error_code).toBe('APIGW.0301');
      expect(body.request_id).toBe(res.headers.get('x-request-id'));
    }
  });

  it('serves them to signed callers, and the document no longer marks them security: []', async () => {
    const doc = await t.client.request<{ paths: Record<string, Record<string, { security?: unknown[] }>> }>('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    for (const path of ['/openapi.json', '/openapi.yaml', '/explorer']) expect(doc.body.paths[path]!.get!.security, path).toBeUndefined();
    expect(doc.body.paths['/healthz']!.get!.security).toEqual([]);
    const yaml = await t.client.request<string>('GET', '/openapi.yaml');
    expect(yaml.status).toBe(200);
    const page = await t.client.request<string>('GET', '/explorer');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});
