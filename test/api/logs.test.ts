import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PoolkeeperClient } from '../../src/client/client.js';
import { signRequest } from '../../src/client/signer.js';
import { serviceStorage, TEST_DIALECT, type ServiceStorage } from '../helpers/databases.js';
import { startServiceProcess, type ServiceProcess } from '../helpers/process.js';
import { eventually, TEST_AK, TEST_PROJECT_ID, TEST_SK } from '../helpers/service.js';

/** The service as its own process, read the way an operator's log shipper reads it: stdout, one JSON object a line. */
const METRICS_TOKEN = 'log-test-metrics-token-0123456789';
let storage: ServiceStorage;
let service: ServiceProcess;
let client: PoolkeeperClient;
const pools = `/v2/${TEST_PROJECT_ID}/pools`;
const demo = `${pools}/demo-${TEST_PROJECT_ID}`;

type LogLine = Record<string, unknown> & { msg: string; requestId?: string };

function logLinesOf(stdout: string): LogLine[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LogLine);
}

function logLines(): LogLine[] {
  return logLinesOf(service.stdout());
}

/** The log line `msg` written for the request `requestId`, once it is there. */
function lineFor(requestId: string | null, msg = 'request completed'): Promise<LogLine> {
  return eventually(async () => logLines().find((line) => line.requestId === requestId && line.msg === msg));
}

beforeAll(async () => {
  storage = await serviceStorage();
  service = await startServiceProcess({ ...storage.env, POOLKEEPER_LOG_LEVEL: 'info', POOLKEEPER_METRICS_TOKEN: METRICS_TOKEN });
  client = new PoolkeeperClient(service.url, { accessKey: TEST_AK, secretKey: TEST_SK });
});

afterAll(async () => {
  await service.kill();
  await storage.remove();
});

describe('the log stream', () => {
  it('has only JSON lines on stdout; the start banner goes to stderr', async () => {
    expect((await client.request('GET', pools)).status).toBe(200);
    expect(service.stderr()).toMatch(/^poolkeeper listening on http:\/\/127\.0\.0\.1:\d+ {2}\(database: /m);
    expect(service.stderr()).toContain(`project id : ${TEST_PROJECT_ID}`);
    const lines = logLines();
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.some((line) => line.msg === 'poolkeeper is listening')).toBe(true);
    expect(service.stdout()).not.toContain('access key :');
  });

  it('honours a valid X-Request-Id, replaces an invalid one, echoes it, and logs under it', async () => {
    const honoured = await client.request('GET', pools, undefined, { 'X-Request-Id': 'client-req:42.a_b-c' });
    expect(honoured.requestId).toBe('client-req:42.a_b-c');
    expect(await lineFor('client-req:42.a_b-c')).toMatchObject({ operation: 'ListPools', status: 200 });

    for (const invalid of ['has space', 'x'.repeat(129), 'semi;colon']) {
      const replaced = await fetch(`${service.url}${pools}`, { headers: { 'X-Request-Id': invalid } });
      expect(replaced.status).toBe(401);
      const id = replaced.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(((await replaced.json()) as { request_id: string }).request_id).toBe(id);
      expect(await lineFor(id)).toMatchObject({ status: 401, error_code: 'APIGW.0301' });
    }
    const gateway = await fetch(`${service.url}/no/such/path`, { headers: { 'X-Request-Id': 'gw-1' } });
    expect(gateway.headers.get('x-request-id')).toBe('gw-1');
    expect(await gateway.json()).toMatchObject({ error_code: 'APIGW.0101', request_id: 'gw-1' });
  });

  it('gives 4xx request lines their error_code, and 2xx lines none', async () => {
    const missing = await fetch(`${service.url}/no/such/path`);
    expect(await lineFor(missing.headers.get('x-request-id'))).toMatchObject({ status: 404, error_code: 'APIGW.0101' });
    const bad = await client.request('POST', `${demo}/nodes/batch-update`, { nodeNames: [], action: 'createTags' });
    expect(bad.status).toBe(400);
    expect(await lineFor(bad.requestId)).toMatchObject({ operation: 'BatchUpdatePoolNodes', status: 400, error_code: 'ModelArts.50004000', principal: 'admin@poolkeeper' });
    const noPool = await client.request('GET', `${pools}/nopool-${TEST_PROJECT_ID}`);
    expect(await lineFor(noPool.requestId)).toMatchObject({ status: 404, error_code: 'ModelArts.50015001' });
    const ok = await client.request('GET', pools);
    expect(await lineFor(ok.requestId)).not.toHaveProperty('error_code');
  });

  it('writes a line per batch operation with its X-Operation-Id and counts', async () => {
    const list = await client.request<{ items: Array<{ metadata: { name: string } }> }>('GET', `${demo}/nodes`);
    const [first, second] = list.body.items.map((n) => n.metadata.name);
    const update = await client.request('POST', `${demo}/nodes/batch-update`, {
      nodeNames: [first, 'os-node-created-zzzzz'],
      action: 'createTags',
      tags: [{ key: 'team', value: 'ml' }],
    });
    expect(update.status).toBe(200);
    const operationId = update.headers.get('x-operation-id');
    expect(await lineFor(update.requestId, 'batch operation recorded')).toMatchObject({
      operation: 'BatchUpdatePoolNodes',
      action: 'createTags',
      pool: `demo-${TEST_PROJECT_ID}`,
      operationId,
      successCount: 1,
      failCount: 1,
      failures: { 'ModelArts.50005101': 1 },
    });
    expect(await lineFor(update.requestId)).toMatchObject({ status: 200, operationId });

    const lock = await client.request('POST', `${demo}/nodes/batch-lock`, { nodeNames: [first, second], actions: ['delete'] });
    expect(await lineFor(lock.requestId, 'batch operation recorded')).toMatchObject({
      operation: 'BatchLockPoolNodes',
      operationId: lock.headers.get('x-operation-id'),
      successCount: 2,
      failCount: 0,
    });
    const refused = await client.request('POST', `${demo}/nodes/batch-delete`, { deleteNodeNames: [first] });
    expect(refused.status).toBe(400);
    expect(await lineFor(refused.requestId, 'batch operation refused; nothing was written')).toMatchObject({
      operation: 'BatchDeletePoolNodes',
      successCount: 0,
      failCount: 1,
      failures: { 'ModelArts.50004003': 1 },
    });
  });

  it('never prints the metrics token, right or wrong', async () => {
    const wrong = `${METRICS_TOKEN.slice(0, -4)}nope`;
    expect((await fetch(`${service.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);
    const refused = await fetch(`${service.url}/metrics`, { headers: { Authorization: `Bearer ${wrong}` } });
    expect(refused.status).toBe(401);
    await lineFor(refused.headers.get('x-request-id'));
    for (const secret of [METRICS_TOKEN, wrong]) expect(service.output()).not.toContain(secret);
  });
});

describe('stopping with SIGTERM', () => {
  it('answers the request in flight and writes its line before the process exits', async () => {
    const own = await serviceStorage();
    const stopping = await startServiceProcess({ ...own.env, POOLKEEPER_LOG_LEVEL: 'info' });
    try {
      const ownClient = new PoolkeeperClient(stopping.url, { accessKey: TEST_AK, secretKey: TEST_SK });
      const nodes = await ownClient.request<{ items: Array<{ metadata: { name: string } }> }>('GET', `${demo}/nodes`);
      const url = new URL(`${demo}/nodes/batch-update`, stopping.url);
      const body = JSON.stringify({ nodeNames: [nodes.body.items[0]!.metadata.name], action: 'createTags', tags: [{ key: 'last', value: 'line' }] });
      const headers = signRequest({ method: 'POST', url, headers: { 'Content-Type': 'application/json', Host: url.host, 'X-Request-Id': 'the-last-request' }, body }, { accessKey: TEST_AK, secretKey: TEST_SK });
      const exited = new Promise<number | null>((done) => stopping.child.once('exit', (code) => done(code)));
      // The headers go first, with Expect: 100-continue: the service's "100 Continue" says the request is in flight.
      // Then SIGTERM, and only once the service says it is stopping, the body.
      const socket = connect(Number(url.port), '127.0.0.1');
      let received = '';
      socket.setEncoding('utf8');
      const closed = new Promise<void>((done, fail) => {
        socket.on('close', () => done());
        socket.on('error', fail);
      });
      const continued = new Promise<void>((done) => socket.on('data', (chunk: string) => (received += chunk).includes('100 Continue') && done()));
      const head = Object.entries({ ...headers, 'Content-Length': String(Buffer.byteLength(body)), Expect: '100-continue' }).map(([name, value]) => `${name}: ${value}\r\n`);
      socket.write(`POST ${url.pathname} HTTP/1.1\r\n${head.join('')}\r\n`);
      await continued;
      stopping.child.kill('SIGTERM');
      await eventually(async () => (stopping.stderr().includes('SIGTERM, stopping') ? true : undefined));
      socket.write(body);
      await closed;
      expect(received).toMatch(/HTTP\/1\.1 200 OK\r\n/);
      expect(await exited).toBe(0);
      const requestLines = logLinesOf(stopping.stdout()).filter((line) => line.msg === 'request completed');
      expect(requestLines.at(-1)).toMatchObject({ requestId: 'the-last-request', operation: 'BatchUpdatePoolNodes', status: 200 });
    } finally {
      await stopping.kill();
      await own.remove();
    }
  });
});

describe.runIf(TEST_DIALECT === 'postgres')('a database URL with a password', () => {
  const PASSWORD = 'db-pass-w0rd-never-printed';

  it('is masked in the banner and the logs of a running service', async () => {
    const own = await serviceStorage();
    const url = new URL(own.database.url);
    url.password = PASSWORD;
    const withPassword = await startServiceProcess({ ...own.env, POOLKEEPER_DATABASE_URL: url.toString(), POOLKEEPER_LOG_LEVEL: 'trace' });
    try {
      expect((await new PoolkeeperClient(withPassword.url, { accessKey: TEST_AK, secretKey: TEST_SK }).request('GET', pools)).status).toBe(200);
      await fetch(`${withPassword.url}/readyz`);
      expect(withPassword.stderr()).toContain(`(database: postgres://postgres:***@127.0.0.1:5432/`);
      const started = withPassword.stdout().split('\n').find((line) => line.includes('"poolkeeper is listening"'));
      expect(JSON.parse(started!)).toMatchObject({ databaseUrl: expect.stringMatching(/^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:5432\//) });
      expect(withPassword.output()).not.toContain(PASSWORD);
    } finally {
      await withPassword.kill();
      await own.remove();
    }
  });

  it('is masked when the service cannot start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'poolkeeper-process-'));
    try {
      const failed = await startServiceProcess({
        POOLKEEPER_DATABASE_URL: `postgres://postgres:${PASSWORD}@127.0.0.1:1/none`,
        POOLKEEPER_DATA_DIR: dataDir,
        POOLKEEPER_DATABASE_CONNECT_TIMEOUT_MS: '500',
      }).then(
        () => 'started',
        (error: Error) => error.message,
      );
      expect(failed).toMatch(/service exited with 1: [\s\S]*poolkeeper: /);
      expect(failed).not.toContain(PASSWORD);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
