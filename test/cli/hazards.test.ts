import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitOf, isolatedEnv, isRunning, runCli } from '../helpers/cli.js';

/** Operator hazards: a wrong master key, an existing credentials file, and stopping the README's `npm start`. */
let dataDir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'poolkeeper-hazards-'));
  env = isolatedEnv({ POOLKEEPER_DATA_DIR: dataDir, POOLKEEPER_DATABASE_URL: join(dataDir, 'poolkeeper.db'), POOLKEEPER_LOG_LEVEL: 'warn' });
  // A store with sealed secrets, and the key file that sealed them.
  const created = await runCli(['admin', 'create-user', 'ops', '--account', 'poolkeeper'], env);
  expect(created.code, created.stderr).toBe(1);
  expect(created.stderr).toContain('Account poolkeeper not found');
  expect((await runCli(['admin', 'create-account', 'ops', '--admin', 'ops-admin'], env)).code).toBe(0);
  const key = await runCli(['admin', 'create-access-key', 'ops-admin', '--account', 'ops'], env);
  expect(key.code, key.stderr).toBe(0);
  expect(existsSync(join(dataDir, 'master.key'))).toBe(true);
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the master key', () => {
  const otherKey = randomBytes(32).toString('base64');

  it('admin commands refuse to seal anything with a key that does not open the store’s secrets', async () => {
    const run = await runCli(['admin', 'create-access-key', 'ops-admin', '--account', 'ops'], { ...env, POOLKEEPER_MASTER_KEY: otherKey });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('poolkeeper: the master key from POOLKEEPER_MASTER_KEY does not open the secrets already in the store');
    expect(run.stderr).toContain('Nothing was changed.');
    expect(run.stdout).toBe('');
    const keys = await runCli(['admin', 'list-users', '--account', 'ops'], env);
    expect(keys.code).toBe(0);
  });

  it('without the key file, admin commands and the service refuse instead of creating a new key', async () => {
    renameSync(join(dataDir, 'master.key'), join(dataDir, 'master.key.moved'));
    try {
      const admin = await runCli(['admin', 'create-access-key', 'ops-admin', '--account', 'ops'], env);
      expect(admin.code).toBe(1);
      expect(admin.stderr).toContain(`no key was found: set POOLKEEPER_MASTER_KEY, or put the service's key file at ${join(dataDir, 'master.key')}`);
      expect(existsSync(join(dataDir, 'master.key'))).toBe(false);
      const serve = await runCli(['serve', '--port', '0'], env);
      expect(serve.code).toBe(1);
      expect(serve.stderr).toContain('no key was found');
      expect(serve.stderr).not.toContain('listening on');
    } finally {
      renameSync(join(dataDir, 'master.key.moved'), join(dataDir, 'master.key'));
    }
  });

  it('the service says so at start instead of answering 500 later', async () => {
    const run = await runCli(['serve', '--port', '0'], { ...env, POOLKEEPER_MASTER_KEY: otherKey });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('poolkeeper: the master key from POOLKEEPER_MASTER_KEY does not open the secrets already in the store');
    expect(run.stderr).not.toContain('listening on');
  });
});

describe('the credentials file', () => {
  it('is never overwritten: an empty store next to an existing one refuses to start and writes nothing', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'poolkeeper-credentials-'));
    try {
      writeFileSync(join(folder, 'credentials.json'), '{"accessKey":"FROM-ANOTHER-STORE"}\n', { mode: 0o600 });
      const run = await runCli(['serve', '--port', '0'], { ...env, POOLKEEPER_DATA_DIR: folder, POOLKEEPER_DATABASE_URL: join(folder, 'new.db') });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${join(folder, 'credentials.json')} already exists, but the store is empty`);
      expect(readFileSync(join(folder, 'credentials.json'), 'utf8')).toBe('{"accessKey":"FROM-ANOTHER-STORE"}\n');
      expect(existsSync(join(folder, 'master.key'))).toBe(false);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('stopping `npm start`', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to npm stops the service gracefully and leaves no process behind`, async () => {
      const folder = mkdtempSync(join(tmpdir(), 'poolkeeper-npm-start-'));
      try {
        // --ignore-scripts skips the prestart build (the suite has built already); the start script runs as the README's.
        const npm = spawn('npm', ['start', '--ignore-scripts', '--silent'], {
          cwd: resolve(import.meta.dirname, '../..'),
          // The background loop every 10 ms: the SQLite checkpoint (every 8th turn) has run, on its worker thread, by the stop.
          env: { ...env, PORT: '0', POOLKEEPER_DATA_DIR: folder, POOLKEEPER_DATABASE_URL: join(folder, 'poolkeeper.db'), POOLKEEPER_RECONCILE_INTERVAL_MS: '10' },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        npm.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const serviceFile = join(folder, 'service.json');
        for (const started = Date.now(); !existsSync(serviceFile); ) {
          if (npm.exitCode !== null || Date.now() - started > 30_000) throw new Error(`npm start did not start the service: ${stderr}`);
          await new Promise((done) => setTimeout(done, 50));
        }
        const { pid } = JSON.parse(readFileSync(serviceFile, 'utf8')) as { pid: number };
        expect(isRunning(pid)).toBe(true);
        await new Promise((done) => setTimeout(done, 500));
        npm.kill(signal);
        expect(await exitOf(npm)).toBe(0);
        for (const stopped = Date.now(); isRunning(pid) && Date.now() - stopped < 10_000; ) await new Promise((done) => setTimeout(done, 50));
        expect(isRunning(pid)).toBe(false);
        expect(stderr).toContain(`${signal}, stopping`);
        // Closed, not killed: the runtime file is gone and SQLite folded its write-ahead log back on close.
        expect(existsSync(serviceFile)).toBe(false);
        expect(existsSync(join(folder, 'poolkeeper.db-wal'))).toBe(false);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });
  }
});
