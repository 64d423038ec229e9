/** The shapes of the API answers the console reads (the parts it uses), free of any browser API so tests can import them. */
export interface FlavorCount {
  flavor: string;
  count: number;
}

export interface PoolResource {
  flavor: string;
  count: number;
  maxCount?: number;
  nodePool?: string;
  azs?: Array<{ az: string; count: number }>;
}

export interface PoolDriverSpec {
  gpuVersion?: string;
  npuVersion?: string;
  updateStrategy?: 'force' | 'idle';
}

export interface Pool {
  metadata: { name: string; creationTimestamp: string; deletionTimestamp?: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: { type: string; scope: string[]; network: { name: string }; resources: PoolResource[]; driver?: PoolDriverSpec };
  status: {
    phase: string;
    resources: { creating?: FlavorCount[]; available?: FlavorCount[]; abnormal?: FlavorCount[]; deleting?: FlavorCount[] };
    driver?: { gpu?: { version: string; state: string }; npu?: { version: string; state: string } };
  };
}

export interface Node {
  metadata: { name: string; creationTimestamp: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: { flavor: string };
  status: {
    phase: string;
    az: string;
    privateIp: string;
    driver?: { version: string; phase: string };
    taints: Array<{ key: string; value: string; effect: string; timeAdded: string }>;
  };
}

export interface OperationNode {
  name: string;
  status: string;
  errorCode?: string;
  errorMsg?: string;
  completion?: { status: string; errorCode?: string; errorMsg?: string; completionTimestamp: string };
}

export interface OperationRecord {
  id: string;
  operation: string;
  action: string | null;
  poolName: string;
  principal: string;
  requestId: string;
  creationTimestamp: string;
  successCount: number;
  failCount: number;
  nodes: OperationNode[];
}

/** Where an operation's nodes stand (ListOperations); null for drains and deletions, whose records do not track it. */
export interface OperationCompletion {
  succeeded: number;
  failed: number;
  pending: number;
}

export interface OperationSummary {
  id: string;
  operation: string;
  action: string | null;
  poolName: string;
  principal: string;
  requestId: string;
  creationTimestamp: string;
  successCount: number;
  failCount: number;
  completion: OperationCompletion | null;
}

export interface OperationPage {
  items: OperationSummary[];
  /** The token of the next page, while older records may remain. */
  continue?: string;
}
