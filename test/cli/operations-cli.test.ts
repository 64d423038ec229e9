import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { isolatedEnv, runCli, type CliRun } from '../helpers/cli.js';
import { demoNodeNames, startTestService, TEST_AK, TEST_PROJECT_ID, TEST_SK, type TestService } from '../helpers/service.js';

/** `poolkeeper operations list` as a process against a live service on loopback (SQLite): the API's list, page by page. */
let t: TestService;
let env: NodeJS.ProcessEnv;
let names: string[];
const pool = `demo-${TEST_PROJECT_ID}`;
/** The operation ids of the batch commands below, oldest first. */
const made: string[] = [];

interface Summary {
  id: string;
  operation: string;
  poolName: string;
  completion: { succeeded: number; failed: number; pending: number } | null;
}

const cli = (...args: string[]): Promise<CliRun> => runCli(args, env);

async function batch(...args: string[]): Promise<void> {
  const run = await cli('nodes', ...args, '-o', 'json');
  expect(run.code, run.stderr).toBe(0);
  made.push(...(JSON.parse(run.stdout) as { operationIds: string[] }).operationIds);
}

beforeAll(async () => {
  t = await startTestService({ env: { POOLKEEPER_SIM_DRAIN_SECONDS: '0' } });
  names = await demoNodeNames(t);
  env = isolatedEnv({ POOLKEEPER_ENDPOINT: t.url, POOLKEEPER_AK: TEST_AK, POOLKEEPER_SK: TEST_SK, POOLKEEPER_PROJECT_ID: TEST_PROJECT_ID });
  await batch('tag', 'demo', names[0]!, names[1]!, '--tag', 'team=ops');
  await batch('lock', 'demo', names[2]!);
  await batch('drain', 'demo', names[3]!);
  await batch('untag', 'demo', names[1]!, '--tag', 'team');
});

afterAll(async () => {
  await t.stop();
});

describe('operations list', () => {
  it('prints the API’s list in every format: newest first, with where each record’s nodes stand', async () => {
    const [asJson, asYaml, table, wide, asNames] = await Promise.all([
      cli('operations', 'list', '-o', 'json'),
      cli('operations', 'list', '-o', 'yaml'),
      cli('operations', 'list', '-o', 'table'),
      cli('operations', 'list', '-o', 'wide'),
      cli('operations', 'list', '-o', 'name'),
    ]);
    for (const run of [asJson, asYaml, table, wide, asNames]) expect(run.code, run.stderr).toBe(0);
    const api = (await t.client.request<{ items: Summary[] }>('GET', `/_poolkeeper/v1/${TEST_PROJECT_ID}/operations`)).body.items;
    expect(JSON.parse(asJson.stdout)).toEqual(api);
    expect(parseYaml(asYaml.stdout)).toEqual(api);
    expect(api.map((o) => o.id)).toEqual([...made].reverse());
    expect(asNames.stdout).toBe([...made].reverse().map((id) => `${id}\n`).join(''));
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+OPERATION\s+ACTION\s+POOL\s+NODES\s+PROGRESS$/);
    expect(lines[1]).toMatch(new RegExp(`^${made[3]}\\s+BatchUpdatePoolNodes\\s+deleteTags\\s+${pool}\\s+1\\s+1 done$`));
    expect(lines[2]).toMatch(new RegExp(`^${made[2]}\\s+BatchDrainPoolNodes\\s+${pool}\\s+1\\s+-$`));
    expect(wide.stdout.split('\n')[0]).toMatch(/PROGRESS\s+PRINCIPAL\s+CREATED\s+REQUEST$/);
  });

  it('filters by pool (a display name too), kind and node, and reads pages until it has --limit records', async () => {
    const ids = async (...args: string[]) => {
      const run = await cli('operations', 'list', ...args, '-o', 'name');
      expect(run.code, run.stderr).toBe(0);
      return run.stdout.trim().split('\n').filter(Boolean);
    };
    expect(await ids('--pool', 'demo', '--kind', 'BatchLockPoolNodes')).toEqual([made[1]]);
    expect(await ids('--pool', pool, '--node', names[1]!)).toEqual([made[3], made[0]]);
    expect(await ids('--kind', 'BatchRebootPoolNodes')).toEqual([]);
    expect(await ids('--limit', '3')).toEqual([made[3], made[2], made[1]]);
  });

  it('refuses a node without its pool, an unknown kind and a bad limit before sending anything (exit 2)', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--node', names[0]!], /--node needs --pool/],
      [['--kind', 'BatchExplode'], /BatchExplode/],
      [['--limit', '0'], /--limit must be a whole number of at least 1/],
    ];
    for (const [args, message] of cases) {
      const run = await cli('operations', 'list', ...args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
    }
  });
});
