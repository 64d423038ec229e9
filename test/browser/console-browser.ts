/** The web console in headless Chromium (Debian's /usr/bin/chromium through playwright-core): signing in, axe-core. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { TEST_AK, TEST_SK, type TestService } from '../helpers/service.js';

export const ADMIN_PASSWORD = 'admin-password-for-the-console';
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
}

/** Gives the service's `admin` the password the console signs in with. */
export async function setAdminPassword(t: TestService): Promise<void> {
  const set = await t.client.request('PUT', '/_poolkeeper/v1/iam/users/admin/password', { password: ADMIN_PASSWORD });
  if (set.status !== 204) throw new Error(`setting the admin password answered ${set.status}`);
}

/** A fresh browser context on /console, signed in (password: admin's token; aksk: the test key signed in the page). */
export async function openConsole(
  browser: Browser,
  t: TestService,
  how: 'password' | 'aksk',
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(`${t.url}/console`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  if (how === 'password') {
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByLabel('Account (domain)').fill('poolkeeper');
    await page.getByLabel('Project (name or id)').fill('local-1');
  } else {
    await page.getByLabel('Access key (AK/SK)').check();
    await page.getByLabel('Access key (AK)').fill(TEST_AK);
    await page.getByLabel('Secret key (SK)').fill(TEST_SK);
    await page.getByLabel('Project id').fill(t.projectId);
  }
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Pools' }).waitFor();
  return { context, page, errors };
}

/** axe-core's serious and critical findings on the page as it is now. */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (context: Document) => Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: unknown; failureSummary: string }> }> }> } }).axe;
    const result = await axe.run(document);
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary}`).join('; ')}`);
  });
}
