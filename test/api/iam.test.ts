import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PoolkeeperClient } from '../../src/client/client.js';
import { systemClock } from '../../src/domain/time.js';
import { TokenService } from '../../src/security/tokens.js';
import { IamService } from '../../src/service/iam.js';
import { startTestService, TEST_AK, TEST_SK, type TestService } from '../helpers/service.js';
import { poolBody } from '../helpers/pools.js';

interface ErrorBody {
  error_code: string;
  error_msg: string;
}

let t: TestService;
let admin: PoolkeeperClient;
const keys: Record<string, { accessKey: string; secretKey: string }> = {};
let otherProjectId: string;
let otherAccountProject: string;
let expiredToken: string;

function clientFor(name: string): PoolkeeperClient {
  return new PoolkeeperClient(t.url, keys[name]!);
}

async function tokenFor(user: string, password: string, domain: string, project: { id?: string; name?: string }) {
  const res = await fetch(`${t.url}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: { identity: { methods: ['password'], password: { user: { name: user, password, domain: { name: domain } } } }, scope: { project } },
    }),
  });
  return { status: res.status, token: res.headers.get('x-subject-token'), body: (await res.json()) as Record<string, unknown> };
}

async function withToken(token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as ErrorBody & Record<string, unknown> };
}

beforeAll(async () => {
  t = await startTestService();
  admin = new PoolkeeperClient(t.url, { accessKey: TEST_AK, secretKey: TEST_SK });
  const iamBase = '/_poolkeeper/v1/iam';
  const project = await admin.request<{ id: string }>('POST', `${iamBase}/projects`, { name: 'local-2' });
  expect(project.status).toBe(201);
  otherProjectId = project.body.id;
  const users: Array<[string, Record<string, unknown>, string | undefined, unknown?]> = [
    ['reader', { projects: [t.projectId], password: 'reader-password' }, 'ModelArtsResourceManagementReadOnlyPolicy'],
    ['no-update', { projects: [t.projectId] }, 'ModelArtsResourceManagementAllPolicy'],
    ['elsewhere', { projects: ['local-2'] }, 'ModelArtsResourceManagementAllPolicy'],
    ['nobody', { projects: [t.projectId] }, undefined],
  ];
  for (const [name, body, policy] of users) {
    expect((await admin.request('POST', `${iamBase}/users`, { name, ...body })).status).toBe(201);
    if (policy) expect((await admin.request('PUT', `${iamBase}/users/${name}/policies/${policy}`)).status).toBe(200);
    const key = await admin.request<{ accessKey: string; secretKey: string }>('POST', `${iamBase}/users/${name}/access-keys`);
    expect(key.status).toBe(201);
    keys[name] = key.body;
  }
  const deny = await admin.request('PUT', `${iamBase}/users/no-update/policies/deny-update`, {
    document: { Version: '1.1', Statement: [{ Effect: 'Deny', Action: ['modelarts:pool:update'] }] },
  });
  expect(deny.status).toBe(200);

  // Another account, made the way `poolkeeper admin` makes it, with its own project and pool.
  const iam = new IamService(t.service.store, t.service.secrets, systemClock);
  const other = await iam.createAccount('rival');
  const rivalProject = await iam.createProject(other.id, 'local-1');
  otherAccountProject = rivalProject.id;
  await iam.createUser(other.id, { name: 'boss', accountAdmin: true, projects: [rivalProject.id], password: 'rival-password' });
  await iam.attachPolicy(other.id, 'boss', 'ModelArtsResourceManagementAllPolicy');
  keys.rival = await iam.createAccessKey(other.id, 'boss');
  const rival = clientFor('rival');
  const pool = await rival.request('POST', `/v2/${rivalProject.id}/pools`, poolBody('rival', 1));
  expect(pool.status).toBe(200);

  // An admin token issued 25 hours ago, and an access key locked by five bad signatures.
  const adminUser = await iam.requireUser((await iam.requireAccount('poolkeeper')).id, 'admin');
  expiredToken = (await new TokenService(t.service.store.identity, t.service.secrets).issue({ userId: adminUser.id, accountId: adminUser.accountId, projectId: t.projectId }, Date.now() - 25 * 3_600_000)).token;
  const lockedKey = await admin.request<{ accessKey: string; secretKey: string }>('POST', '/_poolkeeper/v1/iam/users/admin/access-keys');
  keys.locked = lockedKey.body;
  const wrong = new PoolkeeperClient(t.url, { accessKey: lockedKey.body.accessKey, secretKey: 'wrong' });
  for (let i = 0; i < 5; i++) expect((await wrong.request('GET', `/v2/${t.projectId}/pools`)).status).toBe(401);
});

afterAll(async () => {
  await t.stop();
});

describe('authorization matrix: principal × operation', () => {
  const ops = (p: string, pool: string) => ({
    ListPools: ['GET', `/v2/${p}/pools`, undefined],
    ShowPool: ['GET', `/v2/${p}/pools/${pool}`, undefined],
    ListPoolNodes: ['GET', `/v2/${p}/pools/${pool}/nodes`, undefined],
    CreatePool: [
      'POST',
      `/v2/${p}/pools`,
      { apiVersion: 'v2', kind: 'Pool', metadata: { labels: { 'os.modelarts/name': 'demo' } }, spec: { type: 'Dedicate', scope: ['Train'], network: { name: 'n' }, resources: [{ flavor: 'modelarts.vm.cpu.8ud', count: 1 }] } },
    ],
    PatchPool: ['PATCH', `/v2/${p}/pools/${pool}`, {}],
    BatchUpdatePoolNodes: ['POST', `/v2/${p}/pools/${pool}/nodes/batch-update`, { nodeNames: ['os-node-created-zzzzz'], action: 'closeHaRedundant' }],
    DeletePool: ['DELETE', `/v2/${p}/pools/missing-${p}`, undefined],
  }) as Record<string, [string, string, unknown]>;

  // What an allowed caller gets from each probe: the create collides with the demo pool, the delete targets no pool.
  const allowed: Record<string, number> = { ListPools: 200, ShowPool: 200, ListPoolNodes: 200, CreatePool: 409, PatchPool: 200, BatchUpdatePoolNodes: 200, DeletePool: 404 };
  const denied = (action: string) => [403, 'ModelArts.0112', `modelarts:pool:${action}`] as const;
  const expectations: Record<string, Record<string, readonly [number, string?, string?]>> = {
    admin: Object.fromEntries(Object.entries(allowed).map(([op, status]) => [op, [status]])),
    reader: { ListPools: [200], ShowPool: [200], ListPoolNodes: [200], CreatePool: denied('create'), PatchPool: denied('update'), BatchUpdatePoolNodes: denied('update'), DeletePool: denied('delete') },
    'no-update': { ListPools: [200], ShowPool: [200], ListPoolNodes: [200], CreatePool: [409], PatchPool: denied('update'), BatchUpdatePoolNodes: denied('update'), DeletePool: [404] },
    nobody: { ListPools: denied('list'), ShowPool: denied('get'), ListPoolNodes: denied('get'), CreatePool: denied('create'), PatchPool: denied('update'), BatchUpdatePoolNodes: denied('update'), DeletePool: denied('delete') },
    elsewhere: Object.fromEntries(Object.keys(allowed).map((op) => [op, [403, 'ModelArts.0210']])),
    rival: Object.fromEntries(Object.keys(allowed).map((op) => [op, [403, 'ModelArts.0210']])),
    'expired-token': Object.fromEntries(Object.keys(allowed).map((op) => [op, [401, 'ModelArts.0202']])),
    locked: Object.fromEntries(Object.keys(allowed).map((op) => [op, [401, 'APIGW.0301', 'locked until']])),
  };

  for (const [principal, row] of Object.entries(expectations)) {
    for (const [op, [status, code, message]] of Object.entries(row)) {
      it(`${principal} × ${op} → ${status}${code ? ` ${code}` : ''}`, async () => {
        const [method, path, body] = ops(t.projectId, t.demoPool)[op]!;
        const res =
          principal === 'expired-token'
            ? await withToken(expiredToken, method, path, body)
            : await (principal === 'admin' ? admin : clientFor(principal)).request<ErrorBody>(method, path, body);
        expect(res.status).toBe(status);
        if (code) expect(res.body.error_code).toBe(code);
        if (message) expect(res.body.error_msg).toContain(message);
      });
    }
  }

  it('a member of the other project works there, and nowhere else', async () => {
    const res = await clientFor('elsewhere').request<{ items: unknown[] }>('GET', `/v2/${otherProjectId}/pools`);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
  });

  it('another account can never read this account’s operations or pools, whatever it sends', async () => {
    const rival = clientFor('rival');
    const op = await admin.request('POST', `/v2/${t.projectId}/pools/${t.demoPool}/nodes/batch-update`, { nodeNames: ['os-node-created-zzzzz'], action: 'closeHaRedundant' });
    const operationId = op.headers.get('x-operation-id')!;
    expect((await rival.request<ErrorBody>('GET', `/_poolkeeper/v1/${t.projectId}/operations/${operationId}`)).body.error_code).toBe('ModelArts.0210');
    expect((await rival.request<ErrorBody>('GET', `/_poolkeeper/v1/${otherAccountProject}/operations/${operationId}`)).status).toBe(404);
    expect((await rival.request<ErrorBody>('GET', `/v2/${otherAccountProject}/pools/${t.demoPool}`)).body.error_code).toBe('ModelArts.50015001');
    const spoofed = await rival.request<ErrorBody>('GET', `/v2/${t.projectId}/pools`, undefined, { 'X-Project-Id': t.projectId });
    expect(spoofed.body.error_code).toBe('ModelArts.0210');
    const own = await rival.request<{ items: Array<{ metadata: { name: string } }> }>('GET', `/v2/${otherAccountProject}/pools`);
    expect(own.body.items.map((p) => p.metadata.name)).toEqual([`rival-${otherAccountProject}`]);
  });
});

describe('IAM endpoints', () => {
  it('only account administrators may use them, and only on their own account', async () => {
    const res = await clientFor('reader').request<ErrorBody>('GET', '/_poolkeeper/v1/iam/users');
    expect(res.status).toBe(403);
    expect(res.body.error_code).toBe('ModelArts.0108');
    const rivalUsers = await clientFor('rival').request<{ users: Array<{ name: string }> }>('GET', '/_poolkeeper/v1/iam/users');
    expect(rivalUsers.body.users.map((u) => u.name)).toEqual(['boss']);
    const steal = await clientFor('rival').request<ErrorBody>('DELETE', `/_poolkeeper/v1/iam/access-keys/${keys.reader!.accessKey}`);
    expect(steal.status).toBe(404);
    expect((await clientFor('reader').request('GET', `/v2/${t.projectId}/pools`)).status).toBe(200);
  });

  it('only operator-account administrators create and list accounts', async () => {
    const created = await admin.request<{ account: { name: string }; admin: { name: string; accountAdmin: boolean } }>('POST', '/_poolkeeper/v1/iam/accounts', {
      name: 'newco',
      admin: { name: 'founder', password: 'founder-password' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ account: { name: 'newco' }, admin: { name: 'founder', accountAdmin: true } });
    const accounts = await admin.request<{ accounts: Array<{ name: string }> }>('GET', '/_poolkeeper/v1/iam/accounts');
    expect(accounts.body.accounts.map((a) => a.name)).toEqual(['newco', 'poolkeeper', 'rival']);
    const byRival = await clientFor('rival').request<ErrorBody>('POST', '/_poolkeeper/v1/iam/accounts', { name: 'evil', admin: { name: 'x' } });
    expect(byRival.status).toBe(403);
    expect((await clientFor('rival').request('GET', '/_poolkeeper/v1/iam/accounts')).status).toBe(403);
    expect((await admin.request('POST', '/_poolkeeper/v1/iam/accounts', { name: 'newco', admin: { name: 'again' } })).status).toBe(409);
  });

  it('lists users without secrets, refuses duplicates, and validates input naming the field', async () => {
    const users = await admin.request<{ users: Array<Record<string, unknown>> }>('GET', '/_poolkeeper/v1/iam/users');
    const reader = users.body.users.find((u) => u.name === 'reader')!;
    expect(reader).toMatchObject({ accountAdmin: false, hasPassword: true, projects: [t.projectId], policies: ['ModelArtsResourceManagementReadOnlyPolicy'] });
    expect(JSON.stringify(users.body)).not.toContain('scrypt');
    const dup = await admin.request<ErrorBody>('POST', '/_poolkeeper/v1/iam/users', { name: 'reader' });
    expect(dup.status).toBe(409);
    const bad = await admin.request<ErrorBody>('POST', '/_poolkeeper/v1/iam/users', { name: 'x', password: 'short' });
    expect(bad.status).toBe(400);
    expect(bad.body.error_msg).toContain('password');
    const unknownPolicy = await admin.request<ErrorBody>('PUT', '/_poolkeeper/v1/iam/users/reader/policies/MadeUp');
    expect(unknownPolicy.status).toBe(400);
    const keysList = await admin.request<{ accessKeys: Array<Record<string, unknown>> }>('GET', '/_poolkeeper/v1/iam/users/reader/access-keys');
    expect(keysList.body.accessKeys).toEqual([{ accessKey: keys.reader!.accessKey, createdAt: expect.any(String) }]);
  });

  it('a deleted access key stops working', async () => {
    const key = await admin.request<{ accessKey: string; secretKey: string }>('POST', '/_poolkeeper/v1/iam/users/reader/access-keys');
    const client = new PoolkeeperClient(t.url, key.body);
    expect((await client.request('GET', `/v2/${t.projectId}/pools`)).status).toBe(200);
    expect((await admin.request('DELETE', `/_poolkeeper/v1/iam/access-keys/${key.body.accessKey}`)).status).toBe(204);
    const after = await client.request<ErrorBody>('GET', `/v2/${t.projectId}/pools`);
    expect(after.status).toBe(401);
    expect(after.body.error_code).toBe('APIGW.0301');
  });
});

describe('tokens (POST /v3/auth/tokens, X-Auth-Token)', () => {
  it('issues a project-scoped token by project id or name that works on the API', async () => {
    const byId = await tokenFor('reader', 'reader-password', 'poolkeeper', { id: t.projectId });
    expect(byId.status).toBe(201);
    expect(byId.token).toBeTruthy();
    const token = byId.body.token as { expires_at: string; project: { id: string; name: string }; user: { name: string; domain: { name: string } } };
    expect(token.project.id).toBe(t.projectId);
    expect(token.user).toMatchObject({ name: 'reader', domain: { name: 'poolkeeper' } });
    const hours = (Date.parse(token.expires_at) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
    const byName = await tokenFor('reader', 'reader-password', 'poolkeeper', { name: 'local-1' });
    expect(byName.status).toBe(201);
    const list = await withToken(byId.token!, 'GET', `/v2/${t.projectId}/pools`);
    expect(list.status).toBe(200);
    const write = await withToken(byId.token!, 'POST', `/v2/${t.projectId}/pools/${t.demoPool}/nodes/batch-update`, { nodeNames: ['x'], action: 'closeHaRedundant' });
    expect(write.status).toBe(403);
    expect(write.body.error_code).toBe('ModelArts.0112');
  });

  it('answers a wrong password and an unknown user identically', async () => {
    const wrong = await tokenFor('reader', 'not-the-password', 'poolkeeper', { id: t.projectId });
    const unknown = await tokenFor('ghost', 'whatever-password', 'poolkeeper', { id: t.projectId });
    const noDomain = await tokenFor('reader', 'reader-password', 'nowhere', { id: t.projectId });
    const notMember = await tokenFor('reader', 'reader-password', 'poolkeeper', { name: 'local-2' });
    for (const res of [wrong, unknown, noDomain, notMember]) {
      expect(res.status).toBe(401);
      expect(res.token).toBeNull();
      expect(res.body).toEqual({ error_code: 'IAM.0101', error_msg: 'The username or password is wrong.' });
    }
  });

  it('refuses missing, invalid and foreign-project tokens', async () => {
    expect((await withToken('', 'GET', `/v2/${t.projectId}/pools`)).body.error_code).toBe('ModelArts.0201');
    expect((await withToken('not-a-token', 'GET', `/v2/${t.projectId}/pools`)).body.error_code).toBe('ModelArts.0203');
    const good = await tokenFor('reader', 'reader-password', 'poolkeeper', { id: t.projectId });
    const [header, payload, signature] = good.token!.split('.');
    const forged = [header, Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), prj: otherProjectId })).toString('base64url'), signature].join('.');
    expect((await withToken(forged, 'GET', `/v2/${otherProjectId}/pools`)).body.error_code).toBe('ModelArts.0203');
    const rival = await tokenFor('boss', 'rival-password', 'rival', { id: otherAccountProject });
    expect(rival.status).toBe(201);
    const cross = await withToken(rival.token!, 'GET', `/v2/${t.projectId}/pools`);
    expect(cross.status).toBe(403);
    expect(cross.body.error_code).toBe('ModelArts.0210');
  });
});
