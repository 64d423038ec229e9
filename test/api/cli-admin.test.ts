import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PoolkeeperClient } from '../../src/client/client.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { startTestService, TEST_AK, TEST_SK, type TestService } from '../helpers/service.js';

let t: TestService;

beforeAll(async () => {
  t = await startTestService();
});

afterAll(async () => {
  await t.stop();
});

/** `poolkeeper admin ...` run as a process on the live service's store, as the README shows it. */
function admin(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runCli(['admin', ...args], { ...process.env, POOLKEEPER_DATABASE_URL: t.database.url, POOLKEEPER_DATA_DIR: t.dataDir, ...env });
}

async function succeeded<T>(args: string[]): Promise<T> {
  const run = await admin(args);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

/** A user of the operator account in the bootstrap project, with an access key, made through the CLI. */
async function userWithKey(name: string): Promise<PoolkeeperClient> {
  await succeeded(['create-user', name, '--account', 'poolkeeper', '--project', 'local-1']);
  const key = await succeeded<{ accessKey: string; secretKey: string }>(['create-access-key', name, '--account', 'poolkeeper']);
  return new PoolkeeperClient(t.url, key);
}

const batchUpdate = () => `/v2/${t.projectId}/pools/${t.demoPool}/nodes/batch-update`;
const closeHa = { nodeNames: ['os-node-created-zzzzz'], action: 'closeHaRedundant' };

describe('poolkeeper admin attach-policy --document', () => {
  it('attaches a custom Allow document that then grants exactly its actions', async () => {
    const viewer = await userWithKey('cli-viewer');
    const document = { Version: '1.1', Statement: [{ Effect: 'Allow', Action: ['modelarts:pool:list', 'modelarts:pool:get'] }] };
    const user = await succeeded<{ policies: string[] }>(['attach-policy', 'cli-viewer', 'list-and-get', '--account', 'poolkeeper', '--document', JSON.stringify(document)]);
    expect(user.policies).toEqual(['list-and-get']);

    expect((await viewer.request('GET', `/v2/${t.projectId}/pools`)).status).toBe(200);
    expect((await viewer.request('GET', `/v2/${t.projectId}/pools/${t.demoPool}`)).status).toBe(200);
    const update = await viewer.request<{ error_code: string; error_msg: string }>('POST', batchUpdate(), closeHa);
    expect(update.status).toBe(403);
    expect(update.body).toEqual({ error_code: 'ModelArts.0112', error_msg: "Policy doesn't allow modelarts:pool:update to be performed." });
  });

  it('attaches a custom Deny document that wins over a built-in Allow', async () => {
    const operator = await userWithKey('cli-no-update');
    await succeeded(['attach-policy', 'cli-no-update', 'ModelArtsResourceManagementAllPolicy', '--account', 'poolkeeper']);
    const deny = { Version: '1.1', Statement: [{ Effect: 'Deny', Action: ['modelarts:pool:update'] }] };
    const user = await succeeded<{ policies: string[] }>(['attach-policy', 'cli-no-update', 'deny-update', '--account', 'poolkeeper', '--document', JSON.stringify(deny)]);
    expect(user.policies.sort()).toEqual(['ModelArtsResourceManagementAllPolicy', 'deny-update']);

    expect((await operator.request('GET', `/v2/${t.projectId}/pools`)).status).toBe(200);
    // modelarts:pool:create is allowed: the empty body gets as far as validation.
    expect((await operator.request('POST', `/v2/${t.projectId}/pools`, {})).status).toBe(400);
    const update = await operator.request<{ error_code: string }>('POST', batchUpdate(), closeHa);
    expect(update.status).toBe(403);
    expect(update.body.error_code).toBe('ModelArts.0112');
  });

  it('refuses an invalid document with the message the HTTP endpoint gives, and attaches nothing', async () => {
    await userWithKey('cli-invalid');
    const bad = { Version: '1.1', Statement: [{ Effect: 'Maybe', Action: ['modelarts:pool:list'] }] };
    const run = await admin(['attach-policy', 'cli-invalid', 'odd', '--account', 'poolkeeper', '--document', JSON.stringify(bad)]);
    expect(run.code).toBe(1);

    const http = await new PoolkeeperClient(t.url, { accessKey: TEST_AK, secretKey: TEST_SK }).request<{ error_msg: string }>(
      'PUT',
      '/_poolkeeper/v1/iam/users/cli-invalid/policies/odd',
      { document: bad },
    );
    expect(http.status).toBe(400);
    expect(http.body.error_msg).toBe('Bad request. document.Statement[0].Effect must be one of "Allow", "Deny"');
    expect(run.stderr).toBe(`poolkeeper: ${http.body.error_msg}\n`);

    const users = await succeeded<Array<{ name: string; policies: string[] }>>(['list-users', '--account', 'poolkeeper']);
    expect(users.find((u) => u.name === 'cli-invalid')?.policies).toEqual([]);
  });

  it('names the option when the document is not JSON', async () => {
    const run = await admin(['attach-policy', 'cli-invalid', 'odd', '--account', 'poolkeeper', '--document', '{"Version":']);
    expect(run.code).toBe(2); // a usage error: nothing was sent or written
    expect(run.stderr).toMatch(/^poolkeeper: --document is not valid JSON: .+\n$/);
  });
});

describe('poolkeeper admin input checks', () => {
  it('validates every command’s input with a message naming the field', async () => {
    const cases: Array<[string[], string]> = [
      [['create-access-key', 'admin', '--account', 'poolkeeper', '--temporary', '60'], 'temporary.durationSeconds must be >= 900'],
      [['set-password', 'admin', '--account', 'poolkeeper', '--password', 'short'], 'password must NOT have fewer than 8 characters'],
      [['create-project', 'Bad Name', '--account', 'poolkeeper'], 'project.name must match pattern'],
    ];
    for (const [args, message] of cases) {
      const run = await admin(args);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr).toContain(`poolkeeper: Bad request. ${message}`);
    }
  });

  it('reports an unexpected failure with the command and what went wrong, not two bare words', async () => {
    // A folder where the SQLite file should be: the store cannot open.
    const run = await admin(['list-accounts'], { POOLKEEPER_DATABASE_URL: t.dataDir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^poolkeeper: `admin list-accounts` failed with an unexpected error \(SqliteError: unable to open database file\)\n$/);
  });
});
