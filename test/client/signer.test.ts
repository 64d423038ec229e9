import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stringify } from 'node:querystring';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest, type Credentials } from '../../src/client/signer.js';
import { parseAuthorization, verifySignature, type SignedRequest } from '../../src/server/auth/signature.js';

const AK = 'HPUAEXAMPLEAK0000001';
const SK = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const PROJECT = '0b4c1a2d3e4f5a6b7c8d9e0f1a2b3c4d';
const ENDPOINT = 'https://modelarts.cn-north-4.myhuaweicloud.com:8443';
const SDK_DATE = '20240315T101530Z';
const NOW = new Date(Date.UTC(2024, 2, 15, 10, 15, 30));
const creds: Credentials = { accessKey: AK, secretKey: SK };

interface Case {
  name: string;
  method: string;
  path: string;
  queryParams?: Record<string, string | string[]>;
  headers: Record<string, string>;
  data?: unknown;
}

function officialAuthorization(c: Case): string {
  const signed = AKSKSigner.sign(
    { method: c.method, endpoint: ENDPOINT + c.path, queryParams: structuredClone(c.queryParams ?? {}), headers: { 'X-Sdk-Date': SDK_DATE, ...c.headers }, data: c.data },
    new BasicCredentials().withAk(AK).withSk(SK),
  ) as Record<string, string>;
  return signed['Authorization']!;
}

const cases: Case[] = [
  {
    name: 'POST with a JSON body',
    method: 'POST',
    path: `/v2/${PROJECT}/pools`,
    headers: { 'content-type': 'application/json', 'X-Project-Id': PROJECT },
    data: { metadata: { name: 'pool-1', labels: { 'os.modelarts/workspace.id': '0' } }, spec: { note: 'pööl 训练' } },
  },
  { name: 'GET with a signed content-type', method: 'GET', path: `/v2/${PROJECT}/pools/pool-1`, headers: { 'content-type': 'application/json' } },
  {
    name: 'GET with a query needing encoding',
    method: 'GET',
    path: `/v2/${PROJECT}/pools`,
    queryParams: { labelSelector: 'a=b,c d', '环境': ['生产', 'x/y', 'a+b'], Z: '1', limit: '10', marks: "!'()*~" },
    headers: { 'content-type': 'application/json' },
  },
  { name: 'an action path with a colon', method: 'POST', path: `/v2/${PROJECT}/pools/p1:batch-delete`, headers: { 'content-type': 'application/json' }, data: { names: ['n1'] } },
  { name: 'UNSIGNED-PAYLOAD', method: 'PUT', path: `/v2/${PROJECT}/blob`, headers: { 'content-type': 'application/octet-stream', 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' } },
  { name: 'a security token', method: 'GET', path: `/v2/${PROJECT}/pools`, headers: { 'X-Security-Token': 'sts-token' } },
];

describe('our signer produces exactly the Authorization of the official Node SDK signer', () => {
  it.each(cases)('$name', (c) => {
    const expected = officialAuthorization(c);
    const query = c.queryParams ? stringify(c.queryParams) : '';
    const body = c.data === undefined ? undefined : JSON.stringify(c.data);
    const headers = { ...c.headers };
    let ourCreds = creds;
    if (headers['X-Security-Token']) {
      ourCreds = { ...creds, securityToken: headers['X-Security-Token'] };
      delete headers['X-Security-Token'];
    }
    const sign = (url: URL) => signRequest({ method: c.method, url, headers, ...(body !== undefined ? { body } : {}) }, ourCreds, NOW)['Authorization'];

    expect(sign(new URL(ENDPOINT + c.path + (query ? '?' + query : '')))).toBe(expected);
    // the same parameters serialised by URLSearchParams (space as '+') sign the same
    if (c.queryParams) {
      const url = new URL(ENDPOINT + c.path);
      for (const [k, v] of Object.entries(c.queryParams)) for (const item of [v].flat()) url.searchParams.append(k, item);
      expect(url.search).toContain('+');
      expect(sign(url)).toBe(expected);
    }
  });
});

describe('signRequest', () => {
  const url = new URL(`${ENDPOINT}/v2/${PROJECT}/pools?limit=2`);

  it('returns the input headers plus X-Sdk-Date, Host and Authorization, signing all but Authorization', () => {
    const out = signRequest({ method: 'GET', url, headers: { 'Content-Type': 'application/json', 'X-Project-Id': PROJECT } }, creds, NOW);
    expect(Object.keys(out)).toEqual(['Content-Type', 'X-Project-Id', 'X-Sdk-Date', 'Host', 'Authorization']);
    expect(out['X-Sdk-Date']).toBe(SDK_DATE);
    expect(out['Host']).toBe('modelarts.cn-north-4.myhuaweicloud.com:8443');
    const auth = parseAuthorization(out['Authorization']!);
    expect(auth).toMatchObject({ algorithm: 'SDK-HMAC-SHA256', accessKey: AK, signedHeaders: ['content-type', 'host', 'x-project-id', 'x-sdk-date'] });
    expect(auth.signature).toMatch(/^[0-9a-f]{64}$/);
  });

  it('adds and signs X-Security-Token for temporary credentials', () => {
    const out = signRequest({ method: 'GET', url, headers: {} }, { ...creds, securityToken: 'tok' }, NOW);
    expect(out['X-Security-Token']).toBe('tok');
    expect(parseAuthorization(out['Authorization']!).signedHeaders).toEqual(['host', 'x-sdk-date', 'x-security-token']);
  });

  it('keeps a given X-Sdk-Date and Host, replaces a given Authorization and merges names differing in case', () => {
    const out = signRequest(
      { method: 'GET', url, headers: { 'x-sdk-date': '20240101T000000Z', host: 'example.test', authorization: 'old', 'content-type': 'a', 'Content-Type': 'b' } },
      creds,
      NOW,
    );
    expect(out['x-sdk-date']).toBe('20240101T000000Z');
    expect(out['host']).toBe('example.test');
    expect(out['authorization']).toBeUndefined();
    expect(out['Content-Type']).toBe('b');
    expect(out['content-type']).toBeUndefined();
    expect(parseAuthorization(out['Authorization']!).signedHeaders).toEqual(['content-type', 'host', 'x-sdk-date']);
  });

  it('uses the current time by default', () => {
    const before = Date.now();
    const out = signRequest({ method: 'GET', url, headers: {} }, creds);
    const date = out['X-Sdk-Date']!;
    const millis = Date.UTC(+date.slice(0, 4), +date.slice(4, 6) - 1, +date.slice(6, 8), +date.slice(9, 11), +date.slice(11, 13), +date.slice(13, 15));
    expect(Math.abs(millis - before)).toBeLessThan(5_000);
  });

  it('signs the method as fetch sends it (standard methods uppercased, others as given)', () => {
    const sig = (method: string) => signRequest({ method, url, headers: {} }, creds, NOW)['Authorization'];
    expect(sig('get')).toBe(sig('GET'));
    expect(sig('patch')).not.toBe(sig('PATCH'));
  });

  it('a Buffer body and the same string body sign the same', () => {
    const body = '{"a":"ü"}';
    const a = signRequest({ method: 'POST', url, headers: {}, body }, creds, NOW);
    const b = signRequest({ method: 'POST', url, headers: {}, body: Buffer.from(body) }, creds, NOW);
    expect(a['Authorization']).toBe(b['Authorization']);
    expect(signRequest({ method: 'POST', url, headers: {}, body: '' }, creds, NOW)['Authorization']).toBe(signRequest({ method: 'POST', url, headers: {} }, creds, NOW)['Authorization']);
  });
});

describe('signRequest + fetch on a real socket verify on the server', () => {
  const captured: Array<SignedRequest & { headers: IncomingHttpHeaders }> = [];
  let base = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      captured.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: body.length === 0 ? undefined : body });
      res.end();
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    { method: 'GET', path: `/v2/${PROJECT}/pools?labelSelector=a%3Db,c+d&%E7%8E%AF=x y&limit=5`, body: undefined },
    { method: 'GET', path: `/v2/${PROJECT}/pools/环境 1:x'^|`, body: undefined },
    { method: 'POST', path: `/v2/${PROJECT}/pools`, body: JSON.stringify({ name: 'pööl 训练' }) },
    { method: 'DELETE', path: `/v2/${PROJECT}/pools/p1`, body: undefined },
  ])('$method $path', async ({ method, path, body }) => {
    const url = new URL(path, base);
    const headers = signRequest({ method, url, headers: { 'Content-Type': 'application/json', 'X-Project-Id': PROJECT }, ...(body !== undefined ? { body } : {}) }, creds);
    const before = captured.length;
    await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
    const wire = captured[before]!;
    expect(() => verifySignature(wire, parseAuthorization(wire.headers.authorization!), SK, Date.now())).not.toThrow();
    expect(() => verifySignature({ ...wire, method: method === 'GET' ? 'HEAD' : 'GET' }, parseAuthorization(wire.headers.authorization!), SK, Date.now())).toThrow(
      'signature does not match',
    );
  });
});
