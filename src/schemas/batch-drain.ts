import { Type } from '@sinclair/typebox';
import { nodeNamesBodySchema } from './node-names.js';

/** BatchDrainPoolNodes takes fewer nodes than the other batch calls: each drain moves running work off its node. */
export const MAX_DRAIN_NODES = 10;

export function batchDrainBodySchema() {
  return nodeNamesBodySchema(MAX_DRAIN_NODES, 'drain');
}

export const EmptyObjectSchema = Type.Object({});
