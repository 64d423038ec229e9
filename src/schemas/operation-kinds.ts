/**
 * The operations that write an operation record: a record's `operation`, and the operations list's `kind` filter.
 * Kept apart from the TypeBox schemas so the web console can bundle the list without TypeBox.
 */
export const OPERATION_KINDS = [
  'BatchUpdatePoolNodes',
  'BatchDeletePoolNodes',
  'BatchLockPoolNodes',
  'BatchUnlockPoolNodes',
  'BatchRebootPoolNodes',
  'BatchDrainPoolNodes',
  'PatchPool',
] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

/** The most records one page of the operations list holds, and how many it holds unless `limit` says otherwise. */
export const MAX_OPERATION_PAGE = 500;
export const DEFAULT_OPERATION_PAGE = 50;
