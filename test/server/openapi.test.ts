/**
 * The OpenAPI document: every operation is described and has examples, every example passes the schema it
 * illustrates under the validator the server itself compiles schemas with, and the security is what the hooks do.
 */
import Fastify, { type FastifySchemaCompiler } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INPUT_VALIDATION } from '../../src/schemas/validator.js';
import { OPERATION_TAGS } from '../../src/server/openapi.js';
import { startTestService, type TestService } from '../helpers/service.js';

interface Media {
  schema?: Record<string, unknown>;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}
interface OperationObject {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; schema: Record<string, unknown>; example?: unknown }>;
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { description: string; content?: Record<string, Media> }>;
  'x-poolkeeper-extension'?: boolean;
}
interface Doc {
  security: unknown[];
  tags: Array<{ name: string }>;
  components: { securitySchemes: Record<string, { type: string; in: string; name: string; description: string }> };
  paths: Record<string, Record<string, OperationObject>>;
}

/** Operations that answer without credentials. */
const PUBLIC = ['Health', 'Ready', 'KeystoneCreateUserTokenByPassword', 'GetOpenApiJson', 'GetOpenApiYaml', 'ApiExplorer'];

let t: TestService;
let doc: Doc;
let operations: Array<OperationObject & { method: string; path: string }>;
let compile: FastifySchemaCompiler<unknown>;

function examplesOf(media: Media): unknown[] {
  if (media.examples) return Object.values(media.examples).map((e) => e.value);
  return media.example === undefined ? [] : [media.example];
}

/** Validates with the server's own compiler (Fastify's Ajv with the server's options), as a body would be. */
function check(schema: Record<string, unknown>, value: unknown, where: string): void {
  const validate = compile({ schema, method: 'POST', url: where, httpPart: 'body' }) as ((data: unknown) => boolean) & { errors?: unknown };
  expect(validate(structuredClone(value)), `${where}: ${JSON.stringify(validate.errors)}`).toBe(true);
}

beforeAll(async () => {
  t = await startTestService();
  const response = await fetch(`${t.url}/openapi.json`);
  expect(response.status).toBe(200);
  doc = (await response.json()) as Doc;
  operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ ...op, method, path })));
  // Fastify's own validator compiler, built with the server's Ajv options (a route with a body makes Fastify build it).
  const probe = Fastify({ ajv: INPUT_VALIDATION });
  probe.post('/probe', { schema: { body: { type: 'object' } } }, async () => ({}));
  await probe.ready();
  compile = probe.validatorCompiler as FastifySchemaCompiler<unknown>;
  expect(typeof compile).toBe('function');
  await probe.close();
});

afterAll(async () => {
  await t?.stop();
});

describe('the OpenAPI document', () => {
  it('lists every route the service answers, grouped by the explorer’s tags', () => {
    expect(operations.length).toBeGreaterThanOrEqual(38);
    expect(doc.tags.map((tag) => tag.name)).toEqual(OPERATION_TAGS.map((tag) => tag.name));
    for (const op of operations) {
      expect(op.operationId, `${op.method} ${op.path}`).toBeTruthy();
      expect(op.tags?.length, op.operationId).toBe(1);
      expect(doc.tags.map((tag) => tag.name), op.operationId).toContain(op.tags![0]);
    }
    expect(new Set(operations.map((op) => op.operationId)).size).toBe(operations.length);
    // Everything outside the ModelArts (/v2) and IAM (/v3) APIs is marked as poolkeeper's own.
    for (const op of operations) expect(op['x-poolkeeper-extension'] === true, op.operationId).toBe(!/^\/v[23]\//.test(op.path));
  });

  it('gives every operation a summary, a description, a request example and an example of each response with a body', () => {
    for (const op of operations) {
      const id = op.operationId!;
      expect(op.summary, id).toMatch(/\S/);
      expect(op.description?.length ?? 0, id).toBeGreaterThan(20);
      if (op.requestBody) {
        for (const media of Object.values(op.requestBody.content)) expect(examplesOf(media).length, `${id} request`).toBeGreaterThan(0);
      }
      expect(Object.keys(op.responses).some((status) => /^2/.test(status)), id).toBe(true);
      for (const [status, response] of Object.entries(op.responses)) {
        expect(response.description, `${id} ${status}`).not.toBe('Default Response');
        for (const media of Object.values(response.content ?? {})) expect(examplesOf(media).length, `${id} ${status}`).toBeGreaterThan(0);
      }
      for (const param of op.parameters ?? []) if (param.in === 'path') expect(param.example, `${id} ${param.name}`).toBeDefined();
    }
  });

  it('documents the errors each protected operation answers, with codes from the error catalogue', () => {
    for (const op of operations.filter((o) => !PUBLIC.includes(o.operationId!))) {
      expect(Object.keys(op.responses), op.operationId).toEqual(expect.arrayContaining(['401', '403']));
      const codes = examplesOf(op.responses['401']!.content!['application/json']!).map((e) => (e as { error_code: string }).error_code);
      expect(codes, op.operationId).toContain('APIGW.0301');
    }
  });

  it('has examples that pass their schemas under the server’s own validator', () => {
    let checked = 0;
    for (const op of operations) {
      const id = op.operationId!;
      for (const media of Object.values(op.requestBody?.content ?? {})) {
        for (const example of examplesOf(media)) (check(media.schema!, example, `${id} request`), checked++);
      }
      for (const [status, response] of Object.entries(op.responses)) {
        for (const media of Object.values(response.content ?? {})) {
          for (const example of examplesOf(media)) (check(media.schema!, example, `${id} ${status}`), checked++);
        }
      }
      for (const param of op.parameters ?? []) {
        if (param.example === undefined) continue;
        check(param.schema, param.example, `${id} ${param.name}`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(150);
  });

  it('rejects an example that breaks its schema (the check can fail)', () => {
    const batchUpdate = operations.find((op) => op.operationId === 'BatchUpdatePoolNodes')!;
    const schema = batchUpdate.requestBody!.content['application/json']!.schema!;
    const validate = compile({ schema, method: 'POST', url: 'x', httpPart: 'body' }) as (data: unknown) => boolean;
    expect(validate({ nodeNames: ['a'], action: 'true' })).toBe(false);
    expect(validate({ nodeNames: ['a'], action: 'openHaRedundant', surplus: 1 })).toBe(false);
  });

  it('describes AK/SK signing and tokens as the security the auth hook enforces, and marks the open routes security: []', () => {
    const schemes = doc.components.securitySchemes;
    expect(schemes.akskSignature).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization' });
    expect(schemes.akskSignature!.description).toMatch(/SDK-HMAC-SHA256/);
    expect(schemes.akskSignature!.description).toMatch(/X-Project-Id/);
    expect(schemes.sdkDate).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Sdk-Date' });
    expect(schemes.token).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Auth-Token' });
    expect(doc.security).toEqual([{ akskSignature: [], sdkDate: [] }, { token: [] }]);
    for (const op of operations) {
      if (PUBLIC.includes(op.operationId!)) expect(op.security, op.operationId).toEqual([]);
      else expect(op.security, op.operationId).toBeUndefined();
    }
  });

  it('lets anonymous callers reach exactly the operations marked security: []', async () => {
    for (const op of operations) {
      const path = op.path.replace(/\{[^}]+\}/g, (name) => (name === '{project_id}' ? t.projectId : 'x'));
      const response = await fetch(`${t.url}${path}`, { method: op.method.toUpperCase(), ...(op.requestBody ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}) });
      await response.arrayBuffer();
      if (PUBLIC.includes(op.operationId!)) expect(response.status, op.operationId).not.toBe(401);
      else expect(response.status, op.operationId).toBe(401);
    }
  });
});
