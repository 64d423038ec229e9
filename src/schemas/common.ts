import { Type } from '@sinclair/typebox';
import { EXAMPLE_NODE_NAME, EXAMPLE_POOL_NAME, EXAMPLE_PROJECT_ID } from './example-ids.js';

const PROJECT_ID_PATTERN = '^[A-Za-z0-9-]{1,64}$';
/** Pool ids in paths: lowercase letters, digits and '-', starting with a letter, not ending with '-', 36-63 chars. */
export const POOL_NAME_PATTERN = '^[a-z][a-z0-9-]{34,61}[a-z0-9]$';

/**
 * The node-name rule: a Kubernetes node name (a DNS-1123 subdomain, capped at 63 characters as ModelArts names are):
 * lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit, and so is every `.`-separated
 * part. Paths and seeds check it with this pattern and length; bodies with domain/node-name.ts, which names the fault.
 */
export const NODE_NAME_MAX_LENGTH = 63;
export const NODE_NAME_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

/**
 * The label and annotation key rule: a Kubernetes qualified name. Keys are checked with domain/metadata-keys.ts, which
 * names the fault; the schemas carry the rule in their descriptions.
 */
export const METADATA_KEY_PREFIX_MAX_LENGTH = 253;
export const METADATA_KEY_NAME_MAX_LENGTH = 63;
export const METADATA_KEY_RULE =
  `Keys are Kubernetes qualified names: an optional prefix (a lowercase DNS subdomain of at most ${METADATA_KEY_PREFIX_MAX_LENGTH} characters) and "/", ` +
  `then a name of 1-${METADATA_KEY_NAME_MAX_LENGTH} letters, digits, "-", "_" or ".", starting and ending with a letter or digit (team, os.modelarts/name).`;

export const ProjectParams = Type.Object({
  project_id: Type.String({ pattern: PROJECT_ID_PATTERN, maxLength: 64, description: 'Project id: 1-64 letters, digits or -.', examples: [EXAMPLE_PROJECT_ID] }),
});

export const PoolParams = Type.Object({
  project_id: ProjectParams.properties.project_id,
  pool_name: Type.String({ pattern: POOL_NAME_PATTERN, maxLength: 63, description: 'Pool id (metadata.name).', examples: [EXAMPLE_POOL_NAME] }),
});

export const NodeParams = Type.Object({
  ...PoolParams.properties,
  node_name: Type.String({ pattern: NODE_NAME_PATTERN, maxLength: NODE_NAME_MAX_LENGTH, description: 'Node name (metadata.name).', examples: [EXAMPLE_NODE_NAME] }),
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
