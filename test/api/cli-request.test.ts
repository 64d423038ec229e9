import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, TEST_AK, TEST_PROJECT_ID, TEST_SK, type TestService } from '../helpers/service.js';

/** `poolkeeper request`: the signed-request CLI the README shows, run as a process against a live service. */
const entry = resolve(import.meta.dirname, '../../dist/src/main.js');
let t: TestService;

beforeAll(async () => {
  t = await startTestService();
});

afterAll(async () => {
  await t.stop();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; `closeOutput` closes the reading end of its stdout at once, as `| head -c 0` would. */
function cli(args: string[], closeOutput = false): Promise<Run> {
  const child = spawn(process.execPath, [entry, 'request', ...args, '--endpoint', t.url], {
    env: { ...process.env, POOLKEEPER_AK: TEST_AK, POOLKEEPER_SK: TEST_SK, POOLKEEPER_PROJECT_ID: TEST_PROJECT_ID, POOLKEEPER_DATA_DIR: t.dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  if (closeOutput) child.stdout.destroy();
  else child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) => child.once('close', (code) => done({ code, stdout, stderr })));
}

describe('poolkeeper request', () => {
  it('prints only the JSON answer on stdout (so it pipes into jq), with {project_id} filled in; the status goes to stderr', async () => {
    const run = await cli(['GET', '/v2/{project_id}/pools']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).items.map((p: { metadata: { name: string } }) => p.metadata.name)).toContain(t.demoPool);
    expect(run.stderr).toMatch(/^HTTP 200 {2}X-Request-Id: [0-9a-f]{32}\n$/);
  });

  it('sends a JSON body and shows the X-Operation-Id of a batch call on stderr', async () => {
    const nodes = await t.client.request<{ items: Array<{ metadata: { name: string } }> }>('GET', `/v2/${TEST_PROJECT_ID}/pools/${t.demoPool}/nodes?limit=1`);
    const body = JSON.stringify({ nodeNames: [nodes.body.items[0]!.metadata.name], action: 'createTags', tags: [{ key: 'cli', value: 'yes' }] });
    const run = await cli(['POST', `/v2/{project_id}/pools/${t.demoPool}/nodes/batch-update`, '--data', body]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/ {2}X-Operation-Id: [0-9a-f-]{36}\n$/);
    expect(JSON.parse(run.stdout)).toEqual({ successNodeNames: [nodes.body.items[0]!.metadata.name], failNodeNames: [] });
  });

  it('-i prints the status line and the headers on stdout before the body', async () => {
    const run = await cli(['GET', `/v2/{project_id}/pools/${t.demoPool}`, '-i']);
    expect(run.code).toBe(0);
    const [head, body] = run.stdout.split('\n\n');
    expect(head).toMatch(/^HTTP 200\n/);
    expect(head).toMatch(/\ncontent-type: application\/json/);
    expect(JSON.parse(body!).metadata.name).toBe(t.demoPool);
  });

  it('exits 1 on an error answer, and 4 when a batch call failed for every node', async () => {
    const run = await cli(['GET', `/v2/{project_id}/pools/nosuch-${TEST_PROJECT_ID}`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('HTTP 404');
    expect(JSON.parse(run.stdout)).toEqual({ error_code: 'ModelArts.50015001', error_msg: 'pool not found' });
    const failed = await cli(['POST', `/v2/{project_id}/pools/${t.demoPool}/nodes/batch-update`, '--data', '{"nodeNames":["os-node-created-abcde"],"action":"closeHaRedundant"}']);
    expect(failed.code).toBe(4);
  });

  it('refuses a --data that is not JSON without sending it (exit 2)', async () => {
    const run = await cli(['POST', `/v2/{project_id}/pools/${t.demoPool}/nodes/batch-update`, '--data', '{nodeNames']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('poolkeeper: --data is not valid JSON');
  });

  it('ends quietly when its reader stops early (| head)', async () => {
    const run = await cli(['GET', `/v2/{project_id}/pools/${t.demoPool}/nodes`], true);
    expect(run.stderr).not.toContain('Error');
    expect(run.code).toBe(0);
  });
});
