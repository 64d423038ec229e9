import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ENTRY, exitOf, isolatedEnv, runCli } from '../helpers/cli.js';
import { createPostgresDatabase, TEST_DIALECT, type TestDatabase } from '../helpers/databases.js';

/**
 * No output shows the password of a database URL: the start banner, the logs, `admin` commands, refusals. The
 * servers here trust local connections, so a URL with any password connects.
 */
const PASSWORD = 'pw-must-not-leak-7f3a9';
let database: TestDatabase;
let url: string;
let folder: string;
let env: NodeJS.ProcessEnv;

describe.runIf(TEST_DIALECT === 'postgres')('a PostgreSQL URL with a password', () => {
  beforeAll(async () => {
    database = await createPostgresDatabase();
    const withPassword = new URL(database.url);
    withPassword.password = PASSWORD;
    url = withPassword.toString();
    folder = mkdtempSync(join(tmpdir(), 'poolkeeper-dburl-'));
    env = isolatedEnv({ POOLKEEPER_DATABASE_URL: url, POOLKEEPER_DATA_DIR: folder });
  });

  afterAll(async () => {
    await database.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('never appears in the banner, the logs, admin output or a refusal; the masked URL does', async () => {
    const outputs: string[] = [];
    const migrate = await runCli(['admin', 'migrate'], env);
    expect(migrate.code, migrate.stderr).toBe(0);
    outputs.push(migrate.stdout, migrate.stderr);

    const service = spawn(process.execPath, [CLI_ENTRY, 'serve', '--port', '0'], { env: { ...env, POOLKEEPER_LOG_LEVEL: 'debug' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    service.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    service.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    for (const started = Date.now(); !output.includes('listening on'); ) {
      if (service.exitCode !== null || Date.now() - started > 20_000) throw new Error(`the service did not start: ${output}`);
      await new Promise((done) => setTimeout(done, 50));
    }
    const masked = new URL(url);
    masked.password = '***';
    expect(output).toContain(`(database: ${masked.toString().replace('%2A%2A%2A', '***')})`);
    const list = await runCli(['admin', 'list-accounts'], env);
    expect(list.code).toBe(0);
    outputs.push(list.stdout, list.stderr);
    service.kill('SIGTERM');
    expect(await exitOf(service)).toBe(0);
    outputs.push(output);

    writeFileSync(join(folder, 'seed.yaml'), 'accounts: [{ name: poolkeeper }]\n');
    const seeded = await runCli(['serve', '--port', '0', '--seed', join(folder, 'seed.yaml')], env);
    expect(seeded.code).toBe(2);
    expect(seeded.stderr).toContain(':***@');
    outputs.push(seeded.stdout, seeded.stderr);

    const unreachable = new URL(url);
    unreachable.port = '1';
    const failed = await runCli(['admin', 'list-accounts'], { ...env, POOLKEEPER_DATABASE_URL: unreachable.toString(), POOLKEEPER_DATABASE_CONNECT_TIMEOUT_MS: '1000' });
    expect(failed.code).toBe(1);
    outputs.push(failed.stdout, failed.stderr);

    for (const text of outputs) expect(text).not.toContain(PASSWORD);
  });
});
