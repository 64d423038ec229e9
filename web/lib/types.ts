/** The shapes of the API answers the console reads (the parts it uses), free of any browser API so tests can import them. */
export interface FlavorCount {
  flavor: string;
  count: number;
}

export interface Pool {
  metadata: { name: string; creationTimestamp: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: { type: string; resources: Array<{ flavor: string; count: number }> };
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
  creationTimestamp: string;
  successCount: number;
  failCount: number;
  nodes: OperationNode[];
}
