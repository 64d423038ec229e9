/**
 * The explorer's sample code (web/lib/samples.ts, the module the page renders): the Node.js sample for a batch-update
 * runs as printed with `node` against a live service and changes the nodes; the other languages name the SDKs' own
 * request classes, and say so when an SDK has no method for the operation.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSamples, type Sample, type SampleRequest } from '../../web/lib/samples.js';
import { demoNodeNames, startTestService, TEST_AK, TEST_SK, type TestService } from '../helpers/service.js';

const ROOT = resolve(import.meta.dirname, '../..');
// Inside the repository, so that `node` resolves @huaweicloud/huaweicloud-sdk-core from its node_modules.
const SAMPLES = join(ROOT, 'test-results', 'samples');

let t: TestService;

beforeAll(async () => {
  t = await startTestService();
  mkdirSync(SAMPLES, { recursive: true });
});

afterAll(async () => {
  await t?.stop();
});

function sample(samples: Sample[], language: Sample['language']): Sample {
  return samples.find((s) => s.language === language)!;
}

function runNode(file: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [file], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('error', fail);
    child.once('exit', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

describe('the Node.js sample', () => {
  it('runs as printed with the official SDK core, puts two nodes in HA standby with NoExecute, and prints the answer', async () => {
    const [first, second] = await demoNodeNames(t);
    const request: SampleRequest = {
      operationId: 'BatchUpdatePoolNodes',
      method: 'POST',
      pathTemplate: '/v2/{project_id}/pools/{pool_name}/nodes/batch-update',
      pathParams: { pool_name: t.demoPool },
      query: {},
      body: { nodeNames: [first, second], action: 'openHaRedundant', haRedundantEffect: 'NoExecute' },
      extension: false,
    };
    const node = sample(buildSamples(request, { endpoint: t.url, projectId: t.projectId }), 'node');
    expect(node.code).not.toContain(TEST_SK);
    const file = join(SAMPLES, `${Date.now()}-${node.filename}`);
    writeFileSync(file, node.code);
    try {
      const run = await runNode(file, { HUAWEICLOUD_SDK_AK: TEST_AK, HUAWEICLOUD_SDK_SK: TEST_SK });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const printed = JSON.parse(run.stdout) as { httpStatusCode: number; successNodeNames: string[]; failNodeNames: string[]; 'X-Operation-Id': string };
      expect(printed.httpStatusCode).toBe(200);
      expect(printed.successNodeNames).toEqual([first, second]);
      expect(printed.failNodeNames).toEqual([]);
      expect(printed['X-Operation-Id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(run.stdout).not.toContain(TEST_SK);
    } finally {
      rmSync(file, { force: true });
    }

    for (const name of [first!, second!]) {
      const shown = await t.client.request<{ metadata: { labels: Record<string, string> }; status: { taints: Array<{ key: string; effect: string }> } }>(
        'GET',
        `/v2/${t.projectId}/pools/${t.demoPool}/nodes/${name}`,
      );
      expect(shown.body.metadata.labels['os.modelarts.node/ha.redundant.enabled']).toBe('true');
      expect(shown.body.status.taints).toContainEqual(expect.objectContaining({ key: 'os.modelarts.node/ha.redundant', effect: 'NoExecute' }));
    }
  });

  it('exits non-zero and prints the error code when the service refuses the request', async () => {
    const request: SampleRequest = {
      operationId: 'BatchUpdatePoolNodes',
      method: 'POST',
      pathTemplate: '/v2/{project_id}/pools/{pool_name}/nodes/batch-update',
      pathParams: { pool_name: t.demoPool },
      query: {},
      body: { nodeNames: ['os-node-created-aaaaa'], action: 'true' },
      extension: false,
    };
    const node = sample(buildSamples(request, { endpoint: t.url, projectId: t.projectId }), 'node');
    const file = join(SAMPLES, `${Date.now()}-bad-${node.filename}`);
    writeFileSync(file, node.code);
    try {
      const run = await runNode(file, { HUAWEICLOUD_SDK_AK: TEST_AK, HUAWEICLOUD_SDK_SK: TEST_SK });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('HTTP 400 ModelArts.50004000');
    } finally {
      rmSync(file, { force: true });
    }
  });
});

describe('the other languages', () => {
  const ctx = { endpoint: 'http://127.0.0.1:9710', projectId: '0123456789abcdef0123456789abcdef' };
  const batchUpdate: SampleRequest = {
    operationId: 'BatchUpdatePoolNodes',
    method: 'POST',
    pathTemplate: '/v2/{project_id}/pools/{pool_name}/nodes/batch-update',
    pathParams: { pool_name: 'demo-0123456789abcdef0123456789abcdef' },
    query: {},
    body: { nodeNames: ['os-node-created-abcde'], action: 'createTags', tags: [{ key: "it's", value: '测试' }] },
    extension: false,
  };

  it('use the ModelArts SDKs’ request and body classes, with the secret key read from the environment', () => {
    const samples = buildSamples(batchUpdate, ctx);
    expect(sample(samples, 'python').code).toContain('from huaweicloudsdkmodelarts.v1 import ModelArtsClient, BatchUpdatePoolNodesRequest');
    expect(sample(samples, 'python').code).toContain('client.batch_update_pool_nodes(request)');
    expect(sample(samples, 'python').code).toContain('pool_name="demo-0123456789abcdef0123456789abcdef"');
    expect(sample(samples, 'java').code).toContain('JsonUtils.toObject(');
    expect(sample(samples, 'java').code).toContain('BatchUpdatePoolNodesRequestBody.class');
    expect(sample(samples, 'java').code).toContain('client.batchUpdatePoolNodes(request)');
    expect(sample(samples, 'go').code).toContain('body := &model.BatchUpdatePoolNodesRequestBody{}');
    expect(sample(samples, 'go').code).toContain('client.BatchUpdatePoolNodes(request)');
    expect(sample(samples, 'cli').code).toContain(`--data '{"nodeNames":["os-node-created-abcde"],"action":"createTags","tags":[{"key":"it'\\''s","value":"测试"}]}'`);
    for (const s of samples) expect(s.note, s.language).toBeUndefined();
    for (const s of samples.filter((s) => s.language !== 'cli')) expect(s.code, s.language).toMatch(/HUAWEICLOUD_SDK_SK/);
  });

  it('note that the Node.js ModelArts client lacks BatchDrainPoolNodes and send the generic request', () => {
    const samples = buildSamples({ ...batchUpdate, operationId: 'BatchDrainPoolNodes', pathTemplate: '/v2/{project_id}/pools/{pool_name}/nodes/batch-drain', body: { nodeNames: ['a'] } }, ctx);
    expect(sample(samples, 'node').note).toMatch(/has no BatchDrainPoolNodes/);
    expect(sample(samples, 'go').code).toContain('model.BatchDrainPoolNodesReq{}');
    expect(sample(samples, 'python').note).toBeUndefined();
  });

  it('note that no SDK has poolkeeper’s extensions and show the generic request', () => {
    const samples = buildSamples(
      { operationId: 'ShowOperation', method: 'GET', pathTemplate: '/_poolkeeper/v1/{project_id}/operations/{operation_id}', pathParams: { operation_id: '01a23c3c-af2e-7589-a41d-a2c3212405f5' }, query: {}, extension: true },
      ctx,
    );
    for (const language of ['python', 'java', 'go'] as const) {
      const s = sample(samples, language);
      expect(s.note).toMatch(/poolkeeper extension/);
      expect(s.code).toContain(`GET http://127.0.0.1:9710/_poolkeeper/v1/${ctx.projectId}/operations/01a23c3c-af2e-7589-a41d-a2c3212405f5`);
    }
    expect(sample(samples, 'node').code).toContain("url: \"/_poolkeeper/v1/{project_id}/operations/{operation_id}\"");
  });
});
