/**
 * The read calls answer the very same bytes for the same state: a fixed seed written at a fixed time, a few fixed
 * writes through the API, then every read's exact body is compared with the bytes the service answered before its
 * read paths were reworked (test/api/__fixtures__/read-answers.json, the same on both dialects). Each answer is also read through the
 * official SDK, which must parse it into exactly what the bytes say.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../src/client/signer.js';
import { TEST_DIALECT } from '../helpers/databases.js';
import { buildOfficialClient, ModelArtsPoolClient } from '../helpers/official-sdk.js';
import { ManualClock, startTestService, type TestService } from '../helpers/service.js';

const PROJECT = '5eed0000000000000000000000000001';
const ACCESS_KEY = 'READSACCESSKEY000001';
const SECRET_KEY = 'reads-secret-key-0001';
/** When the seed is written: every stored timestamp the reads show. */
const SEEDED_AT = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

const SEED = `
accounts:
  - name: acme
    projects:
      - name: reads
        id: ${PROJECT}
        pools:
          - name: train
            flavor: modelarts.vm.gpu.t4u8
            labels: { os.modelarts/workspace.id: ws-1, team: vision }
            nodes:
              - name: gpu-a1
                tags: { team: a, Zone: b, 环境: 测试 }
                labels: { rack: r1, Accel: t4 }
              - name: gpu-a2
                phase: Abnormal
                taints:
                  - { key: maintenance, value: "true", effect: NoSchedule }
                  - { key: Alpha, effect: NoExecute }
              - name: cpu-a3
                flavor: modelarts.vm.cpu.8ud
              - name: gpu-a4
                driverVersion: 470.57.02
              - name: gpu-a5
                phase: Checking
          - name: ascend
            flavor: modelarts.bm.npu.arm.8snt9b3.d
            scope: [Train, Infer]
            nodes: [{ name: npu-1 }, { name: npu-2, driverVersion: 23.0.rc2 }]
          - name: empty-ish
            flavor: modelarts.vm.cpu.8ud
            nodes: [{ name: only-1 }]
    users:
      - name: reader
        projects: [reads]
        policies: [ModelArtsResourceManagementAllPolicy]
        accessKeys: [{ accessKey: ${ACCESS_KEY}, secretKey: ${SECRET_KEY} }]
`;

const pool = (name: string) => `${name}-${PROJECT}`;

/** Every read the test compares, by a readable name: the path and query as sent. */
const READS: Array<[name: string, path: string]> = [
  ['ListPools', `/v2/${PROJECT}/pools`],
  ['ListPools labelSelector', `/v2/${PROJECT}/pools?labelSelector=${encodeURIComponent('team=vision')}`],
  ['ListPools status', `/v2/${PROJECT}/pools?status=created`],
  ...['train', 'ascend', 'empty-ish'].map((name): [string, string] => [`ShowPool ${name}`, `/v2/${PROJECT}/pools/${pool(name)}`]),
  ['ShowPool missing', `/v2/${PROJECT}/pools/${pool('missing')}`],
  ['ListPoolNodes train', `/v2/${PROJECT}/pools/${pool('train')}/nodes`],
  ['ListPoolNodes train limit=2', `/v2/${PROJECT}/pools/${pool('train')}/nodes?limit=2`],
  ['ListPoolNodes ascend', `/v2/${PROJECT}/pools/${pool('ascend')}/nodes`],
  ['ListPoolNodes missing pool', `/v2/${PROJECT}/pools/${pool('missing')}/nodes`],
  ...['gpu-a1', 'gpu-a2', 'cpu-a3', 'gpu-a4', 'gpu-a5'].map((node): [string, string] => [`ShowPoolNode ${node}`, `/v2/${PROJECT}/pools/${pool('train')}/nodes/${node}`]),
  ...['npu-1', 'npu-2'].map((node): [string, string] => [`ShowPoolNode ${node}`, `/v2/${PROJECT}/pools/${pool('ascend')}/nodes/${node}`]),
  ['ShowPoolNode missing node', `/v2/${PROJECT}/pools/${pool('train')}/nodes/nope-1`],
  ['ShowPoolNode missing pool', `/v2/${PROJECT}/pools/${pool('missing')}/nodes/gpu-a1`],
];

let t: TestService;
let clock: ManualClock;
let seedDir: string;
let sdk: ModelArtsPoolClient;
let accountId: string;

async function send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const url = new URL(path, t.url);
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers = signRequest(
    { method, url, headers: text === undefined ? {} : { 'Content-Type': 'application/json' }, body: text },
    { accessKey: ACCESS_KEY, secretKey: SECRET_KEY },
    new Date(clock.now()),
  );
  const response = await fetch(url, { method, headers, body: text });
  return { status: response.status, text: await response.text() };
}

/** The answer's bytes with what differs from run to run (the account's generated id, a request id) named instead. */
function normalized(text: string): string {
  return text.replaceAll(accountId, '<account-id>').replace(/"request_id":"[0-9a-f]{32}"/g, '"request_id":"<request-id>"');
}

beforeAll(async () => {
  seedDir = mkdtempSync(join(tmpdir(), 'poolkeeper-read-answers-'));
  writeFileSync(join(seedDir, 'seed.yaml'), SEED);
  clock = new ManualClock(SEEDED_AT);
  t = await startTestService({ clock, env: { POOLKEEPER_SEED: join(seedDir, 'seed.yaml'), POOLKEEPER_SEED_DEMO: '0' } });
  // The writes below happen a minute later (the drain's taint shows when); requests are signed at the service's time.
  clock.advance(60_000);
  sdk = buildOfficialClient((hc) => new ModelArtsPoolClient(hc), t.url, { accessKey: ACCESS_KEY, secretKey: SECRET_KEY, projectId: PROJECT });
  const shown = JSON.parse((await send('GET', `/v2/${PROJECT}/pools/${pool('train')}`)).text) as { metadata: { labels: Record<string, string> } };
  accountId = shown.metadata.labels['os.modelarts/tenant.domain.id']!;
  // Writes whose effects the reads show: tags, locks, a drain, through the API.
  const batch = `/v2/${PROJECT}/pools/${pool('train')}/nodes`;
  for (const [path, body] of [
    [`${batch}/batch-update`, { nodeNames: ['cpu-a3', 'gpu-a4'], action: 'createTags', tags: [{ key: 'owner', value: 'ops' }, { key: 'Cost', value: '7' }] }],
    [`${batch}/batch-lock`, { nodeNames: ['gpu-a1'], actions: ['delete'] }],
    [`${batch}/batch-drain`, { nodeNames: ['cpu-a3'] }],
  ] as const) {
    const answer = await send('POST', path, body);
    expect(answer.status, `${path}: ${answer.text}`).toBeLessThan(300);
  }
});

afterAll(async () => {
  await t?.stop();
  if (seedDir) rmSync(seedDir, { recursive: true, force: true });
});

describe(`read answers (${TEST_DIALECT})`, () => {
  it('are the same bytes as before the read paths were reworked', async () => {
    const answers: Record<string, { status: number; body: string }> = {};
    for (const [name, path] of READS) {
      const answer = await send('GET', path);
      answers[name] = { status: answer.status, body: normalized(answer.text) };
    }
    await expect(`${JSON.stringify(answers, null, 1)}\n`).toMatchFileSnapshot('__fixtures__/read-answers.json');
  });

  it('parse through the official SDK into exactly what their bytes say', async () => {
    // The SDK signs at the real time, which the service's clock must then be near.
    clock.advance(Date.now() - clock.now());
    const strip = ({ httpStatusCode, ...rest }: { httpStatusCode?: number }) => {
      expect(httpStatusCode).toBe(200);
      return rest;
    };
    const bytes = async (path: string) => JSON.parse((await send('GET', path)).text) as unknown;
    expect(strip(await sdk.listPools())).toEqual(await bytes(`/v2/${PROJECT}/pools`));
    expect(strip(await sdk.showPool({ poolName: pool('train') }))).toEqual(await bytes(`/v2/${PROJECT}/pools/${pool('train')}`));
    expect(strip(await sdk.listPoolNodes({ poolName: pool('train') }))).toEqual(await bytes(`/v2/${PROJECT}/pools/${pool('train')}/nodes`));
    const page = await sdk.listPoolNodes({ poolName: pool('train'), limit: 2 });
    expect(strip(page)).toEqual(await bytes(`/v2/${PROJECT}/pools/${pool('train')}/nodes?limit=2`));
    const next = await sdk.listPoolNodes({ poolName: pool('train'), limit: 2, _continue: page.metadata!.continue! });
    expect(strip(next)).toEqual(await bytes(`/v2/${PROJECT}/pools/${pool('train')}/nodes?limit=2&continue=${encodeURIComponent(page.metadata!.continue!)}`));
    for (const node of ['gpu-a1', 'gpu-a2', 'cpu-a3']) {
      expect(strip(await sdk.showPoolNode({ poolName: pool('train'), nodeName: node }))).toEqual(await bytes(`/v2/${PROJECT}/pools/${pool('train')}/nodes/${node}`));
    }
  });
});
