import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { freePort, isolatedEnv, runCli, type CliRun } from '../helpers/cli.js';
import { demoNodeNames, startTestService, TEST_AK, TEST_PROJECT_ID, TEST_SK, type TestService } from '../helpers/service.js';

/**
 * The node, pool and operation commands as a process against one live service on loopback (SQLite). Batch calls
 * take at most 3 nodes here (POOLKEEPER_MAX_BATCH_NODES), so every command over the demo pool's 8 nodes is chunked.
 */
let t: TestService;
let env: NodeJS.ProcessEnv;
let names: string[];
const pool = `demo-${TEST_PROJECT_ID}`;

interface NodeJson {
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  status: { phase: string; driver?: { version: string; phase: string }; taints: Array<{ key: string; value: string; effect: string }> };
}
interface BatchJson {
  pool: string;
  action: string;
  operationIds: string[];
  summary: { nodes: number; succeeded: number; failed: number; inProgress: number };
  nodes: Array<{ name: string; status: string; errorCode?: string; errorMsg?: string }>;
}

const cli = (...args: string[]): Promise<CliRun> => runCli(args, env);
const json = <T>(run: CliRun): T => JSON.parse(run.stdout) as T;

async function node(name: string): Promise<NodeJson> {
  return (await t.client.request<NodeJson>('GET', `/v2/${TEST_PROJECT_ID}/pools/${pool}/nodes/${name}`)).body;
}

function tagsOf(n: NodeJson): Record<string, string> {
  const raw = n.metadata.annotations['os.modelarts/tms.tags'];
  return Object.fromEntries((raw ? (JSON.parse(raw) as Array<{ key: string; value: string }>) : []).map((tag) => [tag.key, tag.value]));
}

beforeAll(async () => {
  t = await startTestService({
    env: {
      POOLKEEPER_MAX_BATCH_NODES: '3',
      POOLKEEPER_SIM_REBOOT_SECONDS: '1',
      POOLKEEPER_SIM_DRIVER_UPGRADE_SECONDS: '1',
      POOLKEEPER_SIM_DRAIN_SECONDS: '0',
      POOLKEEPER_SIM_NODE_DELETE_SECONDS: '0',
    },
  });
  names = await demoNodeNames(t);
  env = isolatedEnv({ POOLKEEPER_ENDPOINT: t.url, POOLKEEPER_AK: TEST_AK, POOLKEEPER_SK: TEST_SK, POOLKEEPER_PROJECT_ID: TEST_PROJECT_ID });
});

afterAll(async () => {
  await t.stop();
});

describe('nodes list and show', () => {
  it('prints every output format: table, wide, json (the API objects), yaml and name', async () => {
    const [table, wide, asJson, asYaml, asNames] = await Promise.all([
      cli('nodes', 'list', 'demo', '-o', 'table'),
      cli('nodes', 'list', pool, '-o', 'wide'),
      cli('nodes', 'list', 'demo', '-o', 'json'),
      cli('nodes', 'list', 'demo', '-o', 'yaml'),
      cli('nodes', 'list', 'demo', '-o', 'name'),
    ]);
    for (const run of [table, wide, asJson, asYaml, asNames]) expect(run.code, run.stderr).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+PHASE\s+FLAVOR\s+DRIVER\s+TAGS\s+TAINTS$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(names);
    expect(lines[1]).toMatch(/Available\s+modelarts\.vm\.gpu\.t4u8\s+535\.54\.03 \(Running\)/);
    expect(wide.stdout.split('\n')[0]).toMatch(/TAINTS\s+AZ\s+IP\s+LOCKED\s+DRAIN\s+CREATED$/);
    const api = (await t.client.request<{ items: NodeJson[] }>('GET', `/v2/${TEST_PROJECT_ID}/pools/${pool}/nodes`)).body.items;
    expect(json<NodeJson[]>(asJson)).toEqual(api);
    expect(parseYaml(asYaml.stdout)).toEqual(api);
    expect(asNames.stdout).toBe(names.map((n) => `${n}\n`).join(''));
  });

  it('defaults to JSON when stdout is not a terminal, and shows one node', async () => {
    const run = await cli('nodes', 'show', 'demo', names[0]!);
    expect(run.code).toBe(0);
    expect(json<NodeJson>(run)).toEqual(await node(names[0]!));
  });

  it('applies --query (JMESPath) to the JSON document, in any format', async () => {
    const query = "[?status.phase=='Available'].metadata.name | [0:2]";
    const [asJson, asTable] = await Promise.all([cli('nodes', 'list', 'demo', '--query', query, '-o', 'json'), cli('nodes', 'list', 'demo', '--query', query, '-o', 'table')]);
    expect(json<string[]>(asJson)).toEqual(names.slice(0, 2));
    expect(asTable.stdout).toBe(`${names[0]}\n${names[1]}\n`);
    const bad = await cli('nodes', 'list', 'demo', '--query', '[?');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--query is not a valid JMESPath expression');
  });
});

describe('selectors', () => {
  it('select by tag, label, taint and field, with =, !=, in, notin, exists and !exists', async () => {
    const tagged = await cli('nodes', 'tag', 'demo', names[0]!, names[1]!, '--tag', 'team=a', '-o', 'json');
    expect(tagged.code, tagged.stderr).toBe(0);
    expect((await cli('nodes', 'tag', 'demo', names[2]!, '--tag', 'team=b')).code).toBe(0);
    const open = await cli('nodes', 'ha', 'open', 'demo', '-l', 'tag:team=a', '--effect', 'NoExecute', '-o', 'name');
    expect(open.code, open.stderr).toBe(0);
    expect(open.stdout).toBe(`${names[0]}\n${names[1]}\n`);
    const pick = async (selector: string) => {
      const run = await cli('nodes', 'list', 'demo', '-l', selector, '-o', 'name');
      expect(run.code, run.stderr).toBe(0);
      return run.stdout.trim().split('\n').filter(Boolean);
    };
    const cases: Array<[string, string[]]> = [
      ['tag:team', names.slice(0, 3)],
      ['tag:team in (a, b),tag:team!=b', names.slice(0, 2)],
      ['!tag:team', names.slice(3)],
      ['tag:team notin (a)', names.slice(2)],
      ['os.modelarts.node/ha.redundant.enabled=true', names.slice(0, 2)],
      ['taint:os.modelarts.node/ha.redundant', names.slice(0, 2)],
      ['phase=Available,driver==535.54.03,flavor=modelarts.vm.gpu.t4u8,!tag:team', names.slice(3)],
      ['phase=Abnormal', []],
    ];
    const picked = await Promise.all(cases.map(([selector]) => pick(selector)));
    expect(picked).toEqual(cases.map(([, expected]) => expected));
    const bad = await cli('nodes', 'list', 'demo', '-l', 'weird:x=1');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown prefix "weird:"');
    const closed = await cli('nodes', 'ha', 'close', 'demo', '-l', 'tag:team=a', '-o', 'name');
    expect(closed.code).toBe(0);
    expect((await node(names[0]!)).status.taints).toEqual([]);
  });
});

describe('batch commands', () => {
  it('--dry-run prints the resolved nodes and the chunked requests, and sends nothing', async () => {
    const run = await cli('nodes', 'delete', 'demo', '--all', '--dry-run', '-o', 'json');
    expect(run.code, run.stderr).toBe(0);
    const plan = json<{ dryRun: boolean; nodes: string[]; requests: Array<{ method: string; path: string; body: { deleteNodeNames: string[] } }> }>(run);
    expect(plan.dryRun).toBe(true);
    expect(plan.nodes).toEqual(names);
    expect(plan.requests.map((r) => r.body.deleteNodeNames)).toEqual([names.slice(0, 3), names.slice(3, 6), names.slice(6)]);
    expect(plan.requests[0]!.path).toBe(`/v2/${TEST_PROJECT_ID}/pools/${pool}/nodes/batch-delete`);
    const tag = await cli('nodes', 'tag', 'demo', '-l', '!tag:team', '--tag', 'dry=run', '--dry-run', '-o', 'table');
    expect(tag.code).toBe(0);
    expect(tag.stdout).toContain(`POST /v2/${TEST_PROJECT_ID}/pools/${pool}/nodes/batch-update {"nodeNames":`);
    const after = (await t.client.request<{ items: NodeJson[] }>('GET', `/v2/${TEST_PROJECT_ID}/pools/${pool}/nodes`)).body.items;
    expect(after.map((n) => n.metadata.name)).toEqual(names);
    expect(after.every((n) => tagsOf(n).dry === undefined && n.status.phase === 'Available')).toBe(true);
  });

  it('chunks a selection to the published limit and reports every node', async () => {
    const run = await cli('nodes', 'tag', 'demo', '--all', '--tag', 'wave=1', '-o', 'json');
    expect(run.code, run.stderr).toBe(0);
    const result = json<BatchJson>(run);
    expect(result.operationIds).toHaveLength(3);
    expect(result.summary).toEqual({ nodes: 8, succeeded: 8, failed: 0, inProgress: 0 });
    for (const name of names) expect(tagsOf(await node(name)).wave).toBe('1');
  });

  it('exits 3 when some nodes fail and 4 when all do, printing each failure with its code and reason', async () => {
    const some = await cli('nodes', 'lock', 'demo', names[7]!, 'missing-node-1', '-o', 'json');
    expect(some.code).toBe(3);
    const failed = json<BatchJson>(some).nodes.find((n) => n.status === 'failed')!;
    expect(failed).toMatchObject({ name: 'missing-node-1', errorCode: 'ModelArts.50005101', errorMsg: 'Node missing-node-1 not found.' });
    const all = await cli('nodes', 'untag', 'demo', 'missing-node-1', 'missing-node-2', '--tag', 'wave', '-o', 'name');
    expect(all.code).toBe(4);
    expect(all.stdout).toBe('');
    expect(all.stderr).toContain('node missing-node-2 failed: ModelArts.50005101 Node missing-node-2 not found.');
    const table = await cli('nodes', 'unlock', 'demo', names[7]!, 'missing-node-3', '-o', 'table');
    expect(table.code).toBe(3);
    expect(table.stdout).toMatch(/missing-node-3\s+failed\s+ModelArts\.50005101\s+Node missing-node-3 not found\./);
  });

  it('--wait follows each reboot to its completion in the operation record, and reports injected failures', async () => {
    const fault = await t.client.request('POST', `/_poolkeeper/v1/${TEST_PROJECT_ID}/faults`, { match: { nodes: [names[4]!] }, fail: 'reboot' });
    expect(fault.status).toBe(200);
    const run = await cli('nodes', 'reboot', 'demo', names[3]!, names[4]!, '--wait', '--timeout', '30s', '-o', 'json');
    expect(run.code, run.stderr).toBe(3);
    const result = json<BatchJson>(run);
    expect(result.nodes).toEqual([
      expect.objectContaining({ name: names[3], status: 'succeeded' }),
      expect.objectContaining({ name: names[4], status: 'failed', errorCode: 'ModelArts.50005202' }),
    ]);
    expect(run.stderr).toContain('reboot: waiting for 2 nodes');
    expect(run.stderr).toMatch(new RegExp(`\\[\\d/2\\] ${names[3]} succeeded`));
    expect(run.stderr).toMatch(new RegExp(`\\[\\d/2\\] ${names[4]} failed: ModelArts\\.50005202`));
    expect((await node(names[3]!)).status.phase).toBe('Available');
    expect((await node(names[4]!)).status.phase).toBe('Abnormal');
  });

  it('exits 5 when --wait runs out; `operations wait` then follows the same operation to its end', async () => {
    const run = await cli('nodes', 'reboot', 'demo', names[5]!, '--wait', '--timeout', '100ms', '-o', 'json');
    expect(run.code).toBe(5);
    const result = json<BatchJson>(run);
    expect(result.summary.inProgress).toBe(1);
    const waited = await cli('operations', 'wait', result.operationIds[0]!, '--timeout', '30s', '-o', 'json');
    expect(waited.code, waited.stderr).toBe(0);
    expect(json<BatchJson>(waited).nodes).toEqual([expect.objectContaining({ name: names[5], status: 'succeeded' })]);
    const shown = await cli('operations', 'show', result.operationIds[0]!, '-o', 'json');
    expect(json<{ operation: string; nodes: Array<{ completion?: { status: string } }> }>(shown)).toMatchObject({ operation: 'BatchRebootPoolNodes', nodes: [{ completion: { status: 'succeeded' } }] });
  });

  it('upgrade-driver --wait ends with the new version and leaves each node’s HA state as it was', async () => {
    expect((await cli('nodes', 'ha', 'open', 'demo', names[0]!, '--effect', 'NoExecute')).code).toBe(0);
    const run = await cli('nodes', 'upgrade-driver', 'demo', names[0]!, names[1]!, '--version', '550.1', '--strategy', 'force', '--wait', '-o', 'json');
    expect(run.code, run.stderr).toBe(0);
    expect(json<BatchJson>(run).summary).toEqual({ nodes: 2, succeeded: 2, failed: 0, inProgress: 0 });
    const [first, second] = [await node(names[0]!), await node(names[1]!)];
    expect(first.status.driver).toEqual({ version: '550.1', phase: 'Running' });
    expect(second.status.driver).toEqual({ version: '550.1', phase: 'Running' });
    expect(first.metadata.labels['os.modelarts.node/ha.redundant.enabled']).toBe('true');
    expect(first.status.taints).toContainEqual(expect.objectContaining({ key: 'os.modelarts.node/ha.redundant', effect: 'NoExecute' }));
    expect(second.status.taints.some((x) => x.key === 'os.modelarts.node/ha.redundant')).toBe(false);
    const bad = await cli('nodes', 'upgrade-driver', 'demo', names[0]!, '--version', '550.2', '--strategy', 'sometime');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("argument 'sometime' is invalid. Allowed choices are force, idle.");
    const version = await cli('nodes', 'upgrade-driver', 'demo', names[0]!, '--version', 'v 1');
    expect(version.code).toBe(2);
    expect(version.stderr).toContain("the request would be refused: driver.version: must be 1-64 characters of letters, digits, '.', '_' or '-'");
  });

  it('drain and delete --wait end when the nodes are drained and gone', async () => {
    const drained = await cli('nodes', 'drain', 'demo', names[6]!, '--wait', '-o', 'name');
    expect(drained.code, drained.stderr).toBe(0);
    expect((await node(names[6]!)).metadata.annotations['os.modelarts.node/drain']).toBe('Drained');
    const deleted = await cli('nodes', 'delete', 'demo', names[6]!, '--wait', '-o', 'json');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(json<BatchJson>(deleted).nodes).toEqual([expect.objectContaining({ name: names[6], status: 'succeeded' })]);
    expect((await t.client.request('GET', `/v2/${TEST_PROJECT_ID}/pools/${pool}/nodes/${names[6]}`)).status).toBe(404);
  });
});

describe('pools', () => {
  it('create, scale and delete with --wait, and list as a table', async () => {
    const created = await cli('pools', 'create', 'clitest', '--flavor', 'modelarts.vm.cpu.8ud', '--count', '2', '--wait', '-o', 'json');
    expect(created.code, created.stderr).toBe(0);
    expect(json<BatchJson>(created).summary).toEqual({ nodes: 2, succeeded: 2, failed: 0, inProgress: 0 });
    const scaled = await cli('pools', 'scale', 'clitest', '--count', '3', '--wait', '-o', 'json');
    expect(scaled.code, scaled.stderr).toBe(0);
    expect(json<BatchJson>(scaled).summary.succeeded).toBe(1);
    const list = await cli('pools', 'list', '-o', 'table');
    expect(list.stdout).toMatch(new RegExp(`clitest-${TEST_PROJECT_ID}\\s+Running\\s+3/3\\s+modelarts\\.vm\\.cpu\\.8ud×3`));
    const invalid = await cli('pools', 'create', 'X', '--flavor', 'modelarts.vm.cpu.8ud', '--count', '1');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('HTTP 400 ModelArts.50004000: Bad request. metadata.labels.os.modelarts/name must match pattern');
    const deleted = await cli('pools', 'delete', 'clitest', '--wait', '-o', 'json');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect((await t.client.request('GET', `/v2/${TEST_PROJECT_ID}/pools/clitest-${TEST_PROJECT_ID}`)).status).toBe(404);
  });
});

describe('errors and credentials', () => {
  it('exits 1 on a refused request, 2 on a usage error, 6 when the service cannot be reached', async () => {
    const missing = await cli('pools', 'show', 'nosuch');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('HTTP 404 ModelArts.50015001: pool not found');
    const usage = await cli('nodes', 'lock', 'demo');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('name the nodes, or select them with -l SELECTOR, or use --all');
    expect((await cli('nodes', 'lock', 'demo', '--frobnicate')).code).toBe(2);
    const port = await freePort();
    const down = await runCli(['pools', 'list'], { ...env, POOLKEEPER_ENDPOINT: `http://127.0.0.1:${port}` });
    expect(down.code).toBe(6);
    expect(down.stderr).toContain(`cannot reach the service at http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(down.stderr).not.toContain('fetch failed');
  });

  it('a wrong SK is refused (exit 1) and never printed', async () => {
    const run = await runCli(['pools', 'list', '--ak', TEST_AK, '--sk', 'not-the-secret-key'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('HTTP 401 APIGW.0301');
    expect(run.stdout + run.stderr).not.toContain('not-the-secret-key');
  });

  it('a temporary key works with its security token and is refused without it; tokens and password logins work', async () => {
    const key = await t.client.request<{ accessKey: string; secretKey: string; securityToken: string }>('POST', '/_poolkeeper/v1/iam/users/admin/access-keys', {
      temporary: { durationSeconds: 900 },
    });
    expect(key.status).toBe(201);
    const base = { ...env, POOLKEEPER_AK: key.body.accessKey, POOLKEEPER_SK: key.body.secretKey };
    const withToken = await runCli(['pools', 'list', '-o', 'name'], { ...base, POOLKEEPER_SECURITY_TOKEN: key.body.securityToken });
    expect(withToken.code, withToken.stderr).toBe(0);
    expect(withToken.stdout).toContain(pool);
    const flag = await runCli(['pools', 'list', '-o', 'name', '--security-token', key.body.securityToken], base);
    expect(flag.code, flag.stderr).toBe(0);
    const without = await runCli(['pools', 'list'], base);
    expect(without.code).toBe(1);
    expect(without.stderr).toContain('temporary credentials need a signed X-Security-Token header');

    expect((await t.client.request('PUT', '/_poolkeeper/v1/iam/users/admin/password', { password: 'admin-password-1' })).status).toBe(204);
    const noKeys = { ...env, POOLKEEPER_AK: undefined, POOLKEEPER_SK: undefined, POOLKEEPER_PROJECT_ID: undefined };
    const login = await runCli(['pools', 'list', '-o', 'name', '--user', 'admin', '--project', 'local-1'], { ...noKeys, POOLKEEPER_PASSWORD: 'admin-password-1' });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain(pool);
    const wrong = await runCli(['pools', 'list', '--user', 'admin', '--project', 'local-1'], { ...noKeys, POOLKEEPER_PASSWORD: 'wrong-password' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('IAM.0101');
    const issued = await fetch(`${t.url}/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'admin', password: 'admin-password-1', domain: { name: 'poolkeeper' } } } }, scope: { project: { name: 'local-1' } } } }),
    });
    const token = issued.headers.get('x-subject-token')!;
    const byToken = await runCli(['nodes', 'list', 'demo', '-o', 'name', '--token', token, '--project', TEST_PROJECT_ID], noKeys);
    expect(byToken.code, byToken.stderr).toBe(0);
    expect(byToken.stdout.split('\n').filter(Boolean)).toHaveLength(7);
  });
});
