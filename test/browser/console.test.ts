/**
 * The web console in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core) against a real
 * service on loopback (SQLite): both sign-ins, the pools page's counts, batch actions from the node table with their
 * per-node outcomes, the typed delete confirmation, a 10,000-node pool, and axe-core on each page.
 * Screenshots and timings go to test-results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openConsole as openBrowserConsole, seriousViolations, setAdminPassword } from './console-browser.js';
import { poolBody } from '../helpers/pools.js';
import { demoNodeNames, eventually, startTestService, type TestService } from '../helpers/service.js';

const RESULTS = resolve(import.meta.dirname, '../../test-results');
const BIG_POOL_NODES = 10_000;

let t: TestService;
let browser: Browser;
const timings: Record<string, number> = {};

interface ApiNode {
  metadata: { name: string; annotations: Record<string, string> };
  status: { phase: string; taints: Array<{ key: string; effect: string }>; driver?: { version: string; phase: string } };
}

function openConsole(how: 'password' | 'aksk') {
  return openBrowserConsole(browser, t, how);
}

async function openPool(page: Page, displayName: string): Promise<void> {
  await page.getByRole('link', { name: displayName, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: /Nodes of/ }).waitFor();
  await page.waitForFunction(() => /^\d+ of \d+ nodes shown$/.test(document.querySelector('[data-testid=node-count]')?.textContent ?? ''));
}

async function applyAction(page: Page, action: string): Promise<void> {
  await page.getByLabel('Action', { exact: true }).selectOption({ label: action });
}

async function apply(page: Page): Promise<void> {
  const before = await page.getByTestId('batch-result').count();
  await page.getByRole('button', { name: /^Apply to \d+ nodes?$/ }).click();
  if (before > 0) await page.waitForTimeout(50);
  await page.getByTestId('batch-result').waitFor();
  await page.waitForFunction(() => !/sending|waiting/.test(document.querySelector('[data-testid=batch-result] .result-head')?.textContent ?? 'sending'));
}

async function node(name: string): Promise<ApiNode> {
  return (await t.client.request<ApiNode>('GET', `/v2/${t.projectId}/pools/${t.demoPool}/nodes/${name}`)).body;
}

beforeAll(async () => {
  mkdirSync(RESULTS, { recursive: true });
  t = await startTestService({ env: { POOLKEEPER_SIM_DRIVER_UPGRADE_SECONDS: '1', POOLKEEPER_SIM_REBOOT_SECONDS: '1' } });
  await setAdminPassword(t);
  browser = await launchChromium();
});

afterAll(async () => {
  writeFileSync(join(RESULTS, 'console-timings.json'), JSON.stringify(timings, null, 2) + '\n');
  await browser?.close();
  await t?.stop();
});

describe('web console', () => {
  it('signs in with a password and shows the demo pool with its node counts by state, filterable by label and status', async () => {
    const { context, page, errors } = await openConsole('password');
    expect(await page.getByTestId('session').textContent()).toContain('admin@poolkeeper — token for project local-1');
    const pool = (await t.client.request<{ status: { phase: string; resources: Record<string, Array<{ count: number }>> } }>('GET', `/v2/${t.projectId}/pools/${t.demoPool}`)).body;
    const count = (state: string) => (pool.status.resources[state] ?? []).reduce((sum, c) => sum + c.count, 0);
    expect(count('available')).toBe(8);
    const card = page.getByTestId('pool').filter({ hasText: t.demoPool });
    const legend = await card.getByTestId('counts').textContent();
    expect(legend).toBe(`available ${count('available')}creating ${count('creating')}abnormal ${count('abnormal')}deleting ${count('deleting')}`);
    expect(await card.getByRole('img').getAttribute('aria-label')).toBe(`Nodes: 8 available, 0 creating, 0 abnormal, 0 deleting`);
    expect(await card.textContent()).toContain(pool.status.phase);
    await page.screenshot({ path: join(RESULTS, 'console-pools.png') });

    await page.getByLabel('Label selector').fill('os.modelarts/name=no-such-pool');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('No pool matches.').waitFor();
    await page.getByLabel('Label selector').fill('');
    await page.getByLabel('Status').selectOption('created');
    await page.getByRole('button', { name: 'Apply' }).click();
    await card.waitFor();

    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('with AK/SK: selects three nodes by shift-click, opens HA with NoExecute, sees the taint in the table and the drawer, then tags them', async () => {
    const { context, page, errors } = await openConsole('aksk');
    const names = await demoNodeNames(t);
    await openPool(page, 'demo');
    expect(await page.getByTestId('node-count').textContent()).toBe('8 of 8 nodes shown');

    await page.getByLabel(`Select ${names[0]}`).click();
    await page.getByLabel(`Select ${names[2]}`).click({ modifiers: ['Shift'] });
    expect(await page.getByTestId('selection-count').textContent()).toBe('3 selected');
    await applyAction(page, 'Open HA redundancy');
    await page.getByLabel('NoExecute').check();
    await apply(page);
    expect(await page.getByTestId('batch-result').locator('.result-head').textContent()).toContain('3 succeeded, 0 failed');
    for (const [i, name] of names.entries()) {
      const cell = page.locator(`tr[data-node="${name}"] td[data-col=ha]`);
      await expect.poll(() => cell.textContent()).toBe(i < 3 ? 'NoExecute' : 'closed');
      expect((await node(name)).status.taints.some((taint) => taint.effect === 'NoExecute')).toBe(i < 3);
    }
    await page.screenshot({ path: join(RESULTS, 'console-nodes-ha.png') });

    await page.getByRole('button', { name: `Details of ${names[1]}` }).click();
    const drawer = page.getByTestId('node-drawer');
    await drawer.getByRole('heading', { name: names[1] }).waitFor();
    expect(await drawer.getByTestId('taints').textContent()).toContain('os.modelarts.node/ha.redundant=true:NoExecute');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(RESULTS, 'console-node-drawer.png') });
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });

    // A reserved key is refused before anything is sent.
    await applyAction(page, 'Add tags');
    await page.getByLabel(/^Tags \(key=value/).fill('_sys_owner=me');
    expect(await page.getByTestId('batch-hint').textContent()).toContain('must not start with _sys_');
    expect(await page.getByRole('button', { name: 'Apply to 3 nodes' }).isDisabled()).toBe(true);
    await page.getByLabel(/^Tags \(key=value/).fill('team=ml, tier=gold');
    await apply(page);
    for (const name of names.slice(0, 3)) {
      await expect.poll(() => page.locator(`tr[data-node="${name}"] td[data-col=tags]`).textContent()).toBe('team=mltier=gold');
    }
    expect(JSON.parse((await node(names[0]!)).metadata.annotations['os.modelarts/tms.tags']!)).toEqual([
      { key: 'team', value: 'ml' },
      { key: 'tier', value: 'gold' },
    ]);
    await page.getByLabel('Tag', { exact: true }).fill('team=ml');
    expect(await page.getByTestId('node-count').textContent()).toBe('3 of 8 nodes shown');
    await page.screenshot({ path: join(RESULTS, 'console-nodes-tags.png') });
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a batch that includes a locked node shows it failed with its reason, and “select the failed ones” selects exactly it', async () => {
    const { context, page, errors } = await openConsole('password');
    const names = await demoNodeNames(t);
    await openPool(page, 'demo');
    await page.getByLabel(`Select ${names[4]}`).click();
    await applyAction(page, 'Lock against delete');
    await apply(page);
    await expect.poll(() => page.locator(`tr[data-node="${names[4]}"] td[data-col=lock]`).textContent()).toBe('locked');

    await page.getByRole('button', { name: 'Clear selection' }).click();
    for (const name of names.slice(3, 6)) await page.getByLabel(`Select ${name}`).click();
    await applyAction(page, 'Close HA redundancy');
    await apply(page);
    const result = page.getByTestId('batch-result');
    expect(await result.locator('.result-head').textContent()).toContain('2 succeeded, 1 failed');
    const failedRow = result.locator('tr[data-outcome=failed]');
    expect(await failedRow.count()).toBe(1);
    const failedText = await failedRow.textContent();
    expect(failedText).toContain(names[4]);
    expect(failedText).toContain('ModelArts.50004003');
    expect(failedText).toMatch(/locked/i);
    await page.screenshot({ path: join(RESULTS, 'console-batch-failed.png') });

    await result.getByRole('button', { name: /Select the failed ones/ }).click();
    expect(await page.getByTestId('selection-count').textContent()).toBe('1 selected');
    const checked = await page.locator('table.nodes tbody input[type=checkbox]:checked').evaluateAll((boxes) => boxes.map((b) => b.getAttribute('aria-label')));
    expect(checked).toEqual([`Select ${names[4]}`]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('upgrades the driver of two nodes, follows the progress until they run the new version, and leaves their HA as it was; then reboots one', async () => {
    const { context, page, errors } = await openConsole('password');
    const names = await demoNodeNames(t);
    await openPool(page, 'demo');
    const [open, closed] = [names[2]!, names[3]!];
    expect((await node(open)).status.taints.map((taint) => taint.effect)).toEqual(['NoExecute']);
    for (const name of [open, closed]) await page.getByLabel(`Select ${name}`).click();
    await applyAction(page, 'Upgrade the driver');
    await page.getByLabel('Upgrade to version').fill('bad version');
    expect(await page.getByTestId('batch-hint').textContent()).toContain('driver version');
    await page.getByLabel('Upgrade to version').fill('560.1.2');
    await page.getByRole('radio', { name: 'force (now)' }).check();
    await page.getByRole('button', { name: 'Apply to 2 nodes' }).click();
    const result = page.getByTestId('batch-result');
    await result.getByText(/waiting for 2 node\(s\) to finish/).waitFor();
    await page.screenshot({ path: join(RESULTS, 'console-driver-progress.png') });
    await result.locator('.result-head').getByText(/^2 succeeded, 0 failed$/).waitFor({ timeout: 20_000 });
    expect(await result.locator('tbody tr').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining(`${open}successsucceeded`), expect.stringContaining(`${closed}successsucceeded`)]));
    for (const name of [open, closed]) {
      await expect.poll(() => page.locator(`tr[data-node="${name}"]`).textContent(), { timeout: 10_000 }).toContain('560.1.2 Running');
      expect((await node(name)).status.driver).toEqual({ version: '560.1.2', phase: 'Running' });
    }
    expect((await node(open)).status.taints.map((taint) => taint.effect)).toEqual(['NoExecute']);
    expect((await node(closed)).status.taints).toEqual([]);
    await page.getByLabel('Driver version', { exact: true }).selectOption('560.1.2');
    expect(await page.getByTestId('node-count').textContent()).toBe('2 of 8 nodes shown');
    await page.screenshot({ path: join(RESULTS, 'console-driver-done.png') });

    await page.getByRole('button', { name: 'Clear selection' }).click();
    await page.getByLabel(`Select ${closed}`).click();
    await applyAction(page, 'Reboot');
    await apply(page);
    expect(await result.locator('tbody tr').textContent()).toBe(`${closed}successsucceeded`);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('deletes nodes only after DELETE is typed, and explains the drain limit', async () => {
    const { context, page, errors } = await openConsole('password');
    const names = await demoNodeNames(t);
    await openPool(page, 'demo');
    await page.getByRole('button', { name: 'Select all 8 matching' }).click();
    await applyAction(page, 'Drain');
    expect(await page.getByTestId('batch-hint').textContent()).toContain('Drain takes at most 10 nodes per call');
    expect(await page.getByRole('button', { name: 'Apply to 8 nodes' }).isDisabled()).toBe(false);

    await page.getByRole('button', { name: 'Clear selection' }).click();
    await page.getByLabel(`Select ${names[7]}`).click();
    await applyAction(page, 'Delete nodes');
    const applyButton = page.getByRole('button', { name: 'Apply to 1 node' });
    expect(await applyButton.isDisabled()).toBe(true);
    const confirm = page.getByLabel('Type DELETE to delete 1 node');
    await confirm.fill('delete');
    expect(await applyButton.isDisabled()).toBe(true);
    await confirm.fill('DELETE');
    expect(await applyButton.isDisabled()).toBe(false);
    await page.screenshot({ path: join(RESULTS, 'console-delete-confirm.png') });
    await apply(page);
    expect(await page.getByTestId('batch-result').locator('.result-head').textContent()).toContain('1 succeeded, 0 failed');
    await eventually(async () => {
      const answer = await t.client.request<ApiNode>('GET', `/v2/${t.projectId}/pools/${t.demoPool}/nodes/${names[7]}`);
      return answer.status === 404 || answer.body.status.phase === 'Deleting' ? true : undefined;
    });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows a pool whose driver upgrade waits for a busy node as Upgrading, and works in a narrow window', async () => {
    const created = await t.client.request<{ metadata: { name: string } }>('POST', `/v2/${t.projectId}/pools`, poolBody('upgrading', 2, 'modelarts.vm.gpu.t4u8'));
    expect(created.status).toBe(200);
    const id = created.body.metadata.name;
    const nodes = await eventually(async () => {
      const list = await t.client.request<{ items: ApiNode[] }>('GET', `/v2/${t.projectId}/pools/${id}/nodes`);
      return list.body.items.length === 2 && list.body.items.every((n) => n.status.phase === 'Available') ? list.body.items : undefined;
    });
    const busy = await t.client.request('PUT', `/_poolkeeper/v1/${t.projectId}/pools/${id}/nodes/${nodes[0]!.metadata.name}/workload`, { runningJobs: 3 });
    expect(busy.status).toBe(200);
    const patched = await t.client.request<{ status: { driver?: { gpu?: { version: string; state: string } } } }>('PATCH', `/v2/${t.projectId}/pools/${id}`, {
      spec: { driver: { gpuVersion: '570.9', updateStrategy: 'idle' } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.status.driver?.gpu).toEqual({ version: '570.9', state: 'Upgrading' });

    const { context, page, errors } = await openConsole('password');
    await page.setViewportSize({ width: 420, height: 800 });
    const card = page.getByTestId('pool').filter({ hasText: id });
    expect(await card.getByTestId('driver').textContent()).toBe('GPU 570.9 Upgrading');
    await page.screenshot({ path: join(RESULTS, 'console-pools-narrow.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('is usable from the keyboard: sign-in page passes axe, Space and Shift+Space select, Enter opens the details, Escape closes them', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const signInPage = await context.newPage();
    await signInPage.goto(`${t.url}/console`);
    await signInPage.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await seriousViolations(signInPage)).toEqual([]);
    await context.close();

    const { context: signedIn, page, errors } = await openConsole('password');
    await page.getByRole('link', { name: 'demo', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /^\d+ of \d+ nodes shown$/.test(document.querySelector('[data-testid=node-count]')?.textContent ?? ''));
    // The table's own order (one node of the pool may be gone by now).
    const names = await page.locator('table.nodes tbody tr[data-node]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-node')!));
    await page.getByLabel(`Select ${names[0]}`).focus();
    await page.keyboard.press('Space');
    await page.getByLabel(`Select ${names[3]}`).focus();
    await page.keyboard.press('Shift+Space');
    expect(await page.getByTestId('selection-count').textContent()).toBe('4 selected');
    await page.getByRole('button', { name: `Details of ${names[3]}` }).focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('node-drawer').getByRole('heading', { name: names[3] }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('node-drawer').waitFor({ state: 'detached' });
    expect(errors).toEqual([]);
    await signedIn.close();
  });

  it('renders and filters a 10,000-node pool (times in test-results/console-timings.json)', async () => {
    const created = await t.client.request<{ metadata: { name: string } }>('POST', `/v2/${t.projectId}/pools`, poolBody('bigpool', BIG_POOL_NODES));
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const id = created.body.metadata.name;
    await eventually(
      async () => {
        const pool = await t.client.request<{ status: { resources: { available?: Array<{ count: number }> } } }>('GET', `/v2/${t.projectId}/pools/${id}`);
        return (pool.body.status.resources.available ?? []).reduce((s, c) => s + c.count, 0) === BIG_POOL_NODES ? true : undefined;
      },
      120_000,
      250,
    );
    const { context, page, errors } = await openConsole('password');
    const started = await page.evaluate(() => performance.now());
    await page.getByRole('link', { name: 'bigpool', exact: true }).click();
    await page.locator('table.nodes tbody tr[data-node]').first().waitFor();
    const firstRender = await page.evaluate(() => performance.getEntriesByName('nodes-first-render')[0]?.startTime ?? NaN);
    timings.nodesFirstRenderMs = Math.round(firstRender - started);
    await page.waitForFunction((n) => document.querySelector('[data-testid=node-count]')?.textContent === `${n} of ${n} nodes shown`, BIG_POOL_NODES, { timeout: 60_000 });
    timings.allNodesLoadedMs = Math.round((await page.evaluate(() => performance.now())) - started);
    // Only a screenful of rows is in the DOM.
    expect(await page.locator('table.nodes tbody tr[data-node]').count()).toBeLessThan(80);

    const filterStarted = await page.evaluate(() => performance.now());
    await page.getByLabel('Name', { exact: true }).fill('-a');
    await page.waitForFunction(() => /^\d+ of 10000 nodes shown$/.test(document.querySelector('[data-testid=node-count]')?.textContent ?? '') && !document.querySelector('[data-testid=node-count]')?.textContent?.startsWith('10000 of'));
    timings.nameFilterMs = Math.round((await page.evaluate(() => performance.now())) - filterStarted);
    const shown = Number((await page.getByTestId('node-count').textContent())!.split(' ')[0]);
    const all = await page.locator('table.nodes').getAttribute('aria-rowcount');
    expect(Number(all)).toBe(shown + 1);
    // More than ten nodes cannot be drained in one call: the button stays off and the hint says why.
    await page.getByRole('button', { name: `Select all ${shown} matching` }).click();
    await applyAction(page, 'Drain');
    expect(await page.getByTestId('batch-hint').textContent()).toContain('Select 10 or fewer.');
    expect(await page.getByRole('button', { name: `Apply to ${shown} nodes` }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Clear selection' }).click();
    await page.getByLabel('Name', { exact: true }).fill('');

    // Scrolling to the end shows the last node by name.
    await page.locator('.table-scroll').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect.poll(() => page.locator('table.nodes tbody tr[data-node]').last().getAttribute('aria-rowindex')).toBe(String(BIG_POOL_NODES + 1));
    await page.screenshot({ path: join(RESULTS, 'console-nodes-10000.png') });
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
