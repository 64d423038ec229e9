/** Who asked for a batch call, when, on which pool: the record's head, written with the call's node changes. */
export interface OperationMeta {
  id: string;
  projectId: string;
  poolName: string;
  operation: string;
  action: string | null;
  principal: string;
  requestId: string;
  createdAt: number;
}
