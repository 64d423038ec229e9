/**
 * The example resources and bodies of the OpenAPI document (and so the API Explorer's pre-filled forms), built from
 * the example ids. Typed with the schemas' static types; test/server/openapi.test.ts also validates each one against
 * its schema with the server's validator.
 */
import type { BatchUpdateBody } from './batch-update.js';
import { EXAMPLE_ACCOUNT_ID, EXAMPLE_NODE_NAME, EXAMPLE_NODE_NAMES, EXAMPLE_POOL_NAME, EXAMPLE_PROJECT_ID, EXAMPLE_TIME, EXAMPLE_USER_ID } from './example-ids.js';
import type { Node } from './node.js';
import type { FaultRule } from './node-batch.js';
import type { Pool } from './pool.js';

const FLAVOR = 'modelarts.vm.gpu.t4u8';

const tenantLabels = {
  'os.modelarts/tenant.domain.id': EXAMPLE_ACCOUNT_ID,
  'os.modelarts/tenant.project.id': EXAMPLE_PROJECT_ID,
};

export const examplePool: Pool = {
  apiVersion: 'v2',
  kind: 'Pool',
  metadata: {
    name: EXAMPLE_POOL_NAME,
    creationTimestamp: EXAMPLE_TIME,
    labels: { 'os.modelarts/workspace.id': '0', 'os.modelarts/name': 'demo', ...tenantLabels },
    annotations: { 'os.modelarts/description': 'Demo pool created on first start' },
  },
  spec: {
    type: 'Dedicate',
    scope: ['Train', 'Infer'],
    network: { name: `network-${EXAMPLE_POOL_NAME}` },
    resources: [{ flavor: FLAVOR, count: 8 }],
  },
  status: {
    phase: 'Running',
    root: EXAMPLE_POOL_NAME,
    resources: { available: [{ flavor: FLAVOR, count: 8 }] },
    scope: [
      { scopeType: 'Train', state: 'Enabled' },
      { scopeType: 'Infer', state: 'Enabled' },
    ],
    driver: { gpu: { version: '535.54.03', state: 'Running' } },
  },
};

export const exampleNode: Node = {
  apiVersion: 'v2',
  kind: 'Node',
  metadata: {
    name: EXAMPLE_NODE_NAME,
    creationTimestamp: EXAMPLE_TIME,
    labels: { ...tenantLabels, 'os.modelarts.node/ha.redundant.enabled': 'true' },
    annotations: { 'os.modelarts/tms.tags': '[{"key":"环境","value":"测试"}]' },
  },
  spec: { flavor: FLAVOR },
  status: {
    phase: 'Available',
    az: 'local-1a',
    privateIp: '192.168.21.224',
    resources: { cpu: '63920m', memory: '523688Mi', 'nvidia.com/gpu': '8' },
    availableResources: { cpu: '63520m', memory: '521688Mi', 'nvidia.com/gpu': '8' },
    driver: { version: '535.54.03', phase: 'Running' },
    taints: [{ key: 'os.modelarts.node/ha.redundant', value: 'true', effect: 'NoExecute', timeAdded: EXAMPLE_TIME }],
  },
};

export const exampleBatchUpdates: BatchUpdateBody[] = [
  { nodeNames: [...EXAMPLE_NODE_NAMES], action: 'openHaRedundant', haRedundantEffect: 'NoExecute' },
  { nodeNames: [EXAMPLE_NODE_NAME], action: 'createTags', tags: [{ key: '环境', value: '测试' }] },
  { nodeNames: [EXAMPLE_NODE_NAME], action: 'closeHaRedundant', driver: { version: '550.54.15', updateStrategy: 'idle' } },
];

export const exampleFaultRule: FaultRule = {
  id: 1,
  match: { pool: EXAMPLE_POOL_NAME, nodes: [EXAMPLE_NODE_NAME] },
  fail: 'driverUpgrade',
  times: 1,
  remaining: 1,
  creationTimestamp: EXAMPLE_TIME,
};

export const exampleUser = {
  id: EXAMPLE_USER_ID,
  name: 'viewer',
  accountAdmin: false,
  hasPassword: true,
  projects: [EXAMPLE_PROJECT_ID],
  policies: ['ModelArtsResourceManagementReadOnlyPolicy'],
  createdAt: EXAMPLE_TIME,
};

export const exampleProject = { id: EXAMPLE_PROJECT_ID, name: 'local-1', createdAt: EXAMPLE_TIME };
export const exampleAccount = { id: EXAMPLE_ACCOUNT_ID, name: 'poolkeeper', createdAt: EXAMPLE_TIME };
