/**
 * The example ids, names and times of the OpenAPI document. Apart from the example resources (examples.ts), so that
 * the schemas can show them without importing the resources typed with those schemas.
 */
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
