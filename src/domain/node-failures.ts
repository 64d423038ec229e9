import type { DriverPhase, NodePhase } from './node.js';
import { MAX_TAGS_PER_NODE } from './tags.js';

/**
 * Why one node of a batch call failed. The BatchUpdatePoolNodes body only lists the failed names (wire
 * compatibility); these reasons go into the operation record (api-reference §5 decision 3, §8).
 */
export interface NodeFailure {
  code: string;
  message: string;
}

export const NODE_NOT_FOUND = 'ModelArts.50005101';
export const NODE_NOT_AVAILABLE = 'ModelArts.50004002';
export const NODE_LOCKED = 'ModelArts.50004003';
export const NODE_TAG_LIMIT_EXCEEDED = 'ModelArts.50004004';
export const NODE_DRIVER_UPGRADE_IN_PROGRESS = 'ModelArts.50004005';

/** The node is not in the pool. Same code and message as ShowPoolNode's 404. */
export function nodeNotFound(name: string): NodeFailure {
  return { code: NODE_NOT_FOUND, message: `Node ${name} not found.` };
}

export function nodeNotAvailable(name: string, phase: NodePhase): NodeFailure {
  return { code: NODE_NOT_AVAILABLE, message: `Node ${name} is ${phase}; only Available nodes can be updated.` };
}

/** `actions` are the node's locked actions (e.g. `delete`); any lock blocks batch-update. */
export function nodeLocked(name: string, actions: readonly string[]): NodeFailure {
  return {
    code: NODE_LOCKED,
    message: `Node ${name} is locked (locked actions: ${actions.join(', ')}); unlock it before updating.`,
  };
}

/** `wouldHave` is the number of distinct tag keys the node would carry after the change. */
export function tagLimitExceeded(name: string, wouldHave: number): NodeFailure {
  return {
    code: NODE_TAG_LIMIT_EXCEEDED,
    message: `Node ${name} would have ${wouldHave} tags; at most ${MAX_TAGS_PER_NODE} are allowed.`,
  };
}

export function driverUpgradeInProgress(name: string, phase: DriverPhase): NodeFailure {
  return {
    code: NODE_DRIVER_UPGRADE_IN_PROGRESS,
    message: `Node ${name} already has a driver upgrade in progress (driver phase ${phase}); wait until it finishes.`,
  };
}
