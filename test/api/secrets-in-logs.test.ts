import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PoolkeeperClient } from '../../src/client/client.js';
import { signRequest } from '../../src/client/signer.js';
import { serviceStorage, type ServiceStorage } from '../helpers/databases.js';
import { startServiceProcess, type ServiceProcess } from '../helpers/process.js';
import { eventually, TEST_AK, TEST_PROJECT_ID, TEST_SK } from '../helpers/service.js';

const MASTER_KEY = randomBytes(32).toString('base64');
let storage: ServiceStorage;
let service: ServiceProcess;

beforeAll(async () => {
  storage = await serviceStorage();
  service = await startServiceProcess({ ...storage.env, POOLKEEPER_LOG_LEVEL: 'trace', POOLKEEPER_MASTER_KEY: MASTER_KEY });
});

afterAll(async () => {
  await service.kill();
  await storage.remove();
});

it('no secret, signature, token or password ever reaches a log line', async () => {
  const secrets: string[] = [TEST_SK, MASTER_KEY];
  const admin = new PoolkeeperClient(service.url, { accessKey: TEST_AK, secretKey: TEST_SK });
  const signed = (path: string, creds: { accessKey: string; secretKey: string; securityToken?: string }, extra: Record<string, string> = {}) => {
    const headers = signRequest({ method: 'GET', url: new URL(path, service.url), headers: extra }, creds);
    secrets.push(/Signature=([0-9a-f]{64})/.exec(headers.Authorization!)![1]!);
    return fetch(new URL(path, service.url), { headers });
  };
  const pools = `/v2/${TEST_PROJECT_ID}/pools`;
  expect((await signed(pools, { accessKey: TEST_AK, secretKey: TEST_SK })).status).toBe(200);
  expect((await signed(pools, { accessKey: TEST_AK, secretKey: 'wrong-secret-key-value' })).status).toBe(401);
  secrets.push('wrong-secret-key-value');

  const password = 'log-test-password-9';
  secrets.push(password);
  expect((await admin.request('POST', '/_poolkeeper/v1/iam/users', { name: 'logger', password, projects: [TEST_PROJECT_ID] })).status).toBe(201);
  expect((await admin.request('PUT', '/_poolkeeper/v1/iam/users/logger/policies/ModelArtsResourceManagementAllPolicy')).status).toBe(200);
  const temp = await admin.request<{ accessKey: string; secretKey: string; securityToken: string }>('POST', '/_poolkeeper/v1/iam/users/logger/access-keys', {
    temporary: { durationSeconds: 900 },
  });
  expect(temp.status).toBe(201);
  secrets.push(temp.body.secretKey, temp.body.securityToken);
  expect((await signed(pools, temp.body)).status).toBe(200);
  expect((await signed(pools, { ...temp.body, securityToken: 'forged-security-token' })).status).toBe(401);
  secrets.push('forged-security-token');

  const login = (pw: string) =>
    fetch(`${service.url}/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'logger', password: pw, domain: { name: 'poolkeeper' } } } }, scope: { project: { id: TEST_PROJECT_ID } } } }),
    });
  expect((await login('a-wrong-password-7')).status).toBe(401);
  secrets.push('a-wrong-password-7');
  const issued = await login(password);
  expect(issued.status).toBe(201);
  const token = issued.headers.get('x-subject-token')!;
  secrets.push(token, token.split('.')[2]!);
  expect((await fetch(`${service.url}${pools}`, { headers: { 'X-Auth-Token': token } })).status).toBe(200);
  expect((await fetch(`${service.url}${pools}`, { headers: { 'X-Auth-Token': `${token}tampered` } })).status).toBe(401);

  const logLines = service
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'));
  expect(logLines.length).toBeGreaterThan(10);
  expect(logLines.some((line) => line.includes('"request completed"'))).toBe(true);
  for (const secret of secrets) {
    for (const line of logLines) expect(line.includes(secret), `a log line contains a secret: ${line.slice(0, 200)}`).toBe(false);
  }
});

it('an unknown access key answers like a wrong signature; the warning logged tells them apart, without the secret', async () => {
  const path = new URL(`/v2/${TEST_PROJECT_ID}/pools`, service.url);
  const send = async (creds: { accessKey: string; secretKey: string }) => {
    const res = await fetch(path, { headers: signRequest({ method: 'GET', url: path, headers: {} }, creds) });
    return { status: res.status, body: (await res.json()) as { error_code: string; error_msg: string; request_id: string } };
  };
  const unknown = await send({ accessKey: 'NOSUCHACCESSKEY00001', secretKey: 'unknown-key-secret-1' });
  const wrong = await send({ accessKey: TEST_AK, secretKey: 'wrong-secret-for-known-key-2' });
  expect(unknown.status).toBe(401);
  expect({ ...unknown.body, request_id: undefined }).toEqual({ ...wrong.body, request_id: undefined });
  expect(unknown.body.error_code).toBe('APIGW.0301');

  const warnings = (requestId: string) =>
    service
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{') && line.includes(requestId))
      .map((line) => JSON.parse(line) as { level: number; msg: string; accessKey?: string; authFailure?: string })
      .filter((entry) => entry.msg === 'authentication failed');
  // The service's output reaches this process asynchronously: wait for each line.
  const logged = (requestId: string) =>
    eventually(async () => {
      const found = warnings(requestId);
      return found.length > 0 ? found : undefined;
    });
  const [unknownLog] = await logged(unknown.body.request_id);
  const [wrongLog] = await logged(wrong.body.request_id);
  expect(unknownLog).toMatchObject({ level: 40, accessKey: 'NOSUCHACCESSKEY00001', authFailure: 'unknown access key' });
  expect(wrongLog).toMatchObject({ level: 40, accessKey: TEST_AK, authFailure: 'signature does not match' });
  for (const line of service.output().split('\n')) {
    expect(line.includes('unknown-key-secret-1') || line.includes('wrong-secret-for-known-key-2')).toBe(false);
  }
  // A success clears the known key's failure count, so later suites are not near the lock-out.
  expect((await send({ accessKey: TEST_AK, secretKey: TEST_SK })).status).toBe(200);
});
