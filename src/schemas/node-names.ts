import { Type, type Static } from '@sinclair/typebox';

/**
 * The node-name list of a batch body. Its length is the schema's; each name (node-name rule, no duplicates) is checked
 * by the service with domain/node-name.ts, where a loop beats a per-item pattern on 10,000 names.
 */
export function nodeNameList(maxNodes: number, what: string) {
  return Type.Array(Type.String(), { minItems: 1, maxItems: maxNodes, description: `Names of the nodes to ${what}: 1 to ${maxNodes}, no duplicates.` });
}

/** A body that names nodes and nothing else (reboot, drain). */
export function nodeNamesBodySchema(maxNodes: number, what: string) {
  return Type.Object({ nodeNames: nodeNameList(maxNodes, what) }, { additionalProperties: false });
}
export type NodeNamesBody = Static<ReturnType<typeof nodeNamesBodySchema>>;
