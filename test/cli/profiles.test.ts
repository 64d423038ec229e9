import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ENTRY, exitOf, freePort, isolatedEnv, runCli } from '../helpers/cli.js';
import { TEST_AK, TEST_PROJECT_ID, TEST_SK } from '../helpers/service.js';

/**
 * Where the CLI finds its endpoint and credentials: a local service's data folder (whose live URL beats the one saved
 * with the credentials), profiles saved by `configure`, flags and variables.
 */
let dataDir: string;
let env: NodeJS.ProcessEnv;

interface Started {
  child: ChildProcess;
  url: string;
}

/** The service as `node dist/src/main.js serve` on a free loopback port, with its SQLite store in `dataDir`. */
async function startService(port = 0): Promise<Started> {
  const child = spawn(process.execPath, [CLI_ENTRY, 'serve', '--port', String(port)], {
    env: {
      ...isolatedEnv(),
      POOLKEEPER_DATA_DIR: dataDir,
      POOLKEEPER_DATABASE_URL: join(dataDir, 'poolkeeper.db'),
      POOLKEEPER_BOOTSTRAP_PROJECT_ID: TEST_PROJECT_ID,
      POOLKEEPER_BOOTSTRAP_AK: TEST_AK,
      POOLKEEPER_BOOTSTRAP_SK: TEST_SK,
      POOLKEEPER_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  for (const started = Date.now(); ; ) {
    const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
    if (match) return { child, url: match[1]! };
    if (child.exitCode !== null || Date.now() - started > 20_000) throw new Error(`the service did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stop(service: Started): Promise<void> {
  service.child.kill('SIGTERM');
  expect(await exitOf(service.child)).toBe(0);
}

/** A free loopback port other than `taken`. */
async function freePortBesides(taken: string): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (String(port) !== taken) return port;
  }
}

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'poolkeeper-profiles-'));
  env = isolatedEnv();
});

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a local service’s saved credentials', () => {
  it('are used from its data folder, at the URL it listens on now rather than a stale saved one', async () => {
    const local = { ...env, POOLKEEPER_DATA_DIR: dataDir };
    const first = await startService();
    const saved = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as { endpoint: string; secretKey: string };
    expect(saved.endpoint).toBe(first.url);
    expect((await runCli(['pools', 'list', '-o', 'name'], local)).stdout).toBe(`demo-${TEST_PROJECT_ID}\n`);
    await stop(first);
    expect(existsSync(join(dataDir, 'service.json'))).toBe(false);

    const down = await runCli(['pools', 'list'], local);
    expect(down.code).toBe(6);
    expect(down.stderr).toContain(`cannot reach the service at ${first.url}: connect ECONNREFUSED`);

    const second = await startService(await freePortBesides(new URL(first.url).port));
    try {
      expect(second.url).not.toBe(first.url);
      expect(JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8'))).toEqual(saved);
      const run = await runCli(['pools', 'list', '-o', 'name'], local);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe(`demo-${TEST_PROJECT_ID}\n`);
      // A profile can name the data folder: it then follows the service wherever it listens, from any folder.
      const configured = await runCli(['configure', '--profile', 'local', '--data-dir', dataDir], env);
      expect(configured.code, configured.stderr).toBe(0);
      const viaProfile = await runCli(['pools', 'list', '-o', 'name', '--profile', 'local'], env, { cwd: tmpdir() });
      expect(viaProfile.code, viaProfile.stderr).toBe(0);
    } finally {
      await stop(second);
    }
  });
});

describe('poolkeeper configure', () => {
  it('saves a profile owner-only, never echoing the secret, and commands use it', async () => {
    const service = await startService();
    try {
      const run = await runCli(['configure', '--profile', 'ci', '--endpoint', service.url, '--project', TEST_PROJECT_ID, '--ak', TEST_AK, '--sk-stdin'], env, { input: `${TEST_SK}\n` });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout + run.stderr).not.toContain(TEST_SK);
      expect(run.stderr).toContain(`saved profile "ci" in ${env.POOLKEEPER_CONFIG} (owner-only)`);
      expect(run.stderr).toContain('secretKey: ******');
      expect(statSync(env.POOLKEEPER_CONFIG!).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(env.POOLKEEPER_CONFIG!, 'utf8')).profiles.ci).toEqual({ endpoint: service.url, projectId: TEST_PROJECT_ID, accessKey: TEST_AK, secretKey: TEST_SK });

      const used = await runCli(['nodes', 'list', 'demo', '-o', 'name', '--profile', 'ci'], env);
      expect(used.code, used.stderr).toBe(0);
      expect(used.stdout.split('\n').filter(Boolean)).toHaveLength(8);
      const byVariable = await runCli(['pools', 'list', '-o', 'name'], { ...env, POOLKEEPER_PROFILE: 'ci' });
      expect(byVariable.stdout).toBe(`demo-${TEST_PROJECT_ID}\n`);

      const shown = await runCli(['configure', 'show', '--profile', 'ci', '-o', 'json'], env);
      expect(JSON.parse(shown.stdout)).toEqual({
        source: `profile "ci" in ${env.POOLKEEPER_CONFIG}`,
        endpoint: service.url,
        project: TEST_PROJECT_ID,
        auth: 'signature',
        accessKey: TEST_AK,
        secretKey: '******',
      });
      // Flags and variables win over the profile.
      const overridden = await runCli(['configure', 'show', '--profile', 'ci', '-o', 'json', '--endpoint', 'http://127.0.0.1:1'], { ...env, POOLKEEPER_PROJECT_ID: 'p2' });
      expect(JSON.parse(overridden.stdout)).toMatchObject({ endpoint: 'http://127.0.0.1:1', project: 'p2' });

      const missing = await runCli(['pools', 'list', '--profile', 'nosuch'], env);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain(`there is no profile "nosuch" in ${env.POOLKEEPER_CONFIG}`);
      const none = await runCli(['pools', 'list'], env);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('poolkeeper: no credentials');
    } finally {
      await stop(service);
    }
  });
});

describe('the program', () => {
  it('--version prints the package version', async () => {
    const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    const run = await runCli(['--version'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${version}\n`);
  });
});
