import { connect } from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardPathParameters } from '../../src/server/transport.js';
import { demoNodeNames, startTestService, type TestService } from '../helpers/service.js';

/** Short limits so a stalled request is answered within a couple of seconds. */
const REQUEST_TIMEOUT_MS = 1_000;
const HEADERS_TIMEOUT_MS = 600;

let t: TestService;
let port: number;

beforeAll(async () => {
  t = await startTestService({ env: { POOLKEEPER_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), POOLKEEPER_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS) } });
  port = Number(new URL(t.url).port);
});

afterAll(async () => {
  await t.stop();
});

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  /** Milliseconds from connecting until the server closed the connection. */
  closedAfterMs: number;
}

/** Writes `head` on a fresh connection and reads until the server closes it. */
function rawExchange(head: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = received.split('\r\n\r\n', 2);
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine?.split(' ')[1]), headers, body: JSON.parse(body) as Record<string, unknown>, closedAfterMs: Date.now() - started });
    });
    socket.setTimeout(30_000, () => socket.destroy(new Error(`no answer in 30 s; received ${JSON.stringify(received)}`)));
  });
}

function expectParserAnswer(answer: RawAnswer, status: number, message: RegExp): void {
  expect(answer.status).toBe(status);
  expect(answer.headers.connection).toBe('close');
  expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  expect(answer.body).toEqual({ error_code: 'APIGW.0201', error_msg: expect.stringMatching(message), request_id: answer.headers['x-request-id'] });
}

/** An error answer from the service: the error format, X-Request-Id, and nothing of the URL echoed. */
async function expectGatewayError(res: Response, status: number, message: RegExp, notEchoed: string): Promise<void> {
  const text = await res.text();
  expect(res.status).toBe(status);
  const requestId = res.headers.get('x-request-id');
  expect(requestId).toMatch(/^[0-9a-f]{32}$/);
  expect(JSON.parse(text)).toEqual({ error_code: 'APIGW.0201', error_msg: expect.stringMatching(message), request_id: requestId });
  expect(text).not.toContain(notEchoed);
}

describe('requests that do not arrive in time', () => {
  it('answers a stalled body 408 and closes it at the request limit, while other requests go on', async () => {
    const stalled = rawExchange(
      `POST /v2/${t.projectId}/pools/${t.demoPool}/nodes/batch-update HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`,
    );
    const others: number[] = [];
    for (let i = 0; i < 5; i++) {
      others.push((await t.client.request('GET', `/v2/${t.projectId}/pools/${t.demoPool}`)).status);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const answer = await stalled;
    expect(others).toEqual([200, 200, 200, 200, 200]);
    expectParserAnswer(answer, 408, /did not arrive within 1 s/);
    expect(answer.closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    // Node checks for expired requests every tenth of the headers limit here; the rest is slack for a busy machine.
    expect(answer.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + 5_000);
  });

  it('answers stalled headers 408 at the headers limit', async () => {
    const answer = await rawExchange('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    expectParserAnswer(answer, 408, /did not arrive within 0.6 s/);
    expect(answer.closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
    expect(answer.closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + 5_000);
  });
});

describe('what Node’s HTTP parser refuses', () => {
  it('answers an oversized header 431 and closes the connection', async () => {
    expectParserAnswer(await rawExchange(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`), 431, /exceed 16384 bytes/);
  });

  it('answers an oversized URL 431 (it counts with the headers) and closes the connection', async () => {
    const answer = await rawExchange(`GET /v2/${t.projectId}/pools/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    expectParserAnswer(answer, 431, /request line and headers exceed/);
  });

  it('answers a malformed request 400 and closes the connection', async () => {
    expectParserAnswer(await rawExchange('NOT HTTP AT ALL\r\n\r\n'), 400, /malformed/);
    expectParserAnswer(await rawExchange('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n'), 400, /malformed/);
  });
});

describe('what the router refuses', () => {
  it('answers a malformed percent-escape in a path segment 400 without echoing the URL', async () => {
    for (const segment of ['%FF', '%', '%zz', '%E0%A4%A']) {
      const path = `/v2/${t.projectId}/pools/${segment}x-marker`;
      await expectGatewayError(await fetch(`${t.url}${path}`), 400, /malformed percent-escape/, 'x-marker');
    }
  });

  it('answers a path segment longer than any path parameter 414, naming the limit and not the URL', async () => {
    const segment = `${'b'.repeat(300)}-marker`;
    await expectGatewayError(await fetch(`${t.url}/_poolkeeper/v1/iam/users/admin/policies/${segment}`, { method: 'DELETE' }), 414, /longer than 128 characters/, 'marker');
  });
});

describe('names as long as the schemas allow', () => {
  const document = { Version: '1.1', Statement: [{ Effect: 'Allow', Action: ['modelarts:pool:get'] }] };

  it('attaches and detaches a policy with a 128-character name', async () => {
    const name = `P${'x'.repeat(127)}`;
    const attached = await t.client.request<{ policies: string[] }>('PUT', `/_poolkeeper/v1/iam/users/admin/policies/${name}`, { document });
    expect(attached.status).toBe(200);
    expect(attached.body.policies).toContain(name);
    const detached = await t.client.request<{ policies: string[] }>('DELETE', `/_poolkeeper/v1/iam/users/admin/policies/${name}`);
    expect(detached.status).toBe(200);
    expect(detached.body.policies).not.toContain(name);
  });

  it('lets the schema name a path parameter one character too long', async () => {
    const res = await t.client.request<{ error_code: string; error_msg: string }>('PUT', `/_poolkeeper/v1/iam/users/admin/policies/P${'x'.repeat(128)}`, { document });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error_code: 'ModelArts.50004000', error_msg: 'Bad request. params.policy_name must NOT have more than 128 characters' });
    expect(res.requestId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('reaches the access-key route with a 128-character key', async () => {
    const res = await t.client.request<{ error_code: string }>('DELETE', `/_poolkeeper/v1/iam/access-keys/${'K'.repeat(128)}`);
    expect(res.status).toBe(404);
    expect(res.requestId).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('JSON bodies', () => {
  const path = () => `/v2/${t.projectId}/pools/${t.demoPool}/nodes/batch-update`;

  it('refuses a key given twice, at any depth, with 400 naming it, after authentication', async () => {
    const nodes = await demoNodeNames(t);
    const top = await t.client.request<{ error_code: string; error_msg: string }>('POST', path(), `{"nodeNames":["${nodes[0]}"],"action":"createTags","action":"deleteTags","tags":[{"key":"k","value":"v"}]}`);
    expect(top.status).toBe(400);
    expect(top.body).toEqual({ error_code: 'ModelArts.50004000', error_msg: 'Bad request. action: the key appears more than once in its object' });
    const deep = await t.client.request<{ error_msg: string }>('POST', path(), `{"nodeNames":["${nodes[0]}"],"action":"createTags","tags":[{"key":"k","value":"v","\\u0076alue":"w"}]}`);
    expect(deep.status).toBe(400);
    expect(deep.body.error_msg).toBe('Bad request. tags[0].value: the key appears more than once in its object');
    const unsigned = await fetch(`${t.url}${path()}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"a":1,"a":2}' });
    expect(unsigned.status).toBe(401);
    // Nothing was written: the node has no tag k.
    const node = await t.client.request<{ metadata: { annotations: Record<string, string> } }>('GET', `/v2/${t.projectId}/pools/${t.demoPool}/nodes/${nodes[0]}`);
    expect(node.body.metadata.annotations['os.modelarts/tms.tags'] ?? '[]').not.toContain('"k"');
  });

  it('refuses any charset but UTF-8 with 415, and accepts UTF-8 however it is spelled', async () => {
    for (const charset of ['utf-16', 'utf-16le', 'iso-8859-1', 'us-ascii', 'utf8', '']) {
      const res = await t.client.request<{ error_code: string }>('POST', `/v2/${t.projectId}/pools`, '{}', { 'Content-Type': `application/json; charset=${charset}` });
      expect(res.status, charset).toBe(415);
      expect(res.body.error_code).toBe('ModelArts.50004100');
      expect(res.requestId).toMatch(/^[0-9a-f]{32}$/);
    }
    for (const contentType of ['application/json; charset=utf-8', 'application/json;charset=UTF-8', 'application/json; charset="utf-8"', 'application/json']) {
      const res = await t.client.request('POST', `/_poolkeeper/v1/${t.projectId}/faults`, { match: { pool: t.demoPool }, fail: 'reboot' }, { 'Content-Type': contentType });
      expect(res.status, contentType).toBe(200);
    }
  });

  it('refuses U+0000 in a path parameter, a query value or the body, naming where', async () => {
    const inPath = await t.client.request<{ error_msg: string }>('PUT', '/_poolkeeper/v1/iam/users/admin/projects/local%001');
    expect(inPath.status).toBe(400);
    expect(inPath.body.error_msg).toBe('Bad request. params.project: must not contain the character U+0000');
    const inQuery = await t.client.request<{ error_msg: string }>('GET', `/v2/${t.projectId}/pools?workspaceId=a%00b`);
    expect(inQuery.status).toBe(400);
    expect(inQuery.body.error_msg).toBe('Bad request. querystring.workspaceId: must not contain the character U+0000');
    const inBody = await t.client.request<{ error_msg: string }>('PATCH', `/v2/${t.projectId}/pools/${t.demoPool}`, { metadata: { annotations: { note: 'a\u0000b' } } }, {
      'Content-Type': 'application/merge-patch+json',
    });
    expect(inBody.status).toBe(400);
    expect(inBody.body.error_msg).toBe('Bad request. metadata.annotations.note: must not contain the character U+0000');
    // An unknown API stays unknown.
    expect((await t.client.request<{ error_code: string }>('GET', '/v2/nowhere?x=%00')).body.error_code).toBe('APIGW.0101');
  });
});

it('refuses to start with a path parameter the router limit would cut short', async () => {
  const app = Fastify();
  guardPathParameters(app);
  expect(() => app.get('/things/:name', async () => 'ok')).toThrow(/path parameter "name" needs a schema maxLength/);
  expect(() => app.get('/things/:name', { schema: { params: { type: 'object', properties: { name: { type: 'string', maxLength: 129 } } } } }, async () => 'ok')).toThrow(
    /at most 128/,
  );
  await app.close();
});
