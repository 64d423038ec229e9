/**
 * The API Explorer in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core) against a real
 * service on loopback: both sign-ins, a batch-update from the page, its operation record, a refused body, the secret
 * key never on the wire. Screenshots go to test-results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSamples } from '../../web/lib/samples.js';
import { demoNodeNames, startTestService, TEST_AK, TEST_SK, type TestService } from '../helpers/service.js';

const RESULTS = resolve(import.meta.dirname, '../../test-results');
const ADMIN_PASSWORD = 'admin-password-for-the-browser';

let t: TestService;
let browser: Browser;

interface WireRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

/** A fresh browser context that records every request the page makes, with all its headers and its body. */
async function openExplorer(): Promise<{ context: BrowserContext; page: Page; wire: Promise<WireRequest>[] }> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const wire: Promise<WireRequest>[] = [];
  page.on('request', (request) => {
    wire.push(request.allHeaders().then((headers) => ({ url: request.url(), method: request.method(), headers, body: request.postData() ?? '' })));
  });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(`${t.url}/`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  expect(page.url()).toBe(`${t.url}/explorer`);
  expect(errors).toEqual([]);
  return { context, page, wire };
}

async function send(page: Page): Promise<string> {
  const before = await page.evaluate(() => document.querySelector('[data-testid=request-id]')?.textContent ?? null);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.waitForFunction((previous) => {
    const id = document.querySelector('[data-testid=request-id]')?.textContent;
    return id && id !== previous;
  }, before);
  return (await page.getByTestId('status').textContent())!;
}

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  t = await startTestService();
  const set = await t.client.request('PUT', '/_poolkeeper/v1/iam/users/admin/password', { password: ADMIN_PASSWORD });
  expect(set.status).toBe(204);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('API Explorer', () => {
  it('signs in with user name, password, account and project, says it uses a token, lists pools, and forgets it on sign-out', async () => {
    const { context, page, wire } = await openExplorer();
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByLabel('Account (domain)').fill('poolkeeper');
    await page.getByLabel('Project (name or id)').fill('local-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('session').textContent()).toContain('admin@poolkeeper — token for project local-1');

    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('List pools');
    expect(await send(page)).toBe('200');
    expect(await page.getByTestId('response-body').textContent()).toContain(`"name": "${t.demoPool}"`);
    await page.screenshot({ path: join(RESULTS, 'explorer-token-list-pools.png') });

    const requests = await Promise.all(wire);
    const listPools = requests.filter((r) => r.url === `${t.url}/v2/${t.projectId}/pools`);
    expect(listPools.length).toBeGreaterThan(0);
    for (const r of listPools) {
      expect(r.headers['x-auth-token']).toMatch(/^ey/);
      expect(r.headers.authorization).toBeUndefined();
    }

    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(await page.getByTestId('session').textContent()).toBe('Not signed in');
    expect(await page.getByRole('button', { name: 'Send', exact: true }).isDisabled()).toBe(true);
    expect(await page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie])).toEqual([0, 0, '']);
    await context.close();
  });

  it('with AK/SK signed in the browser: batch-updates two nodes, opens the operation record, shows a 400, and never sends the secret key', async () => {
    const { context, page, wire } = await openExplorer();
    await page.getByLabel('Access key (AK/SK)').check();
    await page.getByLabel('Access key (AK)').fill(TEST_AK);
    await page.getByLabel('Secret key (SK)').fill(TEST_SK);
    await page.getByLabel('Project id').fill(t.projectId);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('session').textContent()).toContain(`access key ${TEST_AK} — AK/SK, each request signed in this page`);
    // The secret key is gone from the page once the signing key is made.
    expect(await page.content()).not.toContain(TEST_SK);

    expect(await send(page)).toBe('200');

    // BatchUpdatePoolNodes: the pool comes from the live list, the two nodes are ticked in the live node list.
    const [first, second] = await demoNodeNames(t);
    await page.getByRole('link', { name: 'Update nodes in batch' }).click();
    await page.getByRole('heading', { level: 1, name: 'Update nodes in batch' }).waitFor();
    expect(await page.getByLabel('pool_name').inputValue()).toBe(t.demoPool);
    await page.getByLabel('Request body (JSON)').fill(JSON.stringify({ nodeNames: [], action: 'openHaRedundant', haRedundantEffect: 'NoExecute' }, null, 2));
    await page.getByRole('checkbox', { name: first }).check();
    await page.getByRole('checkbox', { name: second }).check();
    const body = JSON.parse(await page.getByLabel('Request body (JSON)').inputValue()) as { nodeNames: string[] };
    expect(body.nodeNames).toEqual([first, second]);

    // The Node.js sample on screen is the one the sample module makes for exactly this request.
    const expected = buildSamples(
      {
        operationId: 'BatchUpdatePoolNodes',
        method: 'POST',
        pathTemplate: '/v2/{project_id}/pools/{pool_name}/nodes/batch-update',
        pathParams: { pool_name: t.demoPool },
        query: {},
        body: { nodeNames: [first, second], action: 'openHaRedundant', haRedundantEffect: 'NoExecute' },
        extension: false,
      },
      { endpoint: t.url, projectId: t.projectId },
    ).find((s) => s.language === 'node')!;
    expect(await page.getByTestId('sample-node').textContent()).toBe(expected.code);

    expect(await send(page)).toBe('200');
    expect(JSON.parse((await page.getByTestId('response-body').textContent())!)).toEqual({ successNodeNames: [first, second], failNodeNames: [] });
    const operationId = (await page.getByTestId('operation-link').textContent())!;
    expect(operationId).toMatch(/^[0-9a-f-]{36}$/);
    await page.getByRole('heading', { name: 'Response' }).evaluate((heading) => heading.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(RESULTS, 'explorer-aksk-batch-update.png') });

    // The X-Operation-Id link opens the record with each node's result.
    await page.getByTestId('operation-link').click();
    await page.getByRole('heading', { level: 1, name: 'Show a batch call’s record' }).waitFor();
    const record = page.getByTestId('operation-record');
    await record.waitFor();
    const rows = await record.locator('tbody tr').allTextContents();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain(first);
    expect(rows[0]).toContain('success');
    expect(rows[1]).toContain(second);
    expect(rows[1]).toContain('success');
    expect(await page.getByLabel('operation_id').inputValue()).toBe(operationId);
    await page.getByRole('heading', { name: 'Response' }).evaluate((heading) => heading.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(RESULTS, 'explorer-operation-record.png') });

    // The service really changed the nodes.
    const shown = await t.client.request<{ status: { taints: Array<{ key: string; effect: string }> } }>('GET', `/v2/${t.projectId}/pools/${t.demoPool}/nodes/${second}`);
    expect(shown.body.status.taints).toContainEqual(expect.objectContaining({ key: 'os.modelarts.node/ha.redundant', effect: 'NoExecute' }));

    // A body the schema refuses: 400 with its error_code shown prominently.
    await page.getByRole('link', { name: 'Update nodes in batch' }).click();
    await page.getByRole('heading', { level: 1, name: 'Update nodes in batch' }).waitFor();
    await page.getByLabel('Request body (JSON)').fill('{"nodeNames": ["' + first + '"], "action": "true"}');
    expect(await send(page)).toBe('400');
    expect(await page.getByTestId('error-code').textContent()).toBe('ModelArts.50004000');
    expect(await page.getByTestId('error-msg').textContent()).toContain('action must be one of');
    await page.getByRole('heading', { name: 'Response' }).evaluate((heading) => heading.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(RESULTS, 'explorer-aksk-bad-body.png') });

    // Every request the page made: the AK/SK calls carry a signature, none carries the secret key anywhere.
    const requests = await Promise.all(wire);
    const apiCalls = requests.filter((r) => /\/(v2|_poolkeeper)\//.test(r.url));
    expect(apiCalls.length).toBeGreaterThanOrEqual(6);
    for (const r of apiCalls) {
      expect(r.headers.authorization, r.url).toMatch(new RegExp(`^SDK-HMAC-SHA256 Access=${TEST_AK}, SignedHeaders=[a-z0-9;-]*x-sdk-date[a-z0-9;-]*, Signature=[0-9a-f]{64}$`));
      expect(r.headers['x-project-id']).toBe(t.projectId);
    }
    for (const r of requests) {
      expect(r.url, 'URL').not.toContain(TEST_SK);
      expect(JSON.stringify(r.headers), `headers of ${r.url}`).not.toContain(TEST_SK);
      expect(r.body, `body of ${r.url}`).not.toContain(TEST_SK);
    }
    expect(await page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie])).toEqual([0, 0, '']);
    await context.close();
  });

  it('gives every control an accessible name and is usable from the keyboard', async () => {
    const { context, page } = await openExplorer();
    const unnamed = await page.evaluate(() =>
      [...document.querySelectorAll('input, select, textarea, button, a[href]')]
        .filter((el) => {
          const named = (el as HTMLInputElement).labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.textContent?.trim();
          return !named;
        })
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(unnamed).toEqual([]);
    // Keyboard: focus the first operation link, move with Tab to the next one, press Enter to open it.
    await page.getByRole('link', { name: 'List pools' }).focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Create a pool' }).waitFor();
    // The sample tabs follow the arrow keys.
    await page.getByRole('tab', { name: 'Node.js' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: 'Python' }).getAttribute('aria-selected')).toBe('true');
    expect(await page.getByTestId('sample-python').textContent()).toContain('CreatePoolRequest');

    const timings = await page.evaluate(() => ({
      firstContentfulPaint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime,
      operationsRendered: performance.getEntriesByName('explorer-ready')[0]?.startTime,
    }));
    writeFileSync(join(RESULTS, 'explorer-timings.json'), JSON.stringify(timings, null, 2) + '\n');
    expect(timings.operationsRendered).toBeGreaterThan(0);
    await context.close();
  });
});
