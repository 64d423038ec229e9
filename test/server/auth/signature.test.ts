import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stringify } from 'node:querystring';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import { DerivedAKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/DerivedAKSKSigner.js';
import { HKDF } from '@huaweicloud/huaweicloud-sdk-core/auth/HKDF.js';
import { HcClient } from '@huaweicloud/huaweicloud-sdk-core/HcClient.js';
import { DefaultHttpClient } from '@huaweicloud/huaweicloud-sdk-core/http/DefaultHttpClient.js';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../../src/client/signer.js';
import {
  parseAuthorization,
  SignatureError,
  verifySignature,
  type ParsedAuthorization,
  type SignedRequest,
} from '../../../src/server/auth/signature.js';
import fc from 'fast-check';
import { canonicalQuery, percentDecode, percentEncode } from '../../../src/signing/canonical-request.js';
import { deriveV11SigningKey } from '../../../src/signing/node-crypto.js';

const AK = 'HPUAEXAMPLEAK0000001';
const SK = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const PROJECT = '0b4c1a2d3e4f5a6b7c8d9e0f1a2b3c4d';
const ENDPOINT = 'https://modelarts.cn-north-4.myhuaweicloud.com';
const SDK_DATE = '20240315T101530Z';
const NOW = Date.UTC(2024, 2, 15, 10, 15, 30);
const MINUTE = 60_000;

function credential(): BasicCredentials {
  return new BasicCredentials().withAk(AK).withSk(SK).withProjectId(PROJECT);
}

interface OfficialSpec {
  method: string;
  path: string;
  queryParams?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  data?: unknown;
}

/** Wire form of a request signed with the official Node SDK signer, sent the way its axios client sends it. */
interface Wire extends SignedRequest {
  headers: IncomingHttpHeaders;
}

/**
 * Signs with the official AKSKSigner (or DerivedAKSKSigner) and builds what the server receives: axios puts the WHATWG
 * pathname of the endpoint and `querystring.stringify(queryParams)` on the wire, and sends JSON.stringify(data).
 */
function official(spec: OfficialSpec, signer: 'aksk' | 'derived' = 'aksk', cred: BasicCredentials = credential()): Wire {
  const endpoint = ENDPOINT + spec.path;
  const query = spec.queryParams ? stringify(spec.queryParams) : '';
  const url = new URL(endpoint).pathname + (query === '' ? '' : '?' + query);
  const request = {
    method: spec.method,
    endpoint,
    queryParams: spec.queryParams ? structuredClone(spec.queryParams) : {},
    headers: { 'X-Sdk-Date': SDK_DATE, ...spec.headers },
    data: spec.data,
  };
  const signed = (signer === 'aksk' ? AKSKSigner.sign(request, cred) : DerivedAKSKSigner.sign(request, cred)) as Record<string, string>;
  const headers: IncomingHttpHeaders = { accept: 'application/json', 'user-agent': 'huaweicloud-usdk-nodejs/3.0' };
  for (const [name, value] of Object.entries(signed)) headers[name.toLowerCase()] = value;
  const body = spec.data === undefined ? undefined : Buffer.from(JSON.stringify(spec.data), 'utf8');
  if (body) headers['content-length'] = String(body.length);
  return { method: spec.method, url, headers, body };
}

function verify(wire: SignedRequest, now = NOW, secretKey = SK, maxSkew?: number): void {
  const header = wire.headers['authorization'];
  if (typeof header !== 'string') throw new Error('unsigned');
  verifySignature(wire, parseAuthorization(header), secretKey, now, maxSkew);
}

function rejection(wire: SignedRequest, now = NOW, secretKey = SK): string {
  try {
    verify(wire, now, secretKey);
  } catch (error) {
    if (error instanceof SignatureError) return error.reason;
    throw error;
  }
  throw new Error('expected the signature to be rejected');
}

const jsonPost: OfficialSpec = {
  method: 'POST',
  path: `/v2/${PROJECT}/pools`,
  headers: { 'content-type': 'application/json', 'X-Project-Id': PROJECT },
  data: { apiVersion: 'v2', kind: 'Pool', metadata: { labels: { 'os.modelarts/name': 'pool-1' } }, spec: { resources: [{ flavor: 'modelarts.vm.cpu.8u', count: 2 }] } },
};

describe('requests signed by the official Node SDK signer verify', () => {
  it('POST with a JSON body and a content-type', () => {
    const wire = official(jsonPost);
    expect(wire.headers['authorization']).toMatch(/^SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=[0-9a-f]{64}$/);
    expect(() => verify(wire)).not.toThrow();
  });

  it('GET with a signed Content-Type and no body', () => {
    const wire = official({ method: 'GET', path: `/v2/${PROJECT}/pools/pool-1`, headers: { 'content-type': 'application/json' } });
    expect(parseAuthorization(wire.headers['authorization'] as string).signedHeaders).toContain('content-type');
    expect(wire.body).toBeUndefined();
    expect(() => verify(wire)).not.toThrow();
    expect(() => verify({ ...wire, body: Buffer.alloc(0) })).not.toThrow();
  });

  it('DELETE without any extra header', () => {
    expect(() => verify(official({ method: 'DELETE', path: `/v2/${PROJECT}/pools/pool-1` }))).not.toThrow();
  });

  it.each<[string, Record<string, string | string[]>]>([
    ['spaces, = and ,', { labelSelector: 'os.modelarts/name=pool 1,team in (a b)' }],
    ['unicode values and keys', { '环境': '生产 环境', name: 'pööl' }],
    ['slashes', { path: '/a/b/c', prefix: 'x/' }],
    ['plus, percent, ampersand, hash, question mark', { q: 'a+b%20c&d=e#f?g', t: '2024-03-15T10:15:30+08:00' }],
    ['repeated keys (arrays), sorted by value', { status: ['running', 'abnormal', 'creating'] }],
    ['key order differs between raw and encoded (Z < a < ~ < 环境 raw; %E7 < Z encoded)', { a: '1', Z: '2', '环境': '3', '~x': '4', 'a b': '5', 'a-b': '6' }],
    ['empty values and RFC 3986 reserved characters', { empty: '', marks: "!'()*", limit: '10', continue: 'eyJvZmZzZXQiOjEwfQ==' }],
  ])('query strings needing encoding: %s', (_name, queryParams) => {
    const wire = official({ method: 'GET', path: `/v2/${PROJECT}/pools`, queryParams, headers: { 'content-type': 'application/json' } });
    expect(wire.url).toContain('?');
    expect(() => verify(wire)).not.toThrow();
  });

  it.each([
    ['a colon (action-style path)', `/v2/${PROJECT}/pools/pool-1:batch-delete`],
    ['a space', `/v2/${PROJECT}/pools/pool 1`],
    ['unicode', `/v2/${PROJECT}/pools/环境`],
    ['a pre-encoded %3A', `/v2/${PROJECT}/pools/a%3Ab`],
    ['a space and unicode in one segment', `/v2/${PROJECT}/pools/a b:c环境%3A`],
    ["' ^ | (escaped by the SDK's legacy url.parse, raw on the wire)", `/v2/${PROJECT}/pools/a'b^c|d`],
    ['sub-delims', `/v2/${PROJECT}/pools/a@b!c$d&e(f)g*h+i,j;k=l`],
    ['a trailing slash', `/v2/${PROJECT}/pools/`],
  ])('path segments needing encoding: %s', (_name, path) => {
    const wire = official({ method: 'GET', path, headers: { 'content-type': 'application/json' } });
    expect(() => verify(wire)).not.toThrow();
  });

  it('a body with non-ASCII characters', () => {
    const wire = official({ ...jsonPost, data: { description: 'pööl für 训练 🚀', emoji: '\u{1F600}', quote: '"\\\n' } });
    expect(wire.body!.length).toBeGreaterThan(JSON.stringify(wire.body!.toString()).length - 20); // multi-byte UTF-8
    expect(() => verify(wire)).not.toThrow();
  });

  it('X-Security-Token (temporary credentials) signed as a header', () => {
    const cred = credential().withSecurityToken('sts-token-value');
    const wire = official({ ...jsonPost, headers: { ...jsonPost.headers, 'X-Security-Token': 'sts-token-value' } }, 'aksk', cred);
    expect(parseAuthorization(wire.headers['authorization'] as string).signedHeaders).toContain('x-security-token');
    expect(() => verify(wire)).not.toThrow();
  });

  it('a signed header repeated on the wire is verified with its values joined by ","', () => {
    const wire = official({ method: 'GET', path: `/v2/${PROJECT}/pools`, headers: { 'x-tag': 'a,b' } });
    expect(() => verify({ ...wire, headers: { ...wire.headers, 'x-tag': ['a', ' b '] } })).not.toThrow();
    expect(rejection({ ...wire, headers: { ...wire.headers, 'x-tag': ['b', 'a'] } })).toBe('signature does not match');
  });

  it('signed header values are trimmed', () => {
    const wire = official({ method: 'GET', path: `/v2/${PROJECT}/pools`, headers: { 'x-tag': 'a b' } });
    expect(() => verify({ ...wire, headers: { ...wire.headers, 'x-tag': ' \ta b  ' } })).not.toThrow();
    expect(rejection({ ...wire, headers: { ...wire.headers, 'x-tag': 'a  b' } })).toBe('signature does not match');
  });

  it('an absolute-form request target (as sent to a proxy) is reduced to its path and query', () => {
    const wire = official({ method: 'GET', path: `/v2/${PROJECT}/pools`, queryParams: { limit: '5' } });
    expect(() => verify({ ...wire, url: ENDPOINT + wire.url })).not.toThrow();
    const root = official({ method: 'GET', path: '/', queryParams: { limit: '5' } });
    expect(() => verify({ ...root, url: ENDPOINT + '?limit=5' })).not.toThrow();
    expect(rejection({ ...root, url: ENDPOINT + '/x?limit=5' })).toBe('signature does not match');
    const bare = official({ method: 'GET', path: '' });
    expect(() => verify({ ...bare, url: ENDPOINT })).not.toThrow();
    expect(() => verify({ ...bare, url: '/' })).not.toThrow();
  });

  it('a path containing :// is a path, not an absolute-form target', () => {
    const wire = official({ method: 'GET', path: `/v2/${PROJECT}/pools/a://b` });
    expect(wire.url).toBe(`/v2/${PROJECT}/pools/a://b`);
    expect(() => verify(wire)).not.toThrow();
  });
});

describe('end to end through the official SDK client (HcClient → axios → a real socket)', () => {
  type Captured = SignedRequest & { headers: IncomingHttpHeaders };
  const captured: Captured[] = [];
  let endpoint = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      captured.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: body.length === 0 ? undefined : body });
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function send(
    options: { method: string; url: string; pathParams?: Record<string, string>; queryParams?: Record<string, unknown>; data?: Record<string, unknown>; contentType?: string },
    cred: BasicCredentials = credential(),
  ): Promise<Captured> {
    const client = new HcClient(new DefaultHttpClient({}, [endpoint])).withCredential(cred).withEndpoints([endpoint]);
    const before = captured.length;
    await client.sendRequest({
      method: options.method,
      url: options.url,
      pathParams: options.pathParams ?? {},
      queryParams: options.queryParams ?? {},
      headers: {},
      contentType: options.contentType ?? 'application/json',
      ...(options.data ? { data: options.data } : {}),
    });
    expect(captured.length).toBe(before + 1);
    return captured[before]!;
  }

  it('GET with path parameters and a query needing encoding', async () => {
    const wire = await send({
      method: 'GET',
      url: '/v2/{project_id}/pools/{pool_name}/nodes',
      pathParams: { pool_name: 'pool 环境:1' },
      queryParams: { labelSelector: 'a=b,c d', '环境': ['z', 'y/x', 'a+b'], limit: 10 },
    });
    expect(wire.url).toMatch(/^\/v2\/0b4c1a2d3e4f5a6b7c8d9e0f1a2b3c4d\/pools\/pool%20%E7%8E%AF%E5%A2%83:1\/nodes\?/);
    expect(() => verify(wire, Date.now())).not.toThrow();
  });

  it('POST with a non-ASCII JSON body', async () => {
    const wire = await send({ method: 'POST', url: '/v2/{project_id}/pools', data: { metadata: { name: 'pööl-训练' } } });
    expect(wire.headers['content-type']).toBe('application/json');
    expect(() => verify(wire, Date.now())).not.toThrow();
    expect(rejection({ ...wire, body: Buffer.from(wire.body!.toString().replace('pööl', 'pool')) }, Date.now())).toBe('signature does not match');
  });

  it('a non-JSON content type is sent with X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD', async () => {
    const wire = await send({ method: 'POST', url: '/v2/{project_id}/pools', data: { a: 1 }, contentType: 'text/plain' });
    expect(wire.headers['x-sdk-content-sha256']).toBe('UNSIGNED-PAYLOAD');
    expect(() => verify(wire, Date.now())).not.toThrow();
  });

  it('derived (V11-HMAC-SHA256) signing', async () => {
    const cred = credential().withDerivedPredicate(() => true);
    cred.processDerivedAuthParams('modelarts', 'cn-north-4');
    const wire = await send({ method: 'GET', url: '/v2/{project_id}/pools', queryParams: { limit: 3 } }, cred);
    expect(wire.headers['authorization']).toMatch(/^V11-HMAC-SHA256 Credential=HPUAEXAMPLEAK0000001\/\d{8}\/cn-north-4\/modelarts, /);
    expect(() => verify(wire, Date.now())).not.toThrow();
  });
});

describe('derived signing (V11-HMAC-SHA256, DerivedAKSKSigner)', () => {
  function derivedCredential(region = 'cn-north-4', service = 'modelarts'): BasicCredentials {
    const cred = credential();
    cred.processDerivedAuthParams(service, region);
    return cred;
  }

  it('our HKDF key derivation equals the SDK HKDF (hex string of HKDF-SHA256(SK, salt AK, info))', () => {
    for (const info of ['20240315/cn-north-4/modelarts', '20991231/ap-southeast-1/iam', '']) {
      expect(deriveV11SigningKey(AK, SK, info)).toBe(HKDF.getDerKeySHA256(AK, SK, info));
    }
    expect(deriveV11SigningKey(AK, SK, 'x')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('requests signed by DerivedAKSKSigner verify', () => {
    const wire = official({ ...jsonPost, queryParams: { '环境': 'a b' } }, 'derived', derivedCredential());
    const auth = parseAuthorization(wire.headers['authorization'] as string);
    expect(auth).toMatchObject({ algorithm: 'V11-HMAC-SHA256', accessKey: AK, date: '20240315', region: 'cn-north-4', service: 'modelarts' });
    expect(() => verify(wire)).not.toThrow();
    // the derived key cache must not return a key derived from another SK
    expect(rejection(wire, NOW, SK + 'x')).toBe('signature does not match');
    expect(() => verify(wire)).not.toThrow();
  });

  it('an SDK-HMAC-SHA256 signature does not verify as V11 and vice versa', () => {
    const derived = official(jsonPost, 'derived', derivedCredential());
    const plain = official(jsonPost);
    const plainSignature = parseAuthorization(plain.headers['authorization'] as string).signature;
    const v11 = parseAuthorization(derived.headers['authorization'] as string);
    expect(() => verifySignature(derived, { ...v11, signature: plainSignature }, SK, NOW)).toThrow(SignatureError);
  });

  it('rejects a changed region or service in the Credential, and a Credential date other than the X-Sdk-Date day', () => {
    const wire = official(jsonPost, 'derived', derivedCredential());
    const header = wire.headers['authorization'] as string;
    for (const forged of [
      header.replace('/cn-north-4/', '/cn-north-1/'),
      header.replace('/modelarts,', '/iam,'),
    ]) {
      expect(rejection({ ...wire, headers: { ...wire.headers, authorization: forged } })).toBe('signature does not match');
    }
    const otherDay = header.replace('/20240315/', '/20240314/');
    expect(rejection({ ...wire, headers: { ...wire.headers, authorization: otherDay } })).toMatch(/Credential date/);
  });
});

describe('Go-SDK-style requests (user-agent signed, no host, decoded path signed)', () => {
  // An independent re-implementation of the Go SDK's rules, so a shared bug in our helpers cannot hide here.
  const escape = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  function goSign(method: string, rawPath: string, query: Record<string, string>, headers: Record<string, string>, body: string) {
    const names = Object.keys(headers).map((h) => h.toLowerCase()).sort();
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    const canonical = [
      method,
      rawPath.split('/').map(escape).join('/') + '/',
      Object.keys(query).sort().map((k) => `${escape(k)}=${escape(query[k]!)}`).join('&'),
      names.map((n) => `${n}:${lower[n]!.trim()}`).join('\n') + '\n',
      names.join(';'),
      createHash('sha256').update(body).digest('hex'),
    ].join('\n');
    const toSign = `SDK-HMAC-SHA256\n${lower['x-sdk-date']!}\n${createHash('sha256').update(canonical).digest('hex')}`;
    const signature = createHmac('sha256', SK).update(toSign).digest('hex');
    return `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  }

  it('verifies a Go-style signature (raw path and query signed; wire percent-encoded by net/url, + as %20)', () => {
    const headers = { 'User-Agent': 'huaweicloud-usdk-go/3.0', 'X-Sdk-Date': SDK_DATE, 'X-Project-Id': PROJECT };
    const body = '{"name":"环境"}\n';
    const authorization = goSign('POST', `/v2/${PROJECT}/pools/pool:环境 1`, { labelSelector: 'a=b c', '环境': 'x+y' }, headers, body);
    const wire: SignedRequest = {
      method: 'POST',
      url: `/v2/${PROJECT}/pools/pool:%E7%8E%AF%E5%A2%83%201?labelSelector=a%3Db%20c&%E7%8E%AF%E5%A2%83=x%2By`,
      headers: { 'user-agent': 'huaweicloud-usdk-go/3.0', 'x-sdk-date': SDK_DATE, 'x-project-id': PROJECT, host: 'localhost:8080', authorization },
      body: Buffer.from(body),
    };
    expect(parseAuthorization(authorization).signedHeaders).toEqual(['user-agent', 'x-project-id', 'x-sdk-date']);
    expect(() => verify(wire)).not.toThrow();
    expect(rejection({ ...wire, headers: { ...wire.headers, 'user-agent': 'curl/8' } })).toBe('signature does not match');
  });

  it('a literal + in the wire query means a space (as fastify parses it); %2B means a plus', () => {
    const headers = { 'X-Sdk-Date': SDK_DATE };
    const wire = (url: string, authorization: string): SignedRequest => ({ method: 'GET', url, headers: { 'x-sdk-date': SDK_DATE, authorization }, body: undefined });
    const signedSpace = goSign('GET', '/v2/p', { q: 'a b' }, headers, '');
    const signedPlus = goSign('GET', '/v2/p', { q: 'a+b' }, headers, '');
    expect(() => verify(wire('/v2/p?q=a+b', signedSpace))).not.toThrow();
    expect(() => verify(wire('/v2/p?q=a%20b', signedSpace))).not.toThrow();
    expect(() => verify(wire('/v2/p?q=a%2Bb', signedPlus))).not.toThrow();
    expect(rejection(wire('/v2/p?q=a+b', signedPlus))).toBe('signature does not match');
    expect(rejection(wire('/v2/p?q=a%2Bb', signedSpace))).toBe('signature does not match');
  });

  it('a key-only parameter is a key with an empty value; a + in a key is a space', () => {
    const headers = { 'X-Sdk-Date': SDK_DATE };
    const wire = (url: string, authorization: string): SignedRequest => ({ method: 'GET', url, headers: { 'x-sdk-date': SDK_DATE, authorization }, body: undefined });
    const signed = goSign('GET', '/v2/p', { 'a b': '1', dryrun: '' }, headers, '');
    expect(() => verify(wire('/v2/p?a+b=1&dryrun', signed))).not.toThrow();
    expect(() => verify(wire('/v2/p?dryrun=&a%20b=1', signed))).not.toThrow();
    expect(rejection(wire('/v2/p?a%2Bb=1&dryrun', signed))).toBe('signature does not match');
    expect(rejection(wire('/v2/p?a+b=1', signed))).toBe('signature does not match');
  });

  it('an asterisk-form target (OPTIONS *) is signed as the path *', () => {
    const headers = { 'X-Sdk-Date': SDK_DATE };
    const authorization = goSign('OPTIONS', '*', {}, headers, '');
    expect(() => verify({ method: 'OPTIONS', url: '*', headers: { 'x-sdk-date': SDK_DATE, authorization }, body: undefined })).not.toThrow();
  });

  it('verifies the same Go-style header set signed by our signer (SignedHeaders taken from the header only)', () => {
    const url = new URL(`http://localhost:8080/v2/${PROJECT}/pools?limit=2`);
    const signed = signRequest({ method: 'GET', url, headers: { 'User-Agent': 'huaweicloud-usdk-go/3.0', 'X-Sdk-Date': SDK_DATE } }, { accessKey: AK, secretKey: SK });
    // drop host from what was signed, as the Go SDK does: re-sign with an explicit header set via the independent signer
    const authorization = goSign('GET', url.pathname, { limit: '2' }, { 'User-Agent': signed['User-Agent']!, 'X-Sdk-Date': signed['X-Sdk-Date']! }, '');
    const wire: SignedRequest = { method: 'GET', url: url.pathname + url.search, headers: { 'user-agent': 'huaweicloud-usdk-go/3.0', 'x-sdk-date': SDK_DATE, host: 'elsewhere:1', authorization }, body: undefined };
    expect(() => verify(wire)).not.toThrow();
    // and our signer's own signature (which includes host) verifies too
    const ours: SignedRequest = { method: 'GET', url: url.pathname + url.search, headers: lowercase(signed), body: undefined };
    expect(parseAuthorization(signed['Authorization']!).signedHeaders).toEqual(['host', 'user-agent', 'x-sdk-date']);
    expect(() => verify(ours)).not.toThrow();
    expect(rejection({ ...ours, headers: { ...ours.headers, host: 'elsewhere:1' } })).toBe('signature does not match');
  });
});

function lowercase(headers: Record<string, string>): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

describe('tampering is rejected', () => {
  const base = official({
    method: 'POST',
    path: `/v2/${PROJECT}/pools/pool-1/nodes/batch-delete`,
    queryParams: { dryRun: 'false', labelSelector: 'team=a b' },
    headers: { 'content-type': 'application/json', 'X-Project-Id': PROJECT, 'X-Request-Tag': 'abc' },
    data: { deleteNodeNames: ['node-1', 'node-2'] },
  });

  it('the untouched request verifies', () => {
    expect(() => verify(base)).not.toThrow();
  });

  it.each<[string, Partial<SignedRequest>]>([
    ['method', { method: 'PUT' }],
    ['method case', { method: 'post' }],
    ['path', { url: base.url.replace('pool-1', 'pool-2') }],
    ['path (extra segment)', { url: base.url.replace('/nodes/', '/nodes/x/') }],
    ['query value', { url: base.url.replace('dryRun=false', 'dryRun=true') }],
    ['added query param', { url: base.url + '&force=true' }],
    ['removed query param', { url: base.url.replace(/&?dryRun=false/, '') }],
    ['query dropped entirely', { url: base.url.slice(0, base.url.indexOf('?')) }],
    ['body byte', { body: Buffer.from(base.body!.toString().replace('node-2', 'node-3')) }],
    ['body removed', { body: undefined }],
    ['body extended', { body: Buffer.concat([base.body!, Buffer.from(' ')]) }],
  ])('changed %s', (_name, change) => {
    expect(rejection({ ...base, ...change })).toBe('signature does not match');
  });

  it('each signed header value', () => {
    const signed = parseAuthorization(base.headers['authorization'] as string).signedHeaders;
    expect(signed).toEqual(['content-type', 'host', 'x-project-id', 'x-request-tag', 'x-sdk-date']);
    for (const name of signed) {
      if (name === 'x-sdk-date') continue; // covered below (a changed date is a different signed time)
      const value = base.headers[name] as string;
      expect(rejection({ ...base, headers: { ...base.headers, [name]: value + 'x' } }), name).toBe('signature does not match');
    }
    const laterDate = '20240315T101531Z';
    expect(rejection({ ...base, headers: { ...base.headers, 'x-sdk-date': laterDate } })).toBe('signature does not match');
  });

  it('unsigned headers may change', () => {
    expect(() => verify({ ...base, headers: { ...base.headers, accept: '*/*', 'user-agent': 'other', 'x-other': '1' } })).not.toThrow();
  });

  it('the clock: ±14 minutes accepted, ±16 minutes rejected with a clock-skew reason', () => {
    expect(() => verify(base, NOW + 14 * MINUTE)).not.toThrow();
    expect(() => verify(base, NOW - 14 * MINUTE)).not.toThrow();
    expect(() => verify(base, NOW + 15 * MINUTE)).not.toThrow();
    expect(rejection(base, NOW + 16 * MINUTE)).toMatch(/clock skew/);
    expect(rejection(base, NOW - 16 * MINUTE)).toMatch(/clock skew/);
    expect(() => verify(base, NOW + 4 * MINUTE, SK, 5 * MINUTE)).not.toThrow();
    expect(() => verify(base, NOW + 6 * MINUTE, SK, 5 * MINUTE)).toThrow(/clock skew/);
  });

  it('the clock-skew reason gives the distance and the allowed skew in seconds', () => {
    expect(rejection(base, NOW + 15 * MINUTE + 1)).toBe('the X-Sdk-Date is -900 s away from the server time; the allowed clock skew is 900 s');
    expect(rejection(base, NOW - 20 * MINUTE)).toBe('the X-Sdk-Date is 1200 s away from the server time; the allowed clock skew is 900 s');
    expect(() => verify(base, NOW - 15 * MINUTE)).not.toThrow();
  });

  it('a malformed X-Sdk-Date is refused for its format', () => {
    for (const date of [
      '2024-03-15T10:15:30Z',
      '20240315T101530',
      '20240315T101530X',
      '20240315X101530Z',
      '20241315T101530Z',
      '20240230T101530Z',
      '20240315T251530Z',
      '2024031aT101530Z',
      '',
    ]) {
      expect(rejection({ ...base, headers: { ...base.headers, 'x-sdk-date': date } }), date).toBe('the X-Sdk-Date header must be YYYYMMDDTHHMMSSZ (UTC)');
    }
  });

  it.each([
    ['New Year, midnight', Date.UTC(2024, 0, 1, 0, 0, 0)],
    ['New Year\'s Eve, 23:59:59', Date.UTC(2024, 11, 31, 23, 59, 59)],
    ['the 1st of a month', Date.UTC(2025, 5, 1, 12, 0, 0)],
    ['29 February', Date.UTC(2024, 1, 29, 23, 30, 0)],
    ['nines everywhere', Date.UTC(2029, 8, 19, 19, 59, 59)],
  ])('a request signed at any real time verifies: %s', (_name, millis) => {
    const url = new URL(`http://127.0.0.1:9710/v2/${PROJECT}/pools`);
    const signed = signRequest({ method: 'GET', url, headers: {} }, { accessKey: AK, secretKey: SK }, new Date(millis));
    const wire: SignedRequest = { method: 'GET', url: url.pathname, headers: lowercase(signed), body: undefined };
    expect(() => verify(wire, millis)).not.toThrow();
    expect(() => verify(wire, millis + 15 * MINUTE)).not.toThrow();
    expect(rejection(wire, millis + 16 * MINUTE)).toMatch(/^the X-Sdk-Date is -960 s away/);
  });

  it('a signed header listed but missing names the header', () => {
    const headers = { ...base.headers };
    delete headers['x-request-tag'];
    expect(rejection({ ...base, headers })).toMatch(/x-request-tag/);
    const noHost = { ...base.headers };
    delete noHost.host;
    expect(rejection({ ...base, headers: noHost })).toMatch(/\bhost\b/);
  });

  it('SignedHeaders naming Object.prototype members is a missing header, not a crash', () => {
    for (const name of ['constructor', '__proto__', 'tostring', 'hasownproperty']) {
      const auth = parseAuthorization(`SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=${name};x-sdk-date, Signature=${'0'.repeat(64)}`);
      expect(() => verifySignature({ ...base, headers: { ...base.headers } }, auth, SK, NOW), name).toThrow(new SignatureError(`the signed header ${name} is missing from the request`));
    }
  });

  it('X-Sdk-Date missing or not listed in SignedHeaders', () => {
    const headers = { ...base.headers };
    delete headers['x-sdk-date'];
    expect(rejection({ ...base, headers })).toBe('the X-Sdk-Date header is missing');

    // a request whose SignedHeaders omit x-sdk-date (signed consistently otherwise) is still refused
    const unsignedDate = goStyleWithout('x-sdk-date');
    expect(rejection(unsignedDate)).toBe('the X-Sdk-Date header must be listed in SignedHeaders');
  });

  it('the wrong secret key', () => {
    expect(rejection(base, NOW, 'not-the-secret')).toBe('signature does not match');
    expect(rejection(base, NOW, SK.slice(0, -1))).toBe('signature does not match');
  });

  it('a wrong-length, non-hex or uppercase signature is a mismatch, not a crash', () => {
    const auth = parseAuthorization(base.headers['authorization'] as string);
    for (const signature of [auth.signature.slice(0, 63), auth.signature + '0', auth.signature.toUpperCase(), 'z'.repeat(64), 'é'.repeat(64), '0']) {
      expect(() => verifySignature(base, { ...auth, signature }, SK, NOW), signature).toThrow(new SignatureError('signature does not match'));
    }
  });

  it('the access key is not part of what is verified against the secret, but a different one signs differently', () => {
    const auth = parseAuthorization(base.headers['authorization'] as string);
    // the caller looks the SK up by AK; verifying with the right SK under another AK name still matches (AK is not signed for SDK-HMAC-SHA256)
    expect(() => verifySignature(base, { ...auth, accessKey: 'OTHER' }, SK, NOW)).not.toThrow();
  });

  it('rejection reasons never contain the secret or the signature', () => {
    const auth = parseAuthorization(base.headers['authorization'] as string);
    const reasons = [
      rejection(base, NOW, 'not-the-secret'),
      rejection(base, NOW + 20 * MINUTE),
      rejection({ ...base, method: 'GET' }),
    ];
    for (const reason of reasons) {
      expect(reason).not.toContain(SK);
      expect(reason).not.toContain(auth.signature);
    }
  });
});

/** A request signed over an explicit header list (by the independent routine below) that leaves out `omit`. */
function goStyleWithout(omit: string): SignedRequest {
  const headers: Record<string, string> = { 'user-agent': 'go', 'x-sdk-date': SDK_DATE };
  const names = Object.keys(headers).filter((n) => n !== omit).sort();
  const canonical = ['GET', '/v2/', '', names.map((n) => `${n}:${headers[n]}`).join('\n') + '\n', names.join(';'), createHash('sha256').update('').digest('hex')].join('\n');
  const toSign = `SDK-HMAC-SHA256\n${SDK_DATE}\n${createHash('sha256').update(canonical).digest('hex')}`;
  const signature = createHmac('sha256', SK).update(toSign).digest('hex');
  return { method: 'GET', url: '/v2', headers: { ...headers, authorization: `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=${names.join(';')}, Signature=${signature}` }, body: undefined };
}

describe('parseAuthorization', () => {
  const sig = 'a'.repeat(64);

  it('throws SignatureError, named so in logs', () => {
    let caught: unknown;
    try {
      parseAuthorization('Bearer abc');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SignatureError);
    expect((caught as SignatureError).name).toBe('SignatureError');
  });

  it('tolerates whitespace around the whole header', () => {
    expect(parseAuthorization(` \tSDK-HMAC-SHA256 Access=AK1, SignedHeaders=x-sdk-date, Signature=${sig}\t `)).toEqual({
      algorithm: 'SDK-HMAC-SHA256',
      accessKey: 'AK1',
      signedHeaders: ['x-sdk-date'],
      signature: sig,
    });
  });

  it('parses both algorithms, tolerating whitespace after commas', () => {
    expect(parseAuthorization(`SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature=${sig}`)).toEqual({
      algorithm: 'SDK-HMAC-SHA256',
      accessKey: 'AK1',
      signedHeaders: ['host', 'x-sdk-date'],
      signature: sig,
    });
    expect(parseAuthorization(`SDK-HMAC-SHA256 Access=AK1,SignedHeaders=x-sdk-date,Signature=${sig}`).signedHeaders).toEqual(['x-sdk-date']);
    expect(parseAuthorization(`SDK-HMAC-SHA256   Access=AK1 ,  SignedHeaders=X-Sdk-Date ,\tSignature=${sig} `).signedHeaders).toEqual(['x-sdk-date']);
    expect(parseAuthorization(`V11-HMAC-SHA256 Credential=AK2/20240315/cn-north-4/modelarts, SignedHeaders=host;x-sdk-date, Signature=${sig}`)).toEqual({
      algorithm: 'V11-HMAC-SHA256',
      accessKey: 'AK2',
      signedHeaders: ['host', 'x-sdk-date'],
      signature: sig,
      date: '20240315',
      region: 'cn-north-4',
      service: 'modelarts',
    });
  });

  const credentialShape = 'Credential must be <AK>/<YYYYMMDD>/<region>/<service>';
  const unsupported = 'unsupported algorithm (expected SDK-HMAC-SHA256 or V11-HMAC-SHA256)';
  const notParameters = 'expected comma-separated name=value parameters';
  it.each([
    ['empty', '', 'expected "<algorithm> <parameters>"'],
    ['algorithm only', 'SDK-HMAC-SHA256', 'expected "<algorithm> <parameters>"'],
    ['another scheme', `Bearer abc`, unsupported],
    ['AWS', `AWS4-HMAC-SHA256 Credential=AK/20240315/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=${sig}`, unsupported],
    ['lowercase algorithm', `sdk-hmac-sha256 Access=AK, SignedHeaders=x-sdk-date, Signature=${sig}`, unsupported],
    ['missing Access', `SDK-HMAC-SHA256 SignedHeaders=x-sdk-date, Signature=${sig}`, 'Access is missing'],
    ['empty Access', `SDK-HMAC-SHA256 Access=, SignedHeaders=x-sdk-date, Signature=${sig}`, 'Access is missing'],
    ['missing SignedHeaders', `SDK-HMAC-SHA256 Access=AK, Signature=${sig}`, 'SignedHeaders is missing'],
    ['empty SignedHeaders', `SDK-HMAC-SHA256 Access=AK, SignedHeaders=, Signature=${sig}`, 'SignedHeaders is empty'],
    ['empty name in SignedHeaders', `SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;;x-sdk-date, Signature=${sig}`, 'SignedHeaders contains an empty name'],
    ['trailing ; in SignedHeaders', `SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date;, Signature=${sig}`, 'SignedHeaders contains an empty name'],
    ['invalid name in SignedHeaders', `SDK-HMAC-SHA256 Access=AK, SignedHeaders=host x-sdk-date, Signature=${sig}`, 'SignedHeaders contains an invalid header name'],
    ['non-ASCII name in SignedHeaders', `SDK-HMAC-SHA256 Access=AK, SignedHeaders=hést;x-sdk-date, Signature=${sig}`, 'SignedHeaders contains an invalid header name'],
    ['missing Signature', `SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date`, 'Signature is missing'],
    ['empty Signature', `SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=`, 'Signature is missing'],
    ['unknown parameter', `SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=${sig}, Extra=1`, 'unexpected parameter "Extra"'],
    ['unknown parameter with a long name (shown cut to 32 characters)', `SDK-HMAC-SHA256 Access=AK, ${'N'.repeat(40)}=1, SignedHeaders=x-sdk-date, Signature=${sig}`, `unexpected parameter "${'N'.repeat(32)}"`],
    ['parameter names are case-sensitive', `SDK-HMAC-SHA256 access=AK, SignedHeaders=x-sdk-date, Signature=${sig}`, 'unexpected parameter "access"'],
    ['duplicate Access', `SDK-HMAC-SHA256 Access=AK, Access=AK2, SignedHeaders=x-sdk-date, Signature=${sig}`, 'duplicate Access'],
    ['duplicate SignedHeaders', `SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, SignedHeaders=host;x-sdk-date, Signature=${sig}`, 'duplicate SignedHeaders'],
    ['duplicate Signature', `SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=${sig}, Signature=${sig}`, 'duplicate Signature'],
    ['duplicate Credential', `V11-HMAC-SHA256 Credential=AK/20240315/r/s, Credential=AK/20240315/r/s, SignedHeaders=x-sdk-date, Signature=${sig}`, 'duplicate Credential'],
    ['parameter without =', `SDK-HMAC-SHA256 Access=AK, SignedHeaders, Signature=${sig}`, notParameters],
    ['parameter without a name', `SDK-HMAC-SHA256 Access=AK, =x-sdk-date, Signature=${sig}`, notParameters],
    ['trailing comma', `SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=${sig},`, notParameters],
    ['Credential on SDK-HMAC-SHA256', `SDK-HMAC-SHA256 Credential=AK/20240315/r/s, SignedHeaders=x-sdk-date, Signature=${sig}`, 'unexpected parameter "Credential"'],
    ['Access on V11', `V11-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date, Signature=${sig}`, 'unexpected parameter "Access"'],
    ['V11 without a Credential', `V11-HMAC-SHA256 SignedHeaders=x-sdk-date, Signature=${sig}`, 'Credential is missing'],
    ['V11 Credential with 3 parts', `V11-HMAC-SHA256 Credential=AK/20240315/cn-north-4, SignedHeaders=x-sdk-date, Signature=${sig}`, credentialShape],
    ['V11 Credential with 5 parts', `V11-HMAC-SHA256 Credential=AK/20240315/cn-north-4/modelarts/x, SignedHeaders=x-sdk-date, Signature=${sig}`, credentialShape],
    ['V11 Credential with an empty access key', `V11-HMAC-SHA256 Credential=/20240315/cn-north-4/modelarts, SignedHeaders=x-sdk-date, Signature=${sig}`, credentialShape],
    ['V11 Credential with an empty region', `V11-HMAC-SHA256 Credential=AK/20240315//modelarts, SignedHeaders=x-sdk-date, Signature=${sig}`, credentialShape],
    ['V11 Credential with an empty service', `V11-HMAC-SHA256 Credential=AK/20240315/cn-north-4/, SignedHeaders=x-sdk-date, Signature=${sig}`, credentialShape],
    ['V11 Credential date with dashes', `V11-HMAC-SHA256 Credential=AK/2024-03-15/cn-north-4/modelarts, SignedHeaders=x-sdk-date, Signature=${sig}`, 'the Credential date must be YYYYMMDD'],
    ['V11 Credential date with a letter', `V11-HMAC-SHA256 Credential=AK/2024031a/cn-north-4/modelarts, SignedHeaders=x-sdk-date, Signature=${sig}`, 'the Credential date must be YYYYMMDD'],
    ['V11 Credential date with a colon (the code after 9)', `V11-HMAC-SHA256 Credential=AK/2024031:/cn-north-4/modelarts, SignedHeaders=x-sdk-date, Signature=${sig}`, 'the Credential date must be YYYYMMDD'],
    ['V11 Credential date with a dot (a code before 0)', `V11-HMAC-SHA256 Credential=AK/2024031./cn-north-4/modelarts, SignedHeaders=x-sdk-date, Signature=${sig}`, 'the Credential date must be YYYYMMDD'],
    ['V11 Credential date of 7 digits', `V11-HMAC-SHA256 Credential=AK/2024031/cn-north-4/modelarts, SignedHeaders=x-sdk-date, Signature=${sig}`, 'the Credential date must be YYYYMMDD'],
    ['V11 Credential date of 9 digits', `V11-HMAC-SHA256 Credential=AK/202403150/cn-north-4/modelarts, SignedHeaders=x-sdk-date, Signature=${sig}`, 'the Credential date must be YYYYMMDD'],
    ['V11 Credential with an empty date', `V11-HMAC-SHA256 Credential=AK//cn-north-4/modelarts, SignedHeaders=x-sdk-date, Signature=${sig}`, 'the Credential date must be YYYYMMDD'],
  ])('rejects a malformed header, saying why: %s', (_name, header, why) => {
    expect(() => parseAuthorization(header)).toThrow(new SignatureError(`malformed Authorization header: ${why}`));
  });

  it('accepts every RFC 7230 token character in SignedHeaders names, lowercased', () => {
    const name = "a-z0-9!#$%&'*+.^_`|~";
    const upper = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    expect(parseAuthorization(`SDK-HMAC-SHA256 Access=AK, SignedHeaders=${name};${upper}, Signature=${sig}`).signedHeaders).toEqual([name, upper.toLowerCase()]);
  });

  it('accepts V11 Credential dates made of any digits', () => {
    for (const date of ['20291231', '19990909', '00000000']) {
      expect(parseAuthorization(`V11-HMAC-SHA256 Credential=AK/${date}/r/s, SignedHeaders=x-sdk-date, Signature=${sig}`)).toMatchObject({ accessKey: 'AK', date, region: 'r', service: 's' });
    }
  });
});

describe('UNSIGNED-PAYLOAD', () => {
  const spec: OfficialSpec = {
    method: 'PUT',
    path: `/v2/${PROJECT}/objects/blob`,
    headers: { 'content-type': 'application/octet-stream', 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' },
    data: { ignored: true },
  };

  it('a request signed with UNSIGNED-PAYLOAD verifies whatever the body', () => {
    const wire = official(spec);
    expect(wire.headers['x-sdk-content-sha256']).toBe('UNSIGNED-PAYLOAD');
    expect(() => verify(wire)).not.toThrow();
    expect(() => verify({ ...wire, body: Buffer.from('something else entirely') })).not.toThrow();
    expect(() => verify({ ...wire, body: undefined })).not.toThrow();
  });

  it('the x-sdk-content-sha256 header is still signed: removing it or changing it is rejected', () => {
    const wire = official(spec);
    const headers = { ...wire.headers };
    delete headers['x-sdk-content-sha256'];
    expect(rejection({ ...wire, headers })).toMatch(/x-sdk-content-sha256/);
    expect(rejection({ ...wire, headers: { ...wire.headers, 'x-sdk-content-sha256': 'unsigned-payload' } })).toBe('signature does not match');
  });

  it('adding UNSIGNED-PAYLOAD to a request signed over its body is rejected', () => {
    const wire = official(jsonPost);
    expect(rejection({ ...wire, headers: { ...wire.headers, 'x-sdk-content-sha256': 'UNSIGNED-PAYLOAD' } })).toBe('signature does not match');
  });

  it('a hex X-Sdk-Content-Sha256 is not trusted: the body is hashed', () => {
    const body = JSON.stringify({ a: 1 });
    const wire = official({ ...jsonPost, data: { a: 1 }, headers: { ...jsonPost.headers, 'X-Sdk-Content-Sha256': createHash('sha256').update(body).digest('hex') } });
    expect(() => verify(wire)).not.toThrow();
    expect(rejection({ ...wire, body: Buffer.from(JSON.stringify({ a: 2 })) })).toBe('signature does not match');
  });
});

describe('our signer against the verifier', () => {
  it('header values with surrounding spaces are signed trimmed, as the verifier reads them', () => {
    const url = new URL(`http://127.0.0.1:9710/v2/${PROJECT}/pools`);
    const signed = signRequest({ method: 'GET', url, headers: { 'X-Tag': '  a b \t' } }, { accessKey: AK, secretKey: SK }, new Date(NOW));
    expect(signed['X-Tag']).toBe('  a b \t');
    const wire: SignedRequest = { method: 'GET', url: url.pathname, headers: lowercase(signed), body: undefined };
    expect(() => verify(wire)).not.toThrow();
    expect(() => verify({ ...wire, headers: { ...wire.headers, 'x-tag': 'a b' } })).not.toThrow();
  });

  it('a key-only query parameter and a + in a query key are signed as the verifier reads them', () => {
    for (const query of ['?a=1&dryrun', '?dryrun&a=1', '?a+b=1', '?a%2Bb=c+d&a+b=2']) {
      const url = new URL(`http://127.0.0.1:9710/v2/${PROJECT}/pools${query}`);
      const signed = signRequest({ method: 'GET', url, headers: {} }, { accessKey: AK, secretKey: SK }, new Date(NOW));
      const wire: SignedRequest = { method: 'GET', url: url.pathname + url.search, headers: lowercase(signed), body: undefined };
      expect(() => verify(wire), query).not.toThrow();
    }
  });

  it('round trips for a variety of requests', () => {
    const creds = { accessKey: AK, secretKey: SK };
    const cases: Array<{ method: string; url: string; headers?: Record<string, string>; body?: string }> = [
      { method: 'GET', url: `${ENDPOINT}/v2/${PROJECT}/pools` },
      { method: 'GET', url: `${ENDPOINT}/v2/${PROJECT}/pools?labelSelector=a%3Db&limit=5&continue=` },
      { method: 'GET', url: `${ENDPOINT}/v2/${PROJECT}/pools/环境 1:x%3A?q=a+b&r=%E7%8E%AF&s=x y` },
      { method: 'POST', url: `${ENDPOINT}/v2/${PROJECT}/pools`, headers: { 'Content-Type': 'application/json' }, body: '{"name":"pööl"}' },
      { method: 'DELETE', url: `http://127.0.0.1:8080/v2/${PROJECT}/pools/p1`, headers: { 'X-Project-Id': PROJECT } },
    ];
    for (const c of cases) {
      const url = new URL(c.url);
      const signed = signRequest({ method: c.method, url, headers: c.headers ?? {}, ...(c.body !== undefined ? { body: c.body } : {}) }, creds, new Date(NOW));
      const wire: SignedRequest = { method: c.method, url: url.pathname + url.search, headers: lowercase(signed), body: c.body === undefined ? undefined : Buffer.from(c.body) };
      expect(() => verify(wire), c.url).not.toThrow();
      expect(rejection({ ...wire, url: wire.url.replace('/v2/', '/v3/') }), c.url).toBe('signature does not match');
    }
  });
});

it('parsed authorization type is exported for callers', () => {
  const parsed: ParsedAuthorization = parseAuthorization(`SDK-HMAC-SHA256 Access=A, SignedHeaders=x-sdk-date, Signature=${'0'.repeat(64)}`);
  expect(parsed.algorithm).toBe('SDK-HMAC-SHA256');
});

describe('percent-encoding helpers (shared with the client signer)', () => {
  const reference = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

  it('percentEncode equals encodeURIComponent with !\'()* escaped too, for any well-formed string', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => percentEncode(s) === reference(s)));
    fc.assert(fc.property(fc.string({ unit: 'binary' }).filter((s) => !/[\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))), (s) => percentEncode(s) === reference(s)));
    expect(percentEncode('a b/c~d_e.f-g+h%i环🚀')).toBe('a%20b%2Fc~d_e.f-g%2Bh%25i%E7%8E%AF%F0%9F%9A%80');
  });

  it('percentDecode matches URLSearchParams (plus as space, malformed escapes kept, bad UTF-8 as U+FFFD)', () => {
    // raw (unescaped) characters are kept ASCII here: Node's URLSearchParams mis-decodes a raw non-ASCII character
    // that follows an invalid escape ('%8Eé' gives two U+FFFD); the WHATWG rule (UTF-8 bytes, then decode) gives '\uFFFDé'.
    const viaUrlSearchParams = (s: string) => new URLSearchParams('k=' + s.replace(/&/g, '%26').replace(/#/g, '%23')).get('k');
    fc.assert(
      fc.property(fc.array(fc.constantFrom('%', '%2', '%25', '%3a', '%3A', '%E7', '%8E', '%AF', '%ff', '+', 'a', '%zz', '%F0%9F%9A%80', ' ', '=')), (parts) => {
        const s = parts.join('');
        return percentDecode(s, true) === viaUrlSearchParams(s);
      }),
    );
    expect(percentDecode('a+b%2Bc%e7%8e%af%', true)).toBe('a b+c环%');
    expect(percentDecode('a+b%20', false)).toBe('a+b ');
    expect(percentDecode('%8Eé环%E7%8E%AF', true)).toBe('\uFFFDé环环');
  });

  it('canonicalQuery sorts decoded pairs and re-encodes them', () => {
    expect(canonicalQuery('b=2&a=3&a=1&c&&=x&%E7%8E%AF=%20&Z=z+z')).toBe('=x&Z=z%20z&a=1&a=3&b=2&c=&%E7%8E%AF=%20');
    expect(canonicalQuery('')).toBe('');
  });
});
