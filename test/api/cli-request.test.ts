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
  it('prints the status, the request id and the JSON answer of a signed call, with {project_id} filled in', async () => {
    const run = await cli(['GET', '/v2/{project_id}/pools']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^HTTP 200\nX-Request-Id: [0-9a-f]{32}\n/);
    expect(JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))).items.map((p: { metadata: { name: string } }) => p.metadata.name)).toContain(t.demoPool);
  });

  it('sends a JSON body and shows the X-Operation-Id of a batch call', async () => {
    const nodes = await t.client.request<{ items: Array<{ metadata: { name: string } }> }>('GET', `/v2/${TEST_PROJECT_ID}/pools/${t.demoPool}/nodes?limit=1`);
    const body = JSON.stringify({ nodeNames: [nodes.body.items[0]!.metadata.name], action: 'createTags', tags: [{ key: 'cli', value: 'yes' }] });
    const run = await cli(['POST', `/v2/{project_id}/pools/${t.demoPool}/nodes/batch-update`, '--data', body]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\nX-Operation-Id: [0-9a-f-]{36}\n/);
    expect(JSON.parse(run.stdout.slice(run.stdout.indexOf('{')))).toEqual({ successNodeNames: [nodes.body.items[0]!.metadata.name], failNodeNames: [] });
  });

  it('exits 1 on an error answer', async () => {
    const run = await cli(['GET', `/v2/{project_id}/pools/nosuch-${TEST_PROJECT_ID}`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('HTTP 404');
  });

  it('ends quietly when its reader stops early (| head)', async () => {
    const run = await cli(['GET', `/v2/{project_id}/pools/${t.demoPool}/nodes`], true);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});
