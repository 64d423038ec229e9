import type { ModelNode } from '../../src/domain/node-lifecycle.js';

/** An Available node of the pure lifecycle model, with a running driver and no work. */
export function modelNode(name: string, overrides: Partial<ModelNode> = {}): ModelNode {
  return {
    name,
    phase: 'Available',
    lockedActions: [],
    runningJobs: 0,
    drained: false,
    taints: [],
    driver: { version: '535', phase: 'Running', targetVersion: null, updateStrategy: null, startedAt: null, fail: false },
    reboot: null,
    phaseUntil: null,
    drainUntil: null,
    ...overrides,
  };
}
