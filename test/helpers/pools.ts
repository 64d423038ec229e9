/** A minimal valid CreatePool body: one Dedicate pool of `count` nodes of one flavor. */
export function poolBody(displayName: string, count: number, flavor = 'modelarts.vm.cpu.8ud') {
  return {
    apiVersion: 'v2',
    kind: 'Pool',
    metadata: { labels: { 'os.modelarts/name': displayName } },
    spec: { type: 'Dedicate', scope: ['Train'], network: { name: 'net' }, resources: [{ flavor, count }] },
  };
}
