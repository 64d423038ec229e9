/**
 * The console's pool forms (web/console/pool-form.ts) and the schema check they run before sending
 * (web/lib/schema-check.ts), held against the server's own validator on the same request schemas.
 */
import { describe, expect, it } from 'vitest';
import { CreatePoolBodySchema, PatchPoolBodySchema } from '../../src/schemas/pool.js';
import { compileInputValidator, describeValidationError } from '../../src/schemas/validator.js';
import {
  answerProblems,
  checkPoolBody,
  createPoolBody,
  driverBody,
  emptyPoolForm,
  fieldOf,
  knownFlavors,
  onFormRows,
  parseLabels,
  scaleBody,
  type PoolForm,
} from '../../web/console/pool-form.js';
import type { JsonSchema } from '../../web/lib/openapi.js';
import { checkAgainstSchema, schemaAt } from '../../web/lib/schema-check.js';
import type { Pool } from '../../web/lib/types.js';

const createSchema = CreatePoolBodySchema as unknown as JsonSchema;
const patchSchema = PatchPoolBodySchema as unknown as JsonSchema;
const serverCreate = compileInputValidator(CreatePoolBodySchema);

function form(part: Partial<PoolForm> = {}): PoolForm {
  return { ...emptyPoolForm('modelarts.vm.cpu.8ud'), name: 'train-a', ...part };
}

describe('the schema check', () => {
  it('agrees with the server’s validator on what passes, and names the field the server names first', () => {
    const bodies: unknown[] = [
      createPoolBody(form()),
      createPoolBody(form({ name: 'Bad Name' })),
      createPoolBody(form({ name: 'abc' })),
      createPoolBody(form({ prefix: '9lives' })),
      createPoolBody(form({ scope: [] })),
      createPoolBody(form({ scope: ['Train', 'Train'] })),
      createPoolBody(form({ scope: ['Play'] })),
      createPoolBody(form({ network: '' })),
      createPoolBody(form({ resources: [] })),
      createPoolBody(form({ resources: [{ flavor: 'Big Flavor', count: '1' }] })),
      createPoolBody(form({ resources: [{ flavor: 'modelarts.vm.cpu.8ud', count: '0' }] })),
      createPoolBody(form({ resources: [{ flavor: 'modelarts.vm.cpu.8ud', count: 'two' }] })),
      createPoolBody(form({ resources: Array.from({ length: 17 }, (_, i) => ({ flavor: `f${i}`, count: '1' })) })),
      createPoolBody(form({ gpuVersion: 'x'.repeat(65) })),
      createPoolBody(form({ labels: `team=${'v'.repeat(257)}` })),
      createPoolBody(form({ description: 'd'.repeat(1025) })),
      { ...(createPoolBody(form()) as object), extra: true },
      { ...(createPoolBody(form()) as object), apiVersion: 'v1' },
    ];
    for (const body of bodies) {
      const server = serverCreate(structuredClone(body));
      const client = checkAgainstSchema(body, createSchema);
      const where = JSON.stringify(body).slice(0, 200);
      expect(client.length === 0, where).toBe(server === undefined);
      if (server) {
        const first = describeValidationError(server, 'body');
        expect(
          client.some((p) => first === `${p.path ? `${p.path} ` : ''}${p.message}` || first.startsWith(`${p.path} `)),
          `${where}: server says "${first}", the form ${JSON.stringify(client)}`,
        ).toBe(true);
      }
    }
  });

  it('reports every problem, each at its path, and finds sub-schemas along a path', () => {
    const problems = checkAgainstSchema(createPoolBody(form({ name: 'X', network: '', resources: [{ flavor: 'ok', count: '0' }, { flavor: '', count: '1' }] })), createSchema);
    expect(problems.map((p) => p.path)).toEqual(['metadata.labels.os.modelarts/name', 'spec.network.name', 'spec.resources[0].count', 'spec.resources[1].flavor']);
    expect(problems[2]!.message).toBe('must be >= 1');
    expect(checkAgainstSchema({ a: 1 }, { type: 'object', required: ['b'], properties: {}, additionalProperties: false })).toEqual([
      { path: 'b', message: 'is required' },
      { path: 'a', message: 'is not a known field' },
    ]);
    expect(checkAgainstSchema(1.5, { type: 'integer' })).toEqual([{ path: '', message: 'must be integer' }]);
    expect(checkAgainstSchema(3, { type: 'number', maximum: 2 })).toEqual([{ path: '', message: 'must be <= 2' }]);
    expect(schemaAt(createSchema, 'spec', 'resources', 'flavor')?.pattern).toBe('^[a-z0-9][a-z0-9._-]{0,127}$');
    expect(schemaAt(createSchema, 'spec', 'nothing', 'here')).toBeUndefined();
  });
});

describe('the create form', () => {
  it('builds the CreatePool body from what was typed, trimmed, with the optional parts only when given', () => {
    expect(createPoolBody(form({ name: ' train-a ', resources: [{ flavor: ' modelarts.vm.gpu.t4u8 ', count: ' 2 ' }] }))).toEqual({
      apiVersion: 'v2',
      kind: 'Pool',
      metadata: { labels: { 'os.modelarts/name': 'train-a' } },
      spec: { type: 'Dedicate', scope: ['Train'], network: { name: 'default' }, resources: [{ flavor: 'modelarts.vm.gpu.t4u8', count: 2 }] },
    });
    const full = createPoolBody(
      form({ prefix: 'gpu', description: 'for training', labels: 'team=ml\n\ncost = 12', gpuVersion: '550.1', strategy: 'force', scope: ['Train', 'Infer'] }),
    ) as { metadata: unknown; spec: { driver: unknown; scope: string[] } };
    expect(full.metadata).toEqual({
      labels: { team: 'ml', cost: '12', 'os.modelarts/name': 'train-a', 'os.modelarts/node.prefix': 'gpu' },
      annotations: { 'os.modelarts/description': 'for training' },
    });
    expect(full.spec.driver).toEqual({ gpuVersion: '550.1', updateStrategy: 'force' });
    expect(full.spec.scope).toEqual(['Train', 'Infer']);
    // The name field wins over a label of the same key.
    expect((createPoolBody(form({ labels: 'os.modelarts/name=sneaky' })) as { metadata: { labels: Record<string, string> } }).metadata.labels['os.modelarts/name']).toBe('train-a');
  });

  it('reads labels as key=value lines and says which lines are not', () => {
    expect(parseLabels(' a = 1 \nb=\n')).toEqual({ labels: { a: '1', b: '' }, problems: [] });
    expect(parseLabels('novalue\n=x\na=1\na=2').problems).toEqual(['"novalue" is not key=value', '"=x" is not key=value', 'a is given twice']);
  });

  it('puts each problem at its field: before sending from the schema, after from the service’s answer', () => {
    const problems = checkPoolBody(createPoolBody(form({ name: 'X', resources: [{ flavor: 'ok', count: 'two' }] })), createSchema, 'oops');
    expect([...problems.keys()]).toEqual(['labels', 'name', 'count-0']);
    expect(problems.get('count-0')).toEqual(['spec.resources[0].count must be integer']);
    expect(checkPoolBody(createPoolBody(form()), undefined).size).toBe(0);

    const refused = (status: number, code: string, message: string) => [...answerProblems({ status, error: { code, message } })];
    expect(refused(400, 'ModelArts.50004000', 'Bad request. spec.resources[1]: flavor f appears twice')).toEqual([
      ['flavor-1', ['ModelArts.50004000: Bad request. spec.resources[1]: flavor f appears twice']],
    ]);
    expect(refused(400, 'ModelArts.50004000', 'Bad request. spec.resources: 30000 nodes requested; a pool holds at most 20000')[0]![0]).toBe('resources');
    expect(refused(400, 'ModelArts.50004000', 'Bad request. spec.resources[0].maxCount must equal count for a physical pool')[0]![0]).toBe('count-0');
    expect(refused(409, 'ModelArts.50015000', 'Pool already exists.')[0]![0]).toBe('name');
    expect(refused(400, 'ModelArts.50004000', 'Bad request. the request body is empty')[0]![0]).toBe('form');
    expect(refused(403, 'ModelArts.0112', "Policy doesn't allow modelarts:pool:create to be performed.")[0]![0]).toBe('form');
    expect([...answerProblems({ status: 502 })]).toEqual([['form', ['HTTP 502']]]);
  });

  it('maps request paths to form fields', () => {
    const cases: Array<[string, string]> = [
      ['metadata.labels.os.modelarts/name', 'name'],
      ['metadata.labels.os.modelarts/node.prefix', 'prefix'],
      ['metadata.labels.team', 'labels'],
      ['metadata.labels["os.modelarts/name"]', 'labels'],
      ['metadata.annotations.os.modelarts/description', 'description'],
      ['spec.scope[1]', 'scope'],
      ['spec.network.name', 'network'],
      ['spec.resources', 'resources'],
      ['spec.resources[3]', 'flavor-3'],
      ['spec.resources[3].flavor', 'flavor-3'],
      ['spec.resources[3].count', 'count-3'],
      ['spec.resources[3].azs', 'count-3'],
      ['spec.driver.gpuVersion', 'gpuVersion'],
      ['spec.driver.npuVersion', 'npuVersion'],
      ['spec.driver.updateStrategy', 'strategy'],
      ['spec.type', 'form'],
      ['', 'form'],
    ];
    expect(cases.map(([path]) => fieldOf(path))).toEqual(cases.map(([, field]) => field));
  });

  it('offers the flavors the project’s pools use, and the schema’s example', () => {
    const pool = (flavors: string[]) => ({ spec: { resources: flavors.map((flavor) => ({ flavor, count: 1 })) } }) as unknown as Pool;
    expect(knownFlavors([pool(['b', 'a']), pool(['a'])], 'c')).toEqual(['a', 'b', 'c']);
    expect(knownFlavors([])).toEqual([]);
  });
});

describe('the scale and driver forms', () => {
  const resources = [
    { flavor: 'a', count: 2, maxCount: 2 },
    { flavor: 'b', count: 1, nodePool: 'np-1' },
    { flavor: 'c', count: 4 },
  ];

  it('sends every flavor with its new count, keeps its other fields, and drops a flavor set to 0', () => {
    expect(scaleBody(resources, ['3', '0', '4'])).toEqual({
      body: {
        spec: {
          resources: [
            { flavor: 'a', count: 3, maxCount: 3 },
            { flavor: 'c', count: 4 },
          ],
        },
      },
      rowOf: [0, 2],
    });
    expect(checkPoolBody(scaleBody(resources, ['3', '0', '4']).body, patchSchema).size).toBe(0);
  });

  it('puts a problem of the body’s n-th flavor at the form row it came from', () => {
    const { body, rowOf } = scaleBody(resources, ['0', '1', 'x']);
    const problems = onFormRows(checkPoolBody(body, patchSchema), rowOf);
    expect([...problems.keys()]).toEqual(['count-2']);
    expect(onFormRows(new Map([['resources', ['m']], ['flavor-0', ['f']]]), [2])).toEqual(new Map([['resources', ['m']], ['flavor-2', ['f']]]));
    expect([...checkPoolBody(scaleBody(resources, ['0', '0', '0']).body, patchSchema).keys()]).toEqual(['resources']);
  });

  it('patches only the driver fields given', () => {
    expect(driverBody({ gpuVersion: ' 560.1 ', npuVersion: '', strategy: 'idle' })).toEqual({ spec: { driver: { gpuVersion: '560.1', updateStrategy: 'idle' } } });
    expect(driverBody({ gpuVersion: '', npuVersion: '', strategy: '' })).toEqual({ spec: { driver: {} } });
    expect(checkPoolBody(driverBody({ gpuVersion: 'v'.repeat(65), npuVersion: '', strategy: '' }), patchSchema).get('gpuVersion')).toEqual([
      'spec.driver.gpuVersion must NOT have more than 64 characters',
    ]);
  });
});
