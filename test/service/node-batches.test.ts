import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/errors/catalogue.js';
import type { BatchEvents, Caller } from '../../src/service/context.js';
import type { NodeBackend, PoolRef } from '../../src/service/node-backend.js';
import { NodeBatchService } from '../../src/service/node-batches.js';
import { flavorProfile } from '../../src/simulation/flavors.js';
import type { NewNode } from '../../src/store/pools.js';
import type { Store } from '../../src/store/store.js';
import { openTestStore, type TestStore } from '../helpers/store.js';

/**
 * The one node-change pipeline, through the service every batch route calls: its order of errors, and what it tells
 * the node backend after the commit. On a real SQLite store, with a backend that records the calls it gets.
 */
const PROJECT = 'abcdefabcdefabcdefabcdefabcdef09';
const T0 = Date.UTC(2026, 10, 28, 10, 0, 0);
const caller: Caller = { accountId: 'a'.repeat(32), display: 'admin@test' };
let opened: TestStore;
let store: Store;
let batches: NodeBatchService;
const handedOff: Array<[string, PoolRef, readonly string[]]> = [];
const events: Array<[string, string, number]> = [];

class RecordingBackend implements NodeBackend {
  flavor = flavorProfile;
  defaultDriverVersion = () => '535.1';
  creatingUntil = () => null;
  deletingUntil = (now: number) => now + 3_000;
  drainedBy = (now: number) => now + 5_000;
  async applyMetadata(pool: PoolRef, names: readonly string[]) {
    handedOff.push(['applyMetadata', pool, names]);
  }
  async deleteNodes(pool: PoolRef, names: readonly string[]) {
    handedOff.push(['deleteNodes', pool, names]);
  }
  driverUpgrade = async () => [];
  reboot = async () => [];
  progress = async () => {};
}

const recording: BatchEvents = {
  recorded: (operation, decisions) => events.push(['recorded', operation.operation, decisions.length]),
  refused: (operation, failures) => events.push(['refused', operation.operation, failures.length]),
};

function nodes(count: number): NewNode[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `node-${i}`,
    flavor: 'modelarts.vm.cpu.8ud',
    az: 'local-1a',
    privateIp: `192.168.0.${i + 2}`,
    nodePool: null,
    phase: 'Available',
    phaseUntil: null,
    driverVersion: null,
  }));
}

const pool = { projectId: PROJECT, name: 'pipeline' };
const ref = { projectId: PROJECT, poolName: 'pipeline' };

async function refusal(work: Promise<unknown>): Promise<[string, string]> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return [error.category, error.code];
}

beforeAll(async () => {
  opened = await openTestStore({ accountId: caller.accountId, accountName: 'acme', projectId: PROJECT, userId: 'u'.repeat(32), accessKey: 'AK9', createdAt: T0 });
  store = opened.store;
  batches = new NodeBatchService({ store, clock: { now: () => T0 }, config: { limits: { maxBatchNodes: 100, maxPoolNodes: 100, bodyLimitBytes: 1, signatureMaxSkewSeconds: 1 }, region: 'local-1' }, backend: new RecordingBackend(), events: recording });
  await store.pools.create(
    { projectId: PROJECT, name: pool.name, phase: 'Running', labels: {}, annotations: {}, spec: { type: 'Dedicate', scope: ['Train'], network: { name: 'n' }, resources: [{ flavor: 'modelarts.vm.cpu.8ud', count: 4 }] }, createdAt: T0, resourceVersion: 1 },
    nodes(4),
  );
});

afterAll(async () => {
  await opened.close();
});

describe('the node-change pipeline', () => {
  it('refuses a bad body (400) before looking for the pool, and an unknown pool (404), telling nobody', async () => {
    handedOff.length = 0;
    events.length = 0;
    const nowhere = { projectId: PROJECT, name: 'nowhere' };
    expect(await refusal(batches.reboot(nowhere, ['node-0', 'node-0'], caller, 'r'))).toEqual(['invalid', 'ModelArts.50004000']);
    expect(await refusal(batches.update(nowhere, { nodeNames: ['a..b'], action: 'closeHaRedundant' }, caller, 'r'))).toEqual(['invalid', 'ModelArts.50004000']);
    expect(await refusal(batches.delete(nowhere, ['node-0'], caller, 'r'))).toEqual(['not-found', 'ModelArts.50015001']);
    expect(await refusal(batches.drain(nowhere, ['node-0'], caller, 'r'))).toEqual(['not-found', 'ModelArts.50015001']);
    expect([handedOff, events]).toEqual([[], []]);
  });

  it('hands the nodes whose metadata changed to the backend after the commit, and none for a reboot', async () => {
    handedOff.length = 0;
    events.length = 0;
    await batches.lock(pool, { nodeNames: ['node-0', 'ghost'], actions: ['delete'] }, caller, 'r', false);
    await batches.update(pool, { nodeNames: ['node-1', 'node-2'], action: 'createTags', tags: [{ key: 'k', value: 'v' }] }, caller, 'r');
    await batches.reboot(pool, ['node-3'], caller, 'r');
    expect(handedOff).toEqual([
      ['applyMetadata', ref, ['node-0']],
      ['applyMetadata', ref, ['node-1', 'node-2']],
    ]);
    expect(events).toEqual([
      ['recorded', 'BatchLockPoolNodes', 2],
      ['recorded', 'BatchUpdatePoolNodes', 2],
      ['recorded', 'BatchRebootPoolNodes', 1],
    ]);
  });

  it('refuses a delete as a whole (invalid: 400, nothing written, the refusal told), and hands deleted nodes to the backend to release', async () => {
    handedOff.length = 0;
    events.length = 0;
    expect(await refusal(batches.delete(pool, ['node-0', 'node-1'], caller, 'r'))).toEqual(['invalid', 'ModelArts.50004000']);
    expect(events).toEqual([['refused', 'BatchDeletePoolNodes', 1]]);
    expect((await store.nodes.get(pool, 'node-1'))?.node?.phase).toBe('Available');
    await batches.delete(pool, ['node-1'], caller, 'r');
    await batches.delete(pool, ['node-1', 'node-2'], caller, 'r');
    expect(handedOff).toEqual([
      ['deleteNodes', ref, ['node-1']],
      ['deleteNodes', ref, ['node-2']],
    ]);
  });
});
