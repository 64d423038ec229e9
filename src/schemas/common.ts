import { Type } from '@sinclair/typebox';
import { EXAMPLE_NODE_NAME, EXAMPLE_POOL_NAME, EXAMPLE_PROJECT_ID } from './example-ids.js';

const PROJECT_ID_PATTERN = '^[A-Za-z0-9-]{1,64}$';
/** Pool ids in paths: lowercase letters, digits and '-', starting with a letter, not ending with '-', 36-63 chars. */
export const POOL_NAME_PATTERN = '^[a-z][a-z0-9-]{34,61}[a-z0-9]$';
export const NODE_NAME_PATTERN = '^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$';

export const ProjectParams = Type.Object({
  project_id: Type.String({ pattern: PROJECT_ID_PATTERN, maxLength: 64, description: 'Project id: 1-64 letters, digits or -.', examples: [EXAMPLE_PROJECT_ID] }),
});

export const PoolParams = Type.Object({
  project_id: ProjectParams.properties.project_id,
  pool_name: Type.String({ pattern: POOL_NAME_PATTERN, maxLength: 63, description: 'Pool id (metadata.name).', examples: [EXAMPLE_POOL_NAME] }),
});

export const NodeParams = Type.Object({
  ...PoolParams.properties,
  node_name: Type.String({ pattern: NODE_NAME_PATTERN, maxLength: 63, description: 'Node name (metadata.name).', examples: [EXAMPLE_NODE_NAME] }),
});

export const ErrorSchema = Type.Object({
  error_code: Type.String(),
  error_msg: Type.String(),
  request_id: Type.Optional(Type.String()),
});

export const StringMap = Type.Record(Type.String(), Type.String());

/** A string enum as a plain JSON-schema `enum`: one clear validation error and a readable OpenAPI document. */
export function StringEnum<const T extends readonly string[]>(values: T, options: { description?: string; default?: T[number] } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}
