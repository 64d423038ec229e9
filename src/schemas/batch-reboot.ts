import { Type } from '@sinclair/typebox';
import { nodeNamesBodySchema } from './node-names.js';

/** BatchRebootPoolNodes. */
export function batchRebootBodySchema(maxNodes: number) {
  return nodeNamesBodySchema(maxNodes, 'reboot');
}

export const BatchRebootResponseSchema = Type.Object({ nodeNames: Type.Array(Type.String(), { description: 'The nodes that are rebooting.' }) });
