/**
 * The example values of the OpenAPI document (and so the API Explorer's pre-filled forms). Typed with the schemas'
 * static types; test/server/openapi.test.ts also validates each one against its schema with the server's validator.
 */
import type { BatchUpdateBody } from './batch-update.js';
import type { Node } from './node.js';
import type { Pool } from './pool.js';

export const EXAMPLE_PROJECT_ID = '3f0c6a1e9b2d4c5f8a7b6c5d4e3f2a1b';
export const EXAMPLE_ACCOUNT_ID = '05863cd5ed388bf94348da74e0cb8b00';
export const EXAMPLE_USER_ID = 'abe45ce67da954bbfc0e0cfea0447463';
export const EXAMPLE_POOL_NAME = `demo-${EXAMPLE_PROJECT_ID}`;
export const EXAMPLE_NODE_NAMES = ['os-node-created-3mlek', 'os-node-created-8qz2v'] as const;
export const EXAMPLE_NODE_NAME = EXAMPLE_NODE_NAMES[0];
export const EXAMPLE_OPERATION_ID = '01a23c3c-af2e-7589-a41d-a2c3212405f5';
export const EXAMPLE_REQUEST_ID = 'e82a9780340f44959361d42a48fcae11';
export const EXAMPLE_ACCESS_KEY = 'K2Q9EXAMPLEACCESSKEY';
export const EXAMPLE_TIME = '2026-12-03T14:08:51Z';
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
