/**
 * "The official SDK works unchanged": every call here goes through the official `@huaweicloud/huaweicloud-sdk-core`
 * (ClientBuilder, BasicCredentials, HcClient, its AK/SK signer, axios transport and exception mapping), with the
 * request options the generated ModelArts client builds (see test/helpers/official-sdk.ts).
 */
import { ClientRequestException } from '@huaweicloud/huaweicloud-sdk-core/exception/ClientRequestException.js';
import { ServiceResponseException } from '@huaweicloud/huaweicloud-sdk-core/exception/ServiceResponseException.js';
import type { HcClient } from '@huaweicloud/huaweicloud-sdk-core/HcClient.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOfficialClient, buildOfficialHcClient, ModelArtsPoolClient, type SdkNode, type SdkPool } from '../helpers/official-sdk.js';
import { eventually, startTestService, TEST_AK, TEST_SK, type TestService } from '../helpers/service.js';

const FLAVOR = 'modelarts.vm.gpu.t4u8';
const OTHER_PROJECT = 'fedcba9876543210fedcba9876543210';

let t: TestService;
let sdk: ModelArtsPoolClient;

beforeAll(async () => {
  t = await startTestService({ env: { POOLKEEPER_SIM_NODE_DELETE_SECONDS: '0' } });
  sdk = buildOfficialClient((hc) => new ModelArtsPoolClient(hc), t.url, { accessKey: TEST_AK, secretKey: TEST_SK, projectId: t.projectId });
});

afterAll(async () => {
  await t?.stop();
});

/** Runs `call`, which must fail, and returns the SDK exception it threw. */
async function sdkError(call: () => Promise<unknown>): Promise<ClientRequestException> {
  let thrown: unknown;
  try {
    await call();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'the SDK call should have failed').toBeDefined();
  expect(thrown).toBeInstanceOf(ServiceResponseException);
  expect(thrown).toBeInstanceOf(ClientRequestException);
  return thrown as ClientRequestException;
}

function expectRequestId(error: ClientRequestException): void {
  expect(typeof error.requestId).toBe('string');
  expect(error.requestId!.length).toBeGreaterThan(0);
}

async function allNodeNames(pool: string): Promise<string[]> {
  const list = await sdk.listPoolNodes({ poolName: pool });
  expect(list.httpStatusCode).toBe(200);
  expect(list.metadata?.continue).toBeUndefined();
  return (list.items ?? []).map((node) => node.metadata!.name!);
}

describe('official SDK: pools and nodes', () => {
  it('ListPools returns the demo pool as a PoolList', async () => {
    const list = await sdk.listPools();
    expect(list.httpStatusCode).toBe(200);
    expect(list.apiVersion).toBe('v2');
    expect(list.kind).toBe('PoolList');
    const demo = list.items?.find((pool) => pool.metadata?.name === t.demoPool);
    expect(demo?.metadata?.labels?.['os.modelarts/name']).toBe('demo');
    expect(demo?.kind).toBe('Pool');
  });

  it('ShowPool returns the demo pool with its 8 nodes of resources', async () => {
    const pool = await eventually(async () => {
      const res = await sdk.showPool({ poolName: t.demoPool });
      return res.status?.phase === 'Running' ? res : undefined;
    });
    expect(pool.httpStatusCode).toBe(200);
    expect(pool.apiVersion).toBe('v2');
    expect(pool.kind).toBe('Pool');
    expect(pool.metadata?.name).toBe(t.demoPool);
    expect(pool.spec?.resources).toEqual([expect.objectContaining({ flavor: FLAVOR, count: 8 })]);
    expect(pool.status?.resources?.available).toEqual([{ flavor: FLAVOR, count: 8 }]);
  });

  it('ListPoolNodes pages through all 8 nodes with limit and continue', async () => {
    const all = await allNodeNames(t.demoPool);
    expect(all).toHaveLength(8);
    expect(new Set(all).size).toBe(8);

    const seen: string[] = [];
    const pages: Array<{ size: number; remaining: number | undefined }> = [];
    let token: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await sdk.listPoolNodes({ poolName: t.demoPool, limit: 3, ...(token !== undefined ? { _continue: token } : {}) });
      expect(res.httpStatusCode).toBe(200);
      expect(res.kind).toBe('NodeList');
      seen.push(...(res.items ?? []).map((node) => node.metadata!.name!));
      pages.push({ size: res.items?.length ?? 0, remaining: res.metadata?.remainingItemCount });
      token = res.metadata?.continue;
      if (token === undefined) break;
      expect(typeof token).toBe('string');
    }
    expect(pages).toEqual([
      { size: 3, remaining: 5 },
      { size: 3, remaining: 2 },
      { size: 2, remaining: undefined },
    ]);
    expect(seen).toEqual(all);
  });

  it('ShowPoolNode returns one node', async () => {
    const [name] = await allNodeNames(t.demoPool);
    const node = await sdk.showPoolNode({ poolName: t.demoPool, nodeName: name! });
    expect(node.httpStatusCode).toBe(200);
    expect(node.apiVersion).toBe('v2');
    expect(node.kind).toBe('Node');
    expect(node.metadata?.name).toBe(name);
    expect(node.spec?.flavor).toBe(FLAVOR);
    expect(node.status?.phase).toBe('Available');
  });

  it('BatchUpdatePoolNodes (HA NoExecute, non-ASCII tag with "/") shows on ShowPoolNode', async () => {
    const names = await allNodeNames(t.demoPool);
    const [a, b] = [names[0]!, names[1]!];
    const missing = 'os-node-created-zzzzz';

    const ha = await sdk.batchUpdatePoolNodes({
      poolName: t.demoPool,
      body: { nodeNames: [a, missing, b], action: 'openHaRedundant', haRedundantEffect: 'NoExecute' },
    });
    expect(ha.httpStatusCode).toBe(200);
    expect(ha.successNodeNames).toEqual([a, b]);
    expect(ha.failNodeNames).toEqual([missing]);

    const tags = await sdk.batchUpdatePoolNodes({
      poolName: t.demoPool,
      body: { nodeNames: [a], action: 'createTags', tags: [{ key: '环境', value: 'ci/测试 a=b' }] },
    });
    expect(tags.httpStatusCode).toBe(200);
    expect(tags.successNodeNames).toEqual([a]);
    expect(tags.failNodeNames).toEqual([]);

    const node: SdkNode = await sdk.showPoolNode({ poolName: t.demoPool, nodeName: a });
    expect(node.httpStatusCode).toBe(200);
    expect(node.metadata?.labels?.['os.modelarts.node/ha.redundant.enabled']).toBe('true');
    expect(node.status?.taints).toEqual([
      { key: 'os.modelarts.node/ha.redundant', value: 'true', effect: 'NoExecute', timeAdded: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) },
    ]);
    const annotation = node.metadata?.annotations?.['os.modelarts/tms.tags'];
    expect(typeof annotation).toBe('string');
    expect(JSON.parse(annotation!)).toEqual([{ key: '环境', value: 'ci/测试 a=b' }]);

    const other = await sdk.showPoolNode({ poolName: t.demoPool, nodeName: b });
    expect(other.metadata?.labels?.['os.modelarts.node/ha.redundant.enabled']).toBe('true');
    expect(other.status?.taints?.map((taint) => taint.effect)).toEqual(['NoExecute']);
    expect(other.metadata?.annotations?.['os.modelarts/tms.tags']).toBeUndefined();
  });

  it('CreatePool, PatchPool (scale 2 → 3, application/json) and DeletePool', async () => {
    const name = `sdk-pool-${t.projectId}`;
    const created: SdkPool = await sdk.createPool({
      body: {
        apiVersion: 'v2',
        kind: 'Pool',
        metadata: { labels: { 'os.modelarts/name': 'sdk-pool' }, annotations: { 'os.modelarts/description': '由 SDK 创建' } },
        spec: { type: 'Dedicate', scope: ['Train'], network: { name: 'network-sdk' }, resources: [{ flavor: FLAVOR, count: 2 }] },
      },
    });
    expect(created.httpStatusCode).toBe(200);
    expect(created.kind).toBe('Pool');
    expect(created.metadata?.name).toBe(name);
    expect(created.metadata?.labels?.['os.modelarts/name']).toBe('sdk-pool');
    expect(created.metadata?.annotations?.['os.modelarts/description']).toBe('由 SDK 创建');
    expect(created.spec?.resources).toEqual([expect.objectContaining({ flavor: FLAVOR, count: 2 })]);
    expect(await allNodeNames(name)).toHaveLength(2);

    const patched = await sdk.patchPool({ poolName: name, body: { spec: { resources: [{ flavor: FLAVOR, count: 3 }] } } });
    expect(patched.httpStatusCode).toBe(200);
    expect(patched.metadata?.name).toBe(name);
    expect(patched.spec?.resources).toEqual([expect.objectContaining({ flavor: FLAVOR, count: 3 })]);
    expect(await allNodeNames(name)).toHaveLength(3);

    const deleted = await sdk.deletePool({ poolName: name });
    expect(deleted.httpStatusCode).toBe(200);
    expect(deleted.metadata?.name).toBe(name);
    expect(deleted.metadata?.deletionTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    // The pool goes away; the SDK then reports the 404.
    const gone = await eventually(async () => {
      try {
        await sdk.showPool({ poolName: name });
        return undefined;
      } catch (error) {
        return error;
      }
    });
    expect(gone).toBeInstanceOf(ClientRequestException);
    expect((gone as ClientRequestException).httpStatusCode).toBe(404);
    expect((gone as ClientRequestException).errorCode).toBe('ModelArts.50015001');
  });
});

describe('official SDK: errors surface as SDK exceptions', () => {
  it('404 ModelArts.50015001 for an unknown pool', async () => {
    const error = await sdkError(() => sdk.showPool({ poolName: `nosuch-${t.projectId}` }));
    expect(error.httpStatusCode).toBe(404);
    expect(error.errorCode).toBe('ModelArts.50015001');
    expect(error.errorMsg).toBe('pool not found');
    expectRequestId(error);

    const batch = await sdkError(() =>
      sdk.batchUpdatePoolNodes({ poolName: `nosuch-${t.projectId}`, body: { nodeNames: ['os-node-created-abcde'], action: 'closeHaRedundant' } }),
    );
    expect(batch.httpStatusCode).toBe(404);
    expect(batch.errorCode).toBe('ModelArts.50015001');
    expectRequestId(batch);
  });

  it('404 ModelArts.50005101 for an unknown node', async () => {
    const error = await sdkError(() => sdk.showPoolNode({ poolName: t.demoPool, nodeName: 'os-node-created-zzzzz' }));
    expect(error.httpStatusCode).toBe(404);
    expect(error.errorCode).toBe('ModelArts.50005101');
    expect(error.errorMsg).toBe('Node os-node-created-zzzzz not found.');
    expectRequestId(error);
  });

  it("400 ModelArts.50004000 for the SDK enum's action 'true'", async () => {
    const [name] = await allNodeNames(t.demoPool);
    const error = await sdkError(() => sdk.batchUpdatePoolNodes({ poolName: t.demoPool, body: { nodeNames: [name!], action: 'true' } }));
    expect(error.httpStatusCode).toBe(400);
    expect(error.errorCode).toBe('ModelArts.50004000');
    expect(error.errorMsg).toMatch(/^Bad request\. .*action/);
    expectRequestId(error);
  });

  it('401 APIGW.0301 with a wrong SK', async () => {
    const wrong = buildOfficialClient((hc) => new ModelArtsPoolClient(hc), t.url, { accessKey: TEST_AK, secretKey: `${TEST_SK}x`, projectId: t.projectId });
    const error = await sdkError(() => wrong.listPools());
    expect(error.httpStatusCode).toBe(401);
    expect(error.errorCode).toBe('APIGW.0301');
    expect(error.errorMsg).toMatch(/^Incorrect IAM authentication information: /);
    expectRequestId(error);
    // The failure counter is reset by the next good call, so it cannot lock the shared AK.
    expect((await sdk.listPools()).httpStatusCode).toBe(200);
  });

  it("403 ModelArts.0210 when the credential's project is not the caller's", async () => {
    const stranger = buildOfficialClient((hc) => new ModelArtsPoolClient(hc), t.url, { accessKey: TEST_AK, secretKey: TEST_SK, projectId: OTHER_PROJECT });
    const error = await sdkError(() => stranger.listPools());
    expect(error.httpStatusCode).toBe(403);
    expect(error.errorCode).toBe('ModelArts.0210');
    expect(error.errorMsg).toMatch(/./);
    expectRequestId(error);
  });

  it('403 ModelArts.0210 when a request overrides the path project (X-Project-Id stays the credential one)', async () => {
    // HcClient fills every pathParams entry before the credential fills {project_id}, so an explicit project_id
    // path param wins in the path while the credential still sends its own X-Project-Id.
    const hc: HcClient = buildOfficialHcClient(t.url, { accessKey: TEST_AK, secretKey: TEST_SK, projectId: t.projectId });
    const error = await sdkError(() =>
      hc.sendRequest({
        method: 'GET',
        url: '/v2/{project_id}/pools/{pool_name}',
        contentType: 'application/json',
        queryParams: {},
        pathParams: { project_id: OTHER_PROJECT, pool_name: `demo-${OTHER_PROJECT}` },
        headers: {},
      }),
    );
    expect(error.httpStatusCode).toBe(403);
    expect(error.errorCode).toBe('ModelArts.0210');
    expectRequestId(error);
  });
});

describe('official SDK: query values that need encoding', () => {
  it('ListPools labelSelector=os.modelarts/name=demo is signed and filters', async () => {
    const demo = await sdk.listPools({ labelSelector: 'os.modelarts/name=demo' });
    expect(demo.httpStatusCode).toBe(200);
    expect(demo.items?.map((pool) => pool.metadata?.name)).toEqual([t.demoPool]);

    const none = await sdk.listPools({ labelSelector: 'os.modelarts/name=nope' });
    expect(none.httpStatusCode).toBe(200);
    expect(none.items).toEqual([]);
  });

  it('a selector with a comma, "!" and non-ASCII characters is signed and accepted', async () => {
    const both = await sdk.listPools({ labelSelector: 'os.modelarts/name=demo,!absent.label/x' });
    expect(both.httpStatusCode).toBe(200);
    expect(both.items?.map((pool) => pool.metadata?.name)).toEqual([t.demoPool]);

    const unicode = await sdk.listPools({ labelSelector: 'team=视觉 组', status: 'created' });
    expect(unicode.httpStatusCode).toBe(200);
    expect(unicode.items).toEqual([]);
  });
});
