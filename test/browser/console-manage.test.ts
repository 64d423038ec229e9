/**
 * The web console's operations view and pool management in headless Chromium (Debian's /usr/bin/chromium through
 * playwright-core) against a real service on loopback (SQLite): recent operations newest first, filtered by pool and
 * kind; the operations that touched a node in its drawer; a drain followed until it ends; creating a pool from the
 * form (checked before sending, the service's 400 placed at its field), scaling it, deleting it with its name typed;
 * a pool's driver upgrade followed to its end; axe-core on every new page and dialog, at 1280×800 and 420 px wide.
 * Screenshots go to test-results/.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openConsole, seriousViolations, setAdminPassword } from './console-browser.js';
import { poolBody } from '../helpers/pools.js';
import { demoNodeNames, eventually, startTestService, type TestService } from '../helpers/service.js';

const RESULTS = resolve(import.meta.dirname, '../../test-results');
/** The user's zone: every time the console shows is in it. */
const ZONE = { timezoneId: 'Asia/Shanghai', locale: 'en-US' };

let t: TestService;
let browser: Browser;
let names: string[];
let otherPool: string;
let otherNodes: string[];
/** Operations made through the API before the tests, oldest first. */
const made: string[] = [];

interface ApiNode {
  metadata: { name: string; annotations: Record<string, string> };
  status: { phase: string };
}

async function batch(pool: string, path: string, body: unknown): Promise<string> {
  const answer = await t.client.request('POST', `/v2/${t.projectId}/pools/${pool}/nodes/${path}`, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.headers.get('x-operation-id')!;
}

async function shownOperations(page: Page): Promise<string[]> {
  return page.locator('table.operations tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-operation')!));
}

async function operationsOf(query: string): Promise<string[]> {
  const answer = await t.client.request<{ items: Array<{ id: string }> }>('GET', `/_poolkeeper/v1/${t.projectId}/operations${query}`);
  return answer.body.items.map((i) => i.id);
}

async function poolCard(page: Page, name: string) {
  return page.getByTestId('pool').filter({ has: page.getByRole('heading', { name, exact: true }) });
}

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  t = await startTestService({
    env: {
      POOLKEEPER_SIM_NODE_CREATE_SECONDS: '1',
      POOLKEEPER_SIM_NODE_DELETE_SECONDS: '1',
      POOLKEEPER_SIM_DRAIN_SECONDS: '2',
      POOLKEEPER_SIM_DRIVER_UPGRADE_SECONDS: '1',
    },
  });
  await setAdminPassword(t);
  names = await demoNodeNames(t);
  const created = await t.client.request<{ metadata: { name: string } }>('POST', `/v2/${t.projectId}/pools`, poolBody('other', 2));
  expect(created.status).toBe(200);
  otherPool = created.body.metadata.name;
  otherNodes = await eventually(async () => {
    const list = await t.client.request<{ items: ApiNode[] }>('GET', `/v2/${t.projectId}/pools/${otherPool}/nodes`);
    return list.body.items.length === 2 && list.body.items.every((n) => n.status.phase === 'Available') ? list.body.items.map((n) => n.metadata.name) : undefined;
  });
  made.push(await batch(t.demoPool, 'batch-lock', { nodeNames: [names[0]], actions: ['delete'] }));
  made.push(await batch(otherPool, 'batch-update', { nodeNames: otherNodes, action: 'createTags', tags: [{ key: 'team', value: 'ops' }] }));
  made.push(await batch(t.demoPool, 'batch-update', { nodeNames: [names[0], names[1]], action: 'openHaRedundant', haRedundantEffect: 'NoExecute' }));
  made.push(await batch(otherPool, 'batch-lock', { nodeNames: [otherNodes[0]], actions: ['delete'] }));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe('web console: operations', () => {
  it('lists the project’s operations newest first, each with its progress, and filters them by pool and kind', async () => {
    const { context, page, errors } = await openConsole(browser, t, 'password', ZONE);
    await page.getByRole('link', { name: 'Operations', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Operations' }).waitFor();
    await page.locator('table.operations tbody tr').first().waitFor();
    expect(await shownOperations(page)).toEqual([...made].reverse());
    const newest = page.locator(`tr[data-operation="${made[3]}"]`);
    expect(await newest.locator('td').nth(0).getByRole('link').textContent()).toBe('Lock nodes: delete');
    expect(await newest.locator('td').nth(1).textContent()).toBe('other');
    expect(await newest.getByRole('img').getAttribute('aria-label')).toBe('1 of 1 done');
    expect(await newest.getByTestId('operation-state').textContent()).toBe('Done');
    // The demo pool's batch-update: its locked node failed.
    expect(await page.locator(`tr[data-operation="${made[2]}"]`).getByRole('img').getAttribute('aria-label')).toBe('1 of 2 done, 1 failed');
    expect(await page.locator(`tr[data-operation="${made[2]}"]`).getByTestId('operation-state').textContent()).toBe('Done, with failures');
    // Times are in the user's zone.
    expect(await newest.locator('td').nth(5).textContent()).toMatch(/GMT\+8$/);
    await page.screenshot({ path: join(RESULTS, 'console-operations.png') });
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Pool', { exact: true }).selectOption({ label: 'other' });
    await expect.poll(() => shownOperations(page)).toEqual([made[3], made[1]]);
    expect(page.url()).toContain(`#/operations?pool=${otherPool}`);
    await page.getByLabel('Kind', { exact: true }).selectOption('BatchLockPoolNodes');
    await expect.poll(() => shownOperations(page)).toEqual([made[3]]);
    await page.getByLabel('Pool', { exact: true }).selectOption({ label: 'any' });
    await expect.poll(() => shownOperations(page)).toEqual([made[3], made[0]]);
    expect(await operationsOf('?kind=BatchLockPoolNodes')).toEqual([made[3], made[0]]);
    await page.getByLabel('Kind', { exact: true }).selectOption('BatchRebootPoolNodes');
    await page.getByText('No operation matches these filters').waitFor();

    // One operation: every node with its outcome, code and reason.
    await page.goto(`${t.url}/console#/operations/${made[2]}`);
    await page.getByRole('heading', { level: 1, name: 'Update nodes: open HA' }).waitFor();
    await page.getByText('Every node has ended.').waitFor();
    const failed = page.locator('table.nodes tbody tr[data-outcome=failed]');
    expect(await failed.count()).toBe(1);
    expect(await failed.textContent()).toMatch(new RegExp(`^${names[0]}refusedfailedModelArts\\.50004003.*locked`, 'i'));
    expect(await page.locator(`table.nodes tbody tr[data-node="${names[1]}"]`).textContent()).toBe(`${names[1]}acceptedsucceeded`);
    await page.screenshot({ path: join(RESULTS, 'console-operation.png') });
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lists in the node drawer the operations that touched the node, each a link to it', async () => {
    const { context, page, errors } = await openConsole(browser, t, 'aksk', ZONE);
    await page.getByRole('link', { name: 'demo', exact: true }).click();
    await page.getByRole('button', { name: `Details of ${names[0]}` }).click();
    const drawer = page.getByTestId('node-drawer');
    const list = drawer.getByTestId('node-operations');
    await list.waitFor();
    expect(await list.getByRole('link').evaluateAll((links) => links.map((a) => [a.textContent, a.getAttribute('href')]))).toEqual([
      ['Update nodes: open HA', `#/operations/${made[2]}`],
      ['Lock nodes: delete', `#/operations/${made[0]}`],
    ]);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(RESULTS, 'console-node-drawer-operations.png') });
    await list.getByRole('link', { name: 'Lock nodes: delete' }).click();
    await page.getByRole('heading', { level: 1, name: 'Lock nodes: delete' }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('follows a drain until the node is Drained: in the result panel, the operations view and the operation page', async () => {
    for (const name of [names[2], names[3]]) {
      const busy = await t.client.request('PUT', `/_poolkeeper/v1/${t.projectId}/pools/${t.demoPool}/nodes/${name}/workload`, { runningJobs: 2 });
      expect(busy.status).toBe(200);
    }
    const { context, page, errors } = await openConsole(browser, t, 'password', ZONE);
    await page.getByRole('link', { name: 'demo', exact: true }).click();
    await page.getByLabel(`Select ${names[2]}`).click();
    await page.getByLabel('Action', { exact: true }).selectOption({ label: 'Drain' });
    await page.getByRole('button', { name: 'Apply to 1 node' }).click();
    const result = page.getByTestId('batch-result');
    await result.getByText(/waiting for 1 node\(s\) to finish/).waitFor();
    await page.screenshot({ path: join(RESULTS, 'console-drain-progress.png') });
    await result.locator('.result-head').getByText(/^1 succeeded, 0 failed$/).waitFor({ timeout: 20_000 });
    expect(await result.locator('tbody tr').textContent()).toBe(`${names[2]}successsucceeded`);
    expect((await t.client.request<ApiNode>('GET', `/v2/${t.projectId}/pools/${t.demoPool}/nodes/${names[2]}`)).body.metadata.annotations['os.modelarts.node/drain']).toBe('Drained');

    // A second drain, watched from the operations view while it runs.
    await page.getByRole('button', { name: 'Clear selection' }).click();
    await page.getByLabel(`Select ${names[3]}`).click();
    await page.getByRole('button', { name: 'Apply to 1 node' }).click();
    await result.getByText(/waiting for 1 node\(s\) to finish/).waitFor();
    const drain = (await operationsOf('?kind=BatchDrainPoolNodes'))[0]!;
    await page.getByRole('link', { name: 'Operations', exact: true }).click();
    const row = page.locator(`tr[data-operation="${drain}"]`);
    await row.getByTestId('operation-state').getByText('In progress').waitFor();
    expect(await row.getByRole('img').getAttribute('aria-label')).toBe('0 of 1 done, 1 in progress');
    await page.screenshot({ path: join(RESULTS, 'console-operations-live.png') });
    await row.getByTestId('operation-state').getByText('Done').waitFor({ timeout: 20_000 });
    expect(await row.getByRole('img').getAttribute('aria-label')).toBe('1 of 1 done');
    await row.getByRole('link', { name: 'Drain nodes' }).click();
    await page.getByText('Every node has ended.').waitFor();
    expect(await page.locator('table.nodes tbody tr').textContent()).toBe(`${names[3]}acceptedsucceeded`);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('web console: pool management', () => {
  it('creates a pool from the form, checked before sending and with the service’s 400 at its field; scales it; deletes it once its name is typed', async () => {
    const { context, page, errors } = await openConsole(browser, t, 'password', ZONE);
    const poolsBefore = (await t.client.request<{ items: unknown[] }>('GET', `/v2/${t.projectId}/pools`)).body.items.length;
    await page.getByRole('button', { name: 'Create pool' }).click();
    const dialog = page.getByTestId('create-pool');
    await dialog.getByRole('heading', { name: 'Create a pool' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    // Checked with the published schema before anything is sent.
    await dialog.getByLabel('Name', { exact: true }).fill('Bad Name');
    await dialog.getByLabel('Flavor', { exact: true }).fill('modelarts.vm.cpu.8ud');
    await dialog.getByLabel('Count', { exact: true }).fill('2');
    await dialog.getByRole('button', { name: 'Create pool' }).click();
    const name = dialog.getByLabel('Name', { exact: true });
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#pool-name-problems').textContent()).toContain('metadata.labels.os.modelarts/name must match pattern');
    await page.screenshot({ path: join(RESULTS, 'console-create-pool-invalid.png') });
    expect((await t.client.request<{ items: unknown[] }>('GET', `/v2/${t.projectId}/pools`)).body.items.length).toBe(poolsBefore);

    // The service refuses what the schema cannot say (a flavor twice): its 400 lands at that field.
    await name.fill('made-here');
    await dialog.getByRole('button', { name: 'Add a flavor' }).click();
    await dialog.getByLabel('Flavor 2', { exact: true }).fill('modelarts.vm.cpu.8ud');
    await dialog.getByRole('button', { name: 'Create pool' }).click();
    await page.locator('#pool-flavor-1-problems').getByText(/ModelArts\.50004000: Bad request\. spec\.resources\[1\]: flavor modelarts\.vm\.cpu\.8ud appears twice/).waitFor();
    expect(await dialog.getByLabel('Flavor 2', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await name.getAttribute('aria-invalid')).toBeNull();
    await page.screenshot({ path: join(RESULTS, 'console-create-pool-refused.png') });
    expect(await seriousViolations(page)).toEqual([]);

    await dialog.getByRole('button', { name: 'Remove flavor 2' }).click();
    await dialog.getByLabel('Labels (key=value, one per line)').fill('team=console');
    await dialog.getByRole('button', { name: 'Create pool' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('pools-notice').getByText('Pool made-here created').waitFor();
    const card = await poolCard(page, 'made-here');
    await expect.poll(() => card.getByTestId('counts').textContent(), { timeout: 20_000 }).toBe('available 2creating 0abnormal 0deleting 0');
    const id = `made-here-${t.projectId}`;
    const created = await t.client.request<{ metadata: { labels: Record<string, string> }; spec: { resources: unknown } }>('GET', `/v2/${t.projectId}/pools/${id}`);
    expect(created.body.metadata.labels.team).toBe('console');
    expect(created.body.spec.resources).toEqual([{ flavor: 'modelarts.vm.cpu.8ud', count: 2 }]);

    await card.getByRole('button', { name: 'Scale made-here' }).click();
    const scale = page.getByTestId('scale-pool');
    await scale.getByLabel(/Nodes of modelarts\.vm\.cpu\.8ud/).fill('3');
    expect(await seriousViolations(page)).toEqual([]);
    await scale.getByRole('button', { name: 'Scale', exact: true }).click();
    await scale.waitFor({ state: 'detached' });
    await expect.poll(() => card.getByTestId('counts').textContent(), { timeout: 20_000 }).toBe('available 3creating 0abnormal 0deleting 0');
    expect(await card.textContent()).toContain('modelarts.vm.cpu.8ud × 3');

    await card.getByRole('button', { name: 'Delete made-here' }).click();
    const remove = page.getByTestId('delete-pool');
    const confirm = remove.getByLabel('Type made-here to delete the pool');
    const button = remove.getByRole('button', { name: 'Delete pool' });
    expect(await button.isDisabled()).toBe(true);
    await confirm.fill('DELETE');
    expect(await button.isDisabled()).toBe(true);
    await confirm.fill('made-here');
    expect(await button.isDisabled()).toBe(false);
    await page.screenshot({ path: join(RESULTS, 'console-delete-pool.png') });
    expect(await seriousViolations(page)).toEqual([]);
    await button.click();
    await remove.waitFor({ state: 'detached' });
    await card.waitFor({ state: 'detached', timeout: 20_000 });
    expect((await t.client.request('GET', `/v2/${t.projectId}/pools/${id}`)).status).toBe(404);
    // The one request the service refused (the flavor given twice); the invalid name was never sent.
    expect(errors).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    await context.close();
  });

  it('upgrades a pool’s driver from its card and follows the upgrade to its end on the operation page', async () => {
    const { context, page, errors } = await openConsole(browser, t, 'password', ZONE);
    const card = await poolCard(page, 'demo');
    await card.getByRole('button', { name: 'Driver of demo' }).click();
    const dialog = page.getByTestId('pool-driver');
    await dialog.getByLabel(/GPU driver version/).fill('570.1.1');
    await dialog.getByLabel('Upgrade strategy').selectOption('force');
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Upgrade' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('pools-notice').getByRole('link', { name: 'Follow the upgrade' }).click();
    await page.getByRole('heading', { level: 1, name: 'Pool driver upgrade' }).waitFor();
    await page.getByText('Every node has ended.').waitFor({ timeout: 30_000 });
    // The delete-locked node is refused; the drained nodes run no work and upgrade with the others.
    expect(await page.getByTestId('operation-state').textContent()).toBe('Done, with failures');
    expect(await page.locator('table.nodes tbody tr[data-outcome=failed]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-node')))).toEqual([names[0]]);
    expect(await page.locator('.op-progress').getByRole('img').getAttribute('aria-label')).toBe('7 of 8 done, 1 failed');
    await page.screenshot({ path: join(RESULTS, 'console-pool-driver-done.png') });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('fits a narrow window: the operations view and the create form at 420 pixels pass axe', async () => {
    const { context, page, errors } = await openConsole(browser, t, 'password', { ...ZONE, viewport: { width: 420, height: 800 } });
    await page.getByRole('link', { name: 'Operations', exact: true }).click();
    await page.locator('table.operations tbody tr').first().waitFor();
    await page.screenshot({ path: join(RESULTS, 'console-operations-narrow.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Pools', exact: true }).click();
    await page.getByRole('button', { name: 'Create pool' }).click();
    await page.getByTestId('create-pool').getByRole('heading', { name: 'Create a pool' }).waitFor();
    await page.screenshot({ path: join(RESULTS, 'console-create-pool-narrow.png') });
    expect(await seriousViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await page.getByTestId('create-pool').waitFor({ state: 'detached' });
    expect(errors).toEqual([]);
    await context.close();
  });
});
