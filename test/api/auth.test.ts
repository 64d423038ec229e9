import { request as httpRequest } from 'node:http';
import { stringify } from 'node:querystring';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import { DerivedAKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/DerivedAKSKSigner.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PoolkeeperClient } from '../../src/client/client.js';
import { signRequest } from '../../src/client/signer.js';
import { formatSdkDate } from '../../src/signing/canonical-request.js';
import { IamService } from '../../src/service/iam.js';
import { ManualClock, startTestService, TEST_AK, TEST_SK, type TestService } from '../helpers/service.js';

interface ErrorBody {
  error_code: string;
  error_msg: string;
  request_id?: string;
}

const clock = new ManualClock();
let t: TestService;
let iam: IamService;
let accountId: string;

/** Sends a request signed by the official Node SDK signer (basic or derived), as its HTTP client would. */
async function official(
  signer: 'basic' | 'derived',
  cred: BasicCredentials,
  method: string,
  path: string,
  options: { query?: Record<string, string>; data?: unknown; headers?: Record<string, string> } = {},
) {
  const request = {
    method,
    endpoint: `${t.url}${path}`,
    queryParams: options.query ?? {},
    headers: { 'X-Sdk-Date': formatSdkDate(new Date(clock.now())), 'Content-Type': 'application/json', ...options.headers },
    data: options.data,
  };
  const headers = (signer === 'basic' ? AKSKSigner.sign(request, cred) : DerivedAKSKSigner.sign(request, cred)) as Record<string, string>;
  const query = options.query ? `?${stringify(options.query)}` : '';
  const res = await fetch(`${t.url}${path}${query}`, { method, headers, ...(options.data !== undefined ? { body: JSON.stringify(options.data) } : {}) });
  return { status: res.status, body: (await res.json()) as ErrorBody & Record<string, unknown> };
}

/** Our own signer, with full control over what is signed and what is sent. */
async function tampered(sign: { method: string; path: string; body?: string; date?: Date; headers?: Record<string, string> }, send: { method?: string; path?: string; body?: string } = {}) {
  const url = new URL(sign.path, t.url);
  const headers = signRequest(
    { method: sign.method, url, headers: { 'Content-Type': 'application/json', ...sign.headers }, ...(sign.body !== undefined ? { body: sign.body } : {}) },
    { accessKey: TEST_AK, secretKey: TEST_SK },
    sign.date ?? new Date(clock.now()),
  );
  const body = send.body ?? sign.body;
  const res = await fetch(new URL(send.path ?? sign.path, t.url), { method: send.method ?? sign.method, headers, ...(body !== undefined ? { body } : {}) });
  return { status: res.status, body: (await res.json()) as ErrorBody };
}

beforeAll(async () => {
  t = await startTestService({ clock });
  iam = new IamService(t.service.store, t.service.secrets, clock);
  accountId = (await iam.requireAccount('poolkeeper')).id;
});

afterAll(async () => {
  await t.stop();
});

describe('secure by default', () => {
  it('only the health checks (and the public docs, test/server/docs.test.ts) answer without credentials', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    for (const path of [`/v2/${t.projectId}/pools`, '/metrics', '/_poolkeeper/v1/iam/users', `/_poolkeeper/v1/${t.projectId}/operations/x`]) {
      const res = await fetch(`${t.url}${path}`);
      expect(res.status).toBe(401);
      const body = (await res.json()) as ErrorBody;
      expect(body.error_code).toBe('APIGW.0301');
      expect(body.request_id).toBe(res.headers.get('x-request-id'));
    }
  });

  it('serves the OpenAPI document and metrics to signed callers', async () => {
    const doc = await t.client.request<{ paths: Record<string, unknown> }>('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toContain('/v2/{project_id}/pools/{pool_name}/nodes/batch-update');
    const metrics = await t.client.request<string>('GET', '/metrics');
    expect(metrics.body).toContain('poolkeeper_http_requests_total');
    expect(metrics.body).toContain('poolkeeper_auth_failures_total');
  });

  it('refuses bodies over 12 MB with 413 APIGW.0201', async () => {
    const res = await t.client.request<ErrorBody>('POST', `/v2/${t.projectId}/pools`, `{"pad":"${'x'.repeat(12 * 1024 * 1024)}"}`);
    expect(res.status).toBe(413);
    expect(res.body.error_code).toBe('APIGW.0201');
  });
});

describe('official SDK signers against the live service', () => {
  const credential = () => new BasicCredentials().withAk(TEST_AK).withSk(TEST_SK).withProjectId(t.projectId);

  it('basic SDK-HMAC-SHA256, with a query that needs encoding and a body', async () => {
    const list = await official('basic', credential(), 'GET', `/v2/${t.projectId}/pools`, { query: { labelSelector: 'os.modelarts/name=demo' } });
    expect(list.status).toBe(200);
    const update = await official('basic', credential(), 'POST', `/v2/${t.projectId}/pools/${t.demoPool}/nodes/batch-update`, {
      data: { nodeNames: ['os-node-created-zzzzz'], action: 'createTags', tags: [{ key: '环境', value: 'a/b' }] },
    });
    expect(update.status).toBe(200);
  });

  it('derived V11-HMAC-SHA256', async () => {
    const cred = credential().withDerivedPredicate(() => true);
    cred.processDerivedAuthParams('modelarts', 'cn-north-4');
    const res = await official('derived', cred, 'GET', `/v2/${t.projectId}/pools`, { query: { status: 'created' } });
    expect(res.status).toBe(200);
  });

  it('temporary credentials need their signed X-Security-Token and expire', async () => {
    const temp = await iam.createAccessKey(accountId, 'admin', 900);
    const cred = new BasicCredentials().withAk(temp.accessKey).withSk(temp.secretKey).withProjectId(t.projectId);
    const path = `/v2/${t.projectId}/pools`;
    expect((await official('basic', cred, 'GET', path, { headers: { 'X-Security-Token': temp.securityToken! } })).status).toBe(200);
    const without = await official('basic', cred, 'GET', path);
    expect(without.status).toBe(401);
    expect(without.body.error_msg).toContain('X-Security-Token');
    expect((await official('basic', cred, 'GET', path, { headers: { 'X-Security-Token': `${temp.securityToken}x` } })).status).toBe(401);
    clock.advance(901_000);
    const expired = await official('basic', cred, 'GET', path, { headers: { 'X-Security-Token': temp.securityToken! } });
    expect(expired.status).toBe(401);
    expect(expired.body.error_msg).toContain('expired');
    clock.advance(-901_000);
  });
});

describe('tampering is refused with 401 APIGW.0301', () => {
  const poolsPath = () => `/v2/${t.projectId}/pools`;
  const batchPath = () => `/v2/${t.projectId}/pools/${t.demoPool}/nodes/batch-update`;
  const body = JSON.stringify({ nodeNames: ['os-node-created-zzzzz'], action: 'closeHaRedundant' });

  it('accepts the untampered request', async () => {
    expect((await tampered({ method: 'POST', path: batchPath(), body })).status).toBe(200);
  });

  it.each([
    ['method', () => tampered({ method: 'GET', path: `${poolsPath()}/${t.demoPool}` }, { method: 'DELETE' })],
    ['path (replay on another path)', () => tampered({ method: 'GET', path: poolsPath() }, { path: `${poolsPath()}/${t.demoPool}` })],
    ['query', () => tampered({ method: 'GET', path: `${poolsPath()}?status=created` }, { path: `${poolsPath()}?status=creating` })],
    ['body', () => tampered({ method: 'POST', path: batchPath(), body }, { body: body.replace('closeHaRedundant', 'openHaRedundant') })],
    ['date 16 minutes behind', () => tampered({ method: 'GET', path: poolsPath(), date: new Date(clock.now() - 16 * 60_000) })],
    ['date 16 minutes ahead', () => tampered({ method: 'GET', path: poolsPath(), date: new Date(clock.now() + 16 * 60_000) })],
  ])('%s', async (_label, send) => {
    const res = await send();
    expect(res.status).toBe(401);
    expect(res.body.error_code).toBe('APIGW.0301');
    // A valid request resets the key's failure count, so these cases never lock it.
    expect((await t.client.request('GET', poolsPath())).status).toBe(200);
  });

  it('accepts a date 14 minutes off either way', async () => {
    expect((await tampered({ method: 'GET', path: poolsPath(), date: new Date(clock.now() - 14 * 60_000) })).status).toBe(200);
    expect((await tampered({ method: 'GET', path: poolsPath(), date: new Date(clock.now() + 14 * 60_000) })).status).toBe(200);
  });

  it('refuses UNSIGNED-PAYLOAD on a request with a body', async () => {
    const url = new URL(batchPath(), t.url);
    const headers = signRequest(
      { method: 'POST', url, headers: { 'Content-Type': 'application/json', 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' }, body },
      { accessKey: TEST_AK, secretKey: TEST_SK },
      new Date(clock.now()),
    );
    const res = await fetch(url, { method: 'POST', headers, body });
    expect(res.status).toBe(401);
    expect((await t.client.request('GET', poolsPath())).status).toBe(200);
  });
});

/** Sends any method with a body over node:http (fetch refuses a GET with a body). */
function sendRaw(method: string, url: URL, headers: Record<string, string>, body: string): Promise<{ status: number; body: ErrorBody }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) as ErrorBody }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('a GET with a body is verified against the bytes sent', () => {
  const url = () => new URL(`/v2/${t.projectId}/pools?status=created`, t.url);
  const sign = (body: string | undefined) =>
    signRequest({ method: 'GET', url: url(), headers: { 'Content-Type': 'application/json' }, ...(body !== undefined ? { body } : {}) }, { accessKey: TEST_AK, secretKey: TEST_SK }, new Date(clock.now()));

  it('accepts a GET whose body our signer signed', async () => {
    const body = '{"probe":"签名"}';
    const res = await sendRaw('GET', url(), sign(body), body);
    expect(res.status).toBe(200);
  });

  it.each([
    ['another body than the one signed', '{"probe":1}', '{"probe":2}'],
    ['a body where none was signed', undefined, '{"probe":1}'],
    ['no body where one was signed', '{"probe":1}', ''],
  ])('refuses %s', async (_label, signed, sent) => {
    const res = await sendRaw('GET', url(), sign(signed), sent);
    expect(res.status).toBe(401);
    expect(res.body.error_code).toBe('APIGW.0301');
    expect((await t.client.request('GET', url().pathname)).status).toBe(200);
  });

  it.each(['basic', 'derived'] as const)('accepts a GET with a body signed by the official %s signer', async (signer) => {
    const cred = new BasicCredentials().withAk(TEST_AK).withSk(TEST_SK).withProjectId(t.projectId);
    if (signer === 'derived') cred.withDerivedPredicate(() => true).processDerivedAuthParams('modelarts', 'cn-north-4');
    const data = { probe: ['a', 1] };
    const request = {
      method: 'GET',
      endpoint: `${t.url}/v2/${t.projectId}/pools`,
      queryParams: { status: 'created' },
      headers: { 'X-Sdk-Date': formatSdkDate(new Date(clock.now())), 'Content-Type': 'application/json' },
      data,
    };
    const headers = (signer === 'basic' ? AKSKSigner.sign(request, cred) : DerivedAKSKSigner.sign(request, cred)) as Record<string, string>;
    expect((await sendRaw('GET', url(), headers, JSON.stringify(data))).status).toBe(200);
    expect((await sendRaw('GET', url(), headers, JSON.stringify({ probe: ['a', 2] }))).status).toBe(401);
    expect((await t.client.request('GET', url().pathname)).status).toBe(200);
  });
});

describe('access-key lock-out', () => {
  it('five consecutive failures lock the key for five minutes, then it works again', async () => {
    const key = await iam.createAccessKey(accountId, 'admin');
    const good = new PoolkeeperClient(t.url, key);
    const bad = new PoolkeeperClient(t.url, { accessKey: key.accessKey, secretKey: `${key.secretKey}x` });
    const path = `/v2/${t.projectId}/pools`;
    for (let i = 0; i < 4; i++) expect((await bad.request('GET', path)).status).toBe(401);
    expect((await good.request('GET', path)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await bad.request('GET', path)).status).toBe(401);
    const locked = await good.request<ErrorBody>('GET', path);
    expect(locked.status).toBe(401);
    expect(locked.body.error_msg).toContain('locked until');
    expect((await t.client.request('GET', path)).status).toBe(200);
    clock.advance(5 * 60_000 + 1_000);
    const headers = signRequest({ method: 'GET', url: new URL(path, t.url), headers: {} }, key, new Date(clock.now()));
    expect((await fetch(new URL(path, t.url), { headers })).status).toBe(200);
    clock.advance(-(5 * 60_000 + 1_000));
  });
});

describe('an unknown access key is not told apart from a known one', () => {
  const path = () => new URL(`/v2/${t.projectId}/pools`, t.url);
  async function send(creds: { accessKey: string; secretKey: string; securityToken?: string }, date = new Date(clock.now()), extra: Record<string, string> = {}) {
    const headers = signRequest({ method: 'GET', url: path(), headers: extra }, creds, date);
    const res = await fetch(path(), { headers });
    const body = (await res.json()) as ErrorBody;
    return { status: res.status, error_code: body.error_code, error_msg: body.error_msg };
  }

  it('answers the same 401 for an unknown key and a wrong secret, whatever else is wrong, and while the key is locked', async () => {
    const key = await iam.createAccessKey(accountId, 'admin');
    const unknown = { accessKey: 'NOSUCHKEY0000000000X', secretKey: 'anything' };
    const wrong = { accessKey: key.accessKey, secretKey: `${key.secretKey}x` };
    const cases: Array<[string, (creds: { accessKey: string; secretKey: string }) => ReturnType<typeof send>]> = [
      ['wrong secret', (c) => send(c)],
      ['date 20 minutes behind', (c) => send(c, new Date(clock.now() - 20 * 60_000))],
      ['unsigned payload header', (c) => send(c, new Date(clock.now()), { 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' })],
    ];
    // Five failures lock the key: the last rounds run against a locked key.
    for (let round = 0; round < 2; round++) {
      for (const [label, attempt] of cases) {
        const [a, b] = [await attempt(unknown), await attempt(wrong)];
        expect(a.status, label).toBe(401);
        expect(a, label).toEqual(b);
      }
    }
    const locked = await send(key);
    expect(locked.status).toBe(401);
    expect(locked.error_msg).toContain('locked until');
    // The right secret is told the lock; a wrong one is not, and does not extend it.
    expect(await send(wrong)).toEqual(await send(unknown));
    clock.advance(5 * 60_000 + 1_000);
    try {
      expect((await send(key)).status).toBe(200);
    } finally {
      clock.advance(-(5 * 60_000 + 1_000));
    }
  });

  it('tells a temporary key’s holder about its security token and expiry only once the signature is right', async () => {
    const temp = await iam.createAccessKey(accountId, 'admin', 900);
    const unknown = await send({ accessKey: 'NOSUCHKEY0000000000Y', secretKey: 'anything' });
    const wrongSecret = await send({ accessKey: temp.accessKey, secretKey: 'not-it' });
    expect(wrongSecret).toEqual(unknown);
    expect((await send(temp)).status).toBe(200);
    const noToken = await send({ accessKey: temp.accessKey, secretKey: temp.secretKey });
    expect(noToken.error_msg).toContain('X-Security-Token');
    clock.advance(901_000);
    try {
      expect(await send({ accessKey: temp.accessKey, secretKey: 'not-it' })).toEqual(await send({ accessKey: 'NOSUCHKEY0000000000Y', secretKey: 'anything' }));
      expect((await send(temp)).error_msg).toContain('expired');
    } finally {
      clock.advance(-901_000);
    }
  });
});

describe('token expiry', () => {
  it('a token is refused with ModelArts.0202 after 24 hours', async () => {
    await iam.setPassword(accountId, 'admin', 'admin-password-1');
    const issue = await fetch(`${t.url}/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        auth: { identity: { methods: ['password'], password: { user: { name: 'admin', password: 'admin-password-1', domain: { name: 'poolkeeper' } } } }, scope: { project: { id: t.projectId } } },
      }),
    });
    expect(issue.status).toBe(201);
    const token = issue.headers.get('x-subject-token')!;
    const call = () => fetch(`${t.url}/v2/${t.projectId}/pools`, { headers: { 'X-Auth-Token': token } });
    expect((await call()).status).toBe(200);
    clock.advance(24 * 3_600_000 + 1_000);
    try {
      const res = await call();
      expect(res.status).toBe(401);
      expect(((await res.json()) as ErrorBody).error_code).toBe('ModelArts.0202');
    } finally {
      clock.advance(-(24 * 3_600_000 + 1_000));
    }
  });
});
