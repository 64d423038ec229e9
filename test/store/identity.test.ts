import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyExistsError } from '../../src/store/identity.js';
import type { Store } from '../../src/store/store.js';
import { TEST_DIALECT } from '../helpers/databases.js';
import { openTestStore, type TestStore } from '../helpers/store.js';

/** The identity and credential parts of the Store contract; this file runs once per dialect. */
const PROJECT = 'abcdefabcdefabcdefabcdefabcdef01';
const T0 = Date.UTC(2026, 10, 28, 10, 0, 0);
let store: Store;
let opened: TestStore;

/** Every statement the store runs (its observer), for counting them. */
const statements: string[] = [];

beforeAll(async () => {
  opened = await openTestStore(
    { accountId: 'a'.repeat(32), accountName: 'acme', projectId: PROJECT, userId: 'u'.repeat(32), accessKey: 'AK1', createdAt: T0 },
    { statement: (kind) => statements.push(kind), groupCommit() {} },
  );
  store = opened.store;
  await store.migrate();
});

afterAll(async () => {
  await opened.close();
});

describe(`identity and credentials (${TEST_DIALECT})`, () => {
  it('is the dialect it was opened as', () => {
    expect(store.dialect).toBe(TEST_DIALECT);
  });

  it('finds an access key and its user identity', async () => {
    expect(await store.identity.hasAnyAccount()).toBe(true);
    expect(await store.credentials.findAccessKey('AK1')).toEqual({
      accessKey: 'AK1',
      sealedSecretKey: 'sealed-AK1',
      userId: 'u'.repeat(32),
      createdAt: T0,
      expiresAt: null,
      securityTokenHash: null,
      failedAttempts: 0,
      lockedUntil: null,
    });
    expect(await store.credentials.getUserIdentity('u'.repeat(32))).toEqual({
      userId: 'u'.repeat(32),
      userName: 'admin',
      accountId: 'a'.repeat(32),
      accountName: 'acme',
      isAccountAdmin: true,
      isOperator: true,
      projectIds: [PROJECT],
      policies: [{ Version: '1.1', Statement: [{ Effect: 'Allow', Action: ['modelarts:pool:*'] }] }],
    });
    expect(await store.credentials.findAccessKey('nope')).toBeUndefined();
    expect(await store.credentials.getUserIdentity('nobody')).toBeUndefined();
  });

  it('a second bootstrap loses the race without error', async () => {
    const again = await store.identity.createBootstrapIdentity({
      accountId: 'b'.repeat(32),
      accountName: 'acme',
      projectId: 'c'.repeat(32),
      projectName: 'local-1',
      userId: 'v'.repeat(32),
      userName: 'admin',
      accessKey: 'AK2',
      sealedSecretKey: 'x',
      policyName: 'all',
      policyDocument: {},
      createdAt: T0,
    });
    expect(again).toBe(false);
    expect(await store.credentials.findAccessKey('AK2')).toBeUndefined();
  });

  it('counts signature failures, locks at the threshold, and clears', async () => {
    for (let i = 1; i <= 4; i++) expect(await store.credentials.recordAuthFailure('AK1', T0, 5, 300_000)).toEqual({ failedAttempts: i, lockedUntil: null });
    expect(await store.credentials.recordAuthFailure('AK1', T0, 5, 300_000)).toEqual({ failedAttempts: 5, lockedUntil: T0 + 300_000 });
    expect((await store.credentials.findAccessKey('AK1'))?.lockedUntil).toBe(T0 + 300_000);
    await store.credentials.clearAuthFailures('AK1');
    expect(await store.credentials.findAccessKey('AK1')).toMatchObject({ failedAttempts: 0, lockedUntil: null });
  });

  it('keeps accounts, projects, users, memberships, policies and access keys', async () => {
    await store.identity.createAccount({ id: 'd'.repeat(32), name: 'other', createdAt: T0 });
    await expect(store.identity.createAccount({ id: 'e'.repeat(32), name: 'other', createdAt: T0 })).rejects.toBeInstanceOf(AlreadyExistsError);
    expect((await store.identity.listAccounts()).map((a) => a.name)).toEqual(['acme', 'other']);
    expect((await store.identity.findAccount('other'))?.id).toBe('d'.repeat(32));
    expect((await store.identity.findAccount('d'.repeat(32)))?.name).toBe('other');
    await store.identity.createProject({ id: 'f'.repeat(32), accountId: 'd'.repeat(32), name: 'local-1', createdAt: T0 });
    await expect(store.identity.createProject({ id: '1'.repeat(32), accountId: 'd'.repeat(32), name: 'local-1', createdAt: T0 })).rejects.toBeInstanceOf(AlreadyExistsError);
    expect((await store.identity.findProject('d'.repeat(32), 'local-1'))?.id).toBe('f'.repeat(32));
    expect(await store.identity.findProject('a'.repeat(32), 'f'.repeat(32))).toBeUndefined();
    await store.identity.createUser({ id: '2'.repeat(32), accountId: 'd'.repeat(32), name: 'reader', isAccountAdmin: false, passwordHash: 'h', createdAt: T0 });
    await expect(store.identity.createUser({ id: '3'.repeat(32), accountId: 'd'.repeat(32), name: 'reader', isAccountAdmin: false, passwordHash: null, createdAt: T0 })).rejects.toBeInstanceOf(
      AlreadyExistsError,
    );
    expect(await store.identity.setUserProject('2'.repeat(32), 'f'.repeat(32), true)).toBe(true);
    expect(await store.identity.setUserProject('2'.repeat(32), 'f'.repeat(32), true)).toBe(false);
    await store.identity.putUserPolicy('2'.repeat(32), 'ro', { v: 1 });
    await store.identity.putUserPolicy('2'.repeat(32), 'ro', { v: 2 });
    const user = await store.identity.findUser('d'.repeat(32), 'reader');
    expect(user).toMatchObject({ name: 'reader', passwordHash: 'h', projectIds: ['f'.repeat(32)], policyNames: ['ro'], isAccountAdmin: false });
    expect((await store.credentials.getUserIdentity('2'.repeat(32)))?.policies).toEqual([{ v: 2 }]);
    expect((await store.credentials.getUserIdentity('2'.repeat(32)))?.isOperator).toBe(false);
    expect(await store.identity.deleteUserPolicy('2'.repeat(32), 'ro')).toBe(true);
    expect(await store.identity.deleteUserPolicy('2'.repeat(32), 'ro')).toBe(false);
    await store.identity.setUserPassword('2'.repeat(32), 'h2');
    expect((await store.identity.listUsers('d'.repeat(32))).map((u) => [u.name, u.passwordHash])).toEqual([['reader', 'h2']]);
    await store.identity.createAccessKey({ accessKey: 'AKT', sealedSecretKey: 's', userId: '2'.repeat(32), createdAt: T0, expiresAt: T0 + 900_000, securityTokenHash: 'ab' });
    expect(await store.identity.listAccessKeys('2'.repeat(32))).toEqual([{ accessKey: 'AKT', createdAt: T0, expiresAt: T0 + 900_000 }]);
    expect(await store.identity.deleteAccessKey('a'.repeat(32), 'AKT')).toBe(false);
    expect(await store.identity.deleteAccessKey('d'.repeat(32), 'AKT')).toBe(true);
    expect(await store.identity.setUserProject('2'.repeat(32), 'f'.repeat(32), false)).toBe(true);
  });

  it('keeps one token-signing key, whoever asks first', async () => {
    const first = await store.identity.ensureSigningKey({ id: 'tokens', sealedSecret: 'one', createdAt: T0 });
    const second = await store.identity.ensureSigningKey({ id: 'tokens', sealedSecret: 'two', createdAt: T0 + 1 });
    expect(first).toEqual({ id: 'tokens', sealedSecret: 'one' });
    expect(second).toEqual(first);
  });

  it('lists an account\'s users with their projects and policies in three statements, however many users it has', async () => {
    const account = '9'.repeat(32);
    await store.identity.createAccount({ id: account, name: 'many-users', createdAt: T0 });
    await store.identity.createProject({ id: '8'.repeat(32), accountId: account, name: 'p1', createdAt: T0 });
    for (let i = 0; i < 6; i++) {
      const id = `${i}`.repeat(2) + '7'.repeat(30);
      await store.identity.createUser({ id, accountId: account, name: `user-${i}`, isAccountAdmin: false, passwordHash: null, createdAt: T0 });
      if (i % 2 === 0) await store.identity.setUserProject(id, '8'.repeat(32), true);
      await store.identity.putUserPolicy(id, `policy-${i}`, { v: i });
      await store.identity.putUserPolicy(id, 'all', { v: 0 });
    }
    statements.length = 0;
    const users = await store.identity.listUsers(account);
    expect(statements).toHaveLength(3);
    expect(users.map((u) => [u.name, u.projectIds, u.policyNames])).toEqual(
      Array.from({ length: 6 }, (_, i) => [`user-${i}`, i % 2 === 0 ? ['8'.repeat(32)] : [], ['all', `policy-${i}`]]),
    );
    expect(await store.identity.listUsers('0'.repeat(32))).toEqual([]);
  });
});
