/**
 * `node dist/bench/node-answers.js`: what writing a node answer costs with the serializer Fastify compiles from the
 * route's response schema (fast-json-stringify, what ShowPoolNode and ListPoolNodes answer with) beside
 * `JSON.stringify` of the same rendered objects, for 1 node, a page of 8 and one of 500, in one process. It also
 * says whether the two write the same bytes: they do not, since the compiled serializer writes a node's optional
 * `status.driver` after the required `taints` (the render builds it before), and drops a map key with a line break.
 */
import Fastify from 'fastify';
import type { NodeRecord } from '../src/store/node-rows.js';
import { NodeListSchema, NodeSchema } from '../src/schemas/node.js';
import { renderNode } from '../src/service/render.js';
import { flavorProfile } from '../src/simulation/flavors.js';

const RUNS = 200;
const TENANCY = { accountId: '0123456789abcdef0123456789abcdef', projectId: 'fedcba9876543210fedcba9876543210' };
const CREATED_AT = Date.UTC(2026, 0, 2, 3, 4, 5);

/** Every third node has labels, tags and a taint of its own, as a pool in use does; the others only what every node shows. */
function node(i: number): NodeRecord {
  const detailed = i % 3 === 0;
  return {
    id: i + 1,
    name: `os-node-created-${i.toString(36).padStart(5, '0')}`,
    flavor: 'modelarts.vm.gpu.t4u8',
    az: 'cn-north-4a',
    privateIp: `192.168.${i >> 8}.${i & 255}`,
    nodePool: null,
    phase: 'Available',
    createdAt: CREATED_AT + i,
    driver: { version: '535.54.03', phase: 'Running', targetVersion: null, updateStrategy: null },
    lockedActions: detailed ? ['delete'] : [],
    labels: detailed ? { rack: `r${i % 7}`, accel: 't4' } : {},
    taints: detailed ? [{ key: 'maintenance', value: 'true', effect: 'NoSchedule', timeAdded: '2026-01-02T03:04:05Z' }] : [],
    tags: detailed ? [{ key: 'team', value: 'vision' }, { key: 'cost', value: 'a "quoted" center' }] : [],
    runningJobs: 0,
    drained: false,
  };
}

const rendered = (records: NodeRecord[]) => records.map((record) => renderNode(record, TENANCY, { flavor: flavorProfile }));
const page = (records: NodeRecord[]) => ({ apiVersion: 'v2', kind: 'NodeList', metadata: {}, items: rendered(records) });

/** The serializer Fastify compiles for a route's 200 answer from `schema`, as the route uses it. */
async function routeSerializer(schema: object): Promise<(payload: unknown) => string> {
  const app = Fastify();
  let serializer: ((payload: unknown) => string) | undefined;
  app.get('/', { schema: { response: { 200: schema } } }, async (_request, reply) => {
    serializer = reply.getSerializationFunction('200') as (payload: unknown) => string;
    return {};
  });
  await app.inject({ method: 'GET', url: '/' });
  await app.close();
  if (!serializer) throw new Error('no serializer was compiled');
  return serializer;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median microseconds of each, over RUNS runs after RUNS / 4 warm-ups, the two alternating to share drift. */
function measurePair(first: () => unknown, second: () => unknown, repeat: number): [number, number] {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < RUNS * 1.25; i++) {
    let started = performance.now();
    for (let r = 0; r < repeat; r++) first();
    const ta = performance.now() - started;
    started = performance.now();
    for (let r = 0; r < repeat; r++) second();
    const tb = performance.now() - started;
    if (i >= RUNS / 4) {
      a.push((ta * 1000) / repeat);
      b.push((tb * 1000) / repeat);
    }
  }
  return [median(a), median(b)];
}

const writeNode = await routeSerializer(NodeSchema);
const writePage = await routeSerializer(NodeListSchema);
const records = Array.from({ length: 500 }, (_, i) => node(i));
const answers: Array<[string, unknown, (payload: unknown) => string, number]> = [
  ['ShowPoolNode', rendered(records.slice(0, 1))[0], writeNode, 100],
  ['ListPoolNodes, 8 nodes', page(records.slice(0, 8)), writePage, 20],
  ['ListPoolNodes, 500 nodes', page(records), writePage, 1],
];

process.stdout.write(`node ${process.version}; median of ${RUNS} runs each, microseconds per answer\n\n`);
process.stdout.write(`${'answer'.padEnd(28)}${'bytes'.padStart(10)}${'schema'.padStart(10)}${'JSON.stringify'.padStart(16)}${'same bytes'.padStart(12)}\n`);
for (const [name, answer, write, repeat] of answers) {
  const [schema, plain] = measurePair(() => write(answer), () => JSON.stringify(answer), repeat);
  const bytes = write(answer);
  process.stdout.write(
    `${name.padEnd(28)}${String(Buffer.byteLength(bytes)).padStart(10)}${schema.toFixed(1).padStart(10)}${plain.toFixed(1).padStart(16)}${String(bytes === JSON.stringify(answer)).padStart(12)}\n`,
  );
}
const oddLabel = rendered([{ ...node(1), driver: null, labels: { 'line\nbreak': 'x' } }])[0];
process.stdout.write(`\na node without a driver whose label key holds a line break: the same bytes ${String(writeNode(oddLabel) === JSON.stringify(oddLabel))} (the schema's maps match keys with ^(.*)$)\n`);
