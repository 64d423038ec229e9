import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ENTRY, exitOf, isolatedEnv, runCli } from '../helpers/cli.js';

/** The CI recipe as a script would run it: an ephemeral, seeded service in the background, wait-ready, reset. */
const PROJECT = '0123456789abcdef0123456789abcdef';
const AK = 'CIKEY00000000000001';
const SK = 'ci-secret-key-0001';
const SEED = `
accounts:
  - name: poolkeeper
    projects:
      - name: local-1
        pools:
          - name: train
            flavor: modelarts.vm.gpu.t4u8
            nodes:
              - { name: gpu-1, tags: { team: a } }
              - { name: gpu-2, tags: { team: b } }
              - { name: gpu-3, phase: Abnormal }
`;

let work: string;
let env: NodeJS.ProcessEnv;
let service: ChildProcess;
let stdout = '';
let stderr = '';

/** Every file under a folder (relative paths). */
function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'poolkeeper-ci-'));
  writeFileSync(join(work, 'seed.yaml'), SEED);
  env = isolatedEnv();
  service = spawn(process.execPath, [CLI_ENTRY, 'serve', '--ephemeral', '--seed', 'seed.yaml', '--port', '0', '--ak', AK, '--sk', SK, '--project', PROJECT], {
    cwd: work,
    env: { ...env, POOLKEEPER_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  service.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  service.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const started = Date.now();
  while (!stdout.includes('POOLKEEPER_SK=')) {
    if (service.exitCode !== null) throw new Error(`the service exited: ${stderr}`);
    if (Date.now() - started > 20_000) throw new Error(`the service did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const exported = Object.fromEntries([...stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
  env = { ...env, ...exported };
});

afterAll(async () => {
  if (service.exitCode === null && service.signalCode === null) {
    service.kill('SIGKILL');
    await exitOf(service);
  }
  rmSync(work, { recursive: true, force: true });
});

describe('poolkeeper serve --ephemeral --seed', () => {
  it('prints the credentials as a ready-to-export block on stdout, and only that', () => {
    expect(stdout).toMatch(/^export POOLKEEPER_ENDPOINT='http:\/\/127\.0\.0\.1:\d+'\n/);
    expect(stdout.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^export POOLKEEPER_ENDPOINT=/),
      `export POOLKEEPER_PROJECT_ID='${PROJECT}'`,
      `export POOLKEEPER_AK='${AK}'`,
      `export POOLKEEPER_SK='${SK}'`,
    ]);
    expect(stderr).toContain('(in memory: nothing is written to disk)');
    expect(stderr).not.toContain(SK);
  });

  it('is ready for wait-ready and serves the seed’s node names; reset puts it back in one call', async () => {
    const ready = await runCli(['wait-ready', '--timeout', '20s'], env);
    expect(ready.code, ready.stderr).toBe(0);
    const names = async () => (await runCli(['nodes', 'list', 'train', '-o', 'name'], env)).stdout;
    expect(await names()).toBe('gpu-1\ngpu-2\ngpu-3\n');
    const deleted = await runCli(['nodes', 'delete', 'train', 'gpu-1', '--wait', '-o', 'name'], env);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect((await runCli(['nodes', 'tag', 'train', '-l', 'tag:team=b', '--tag', 'team=z'], env)).code).toBe(0);
    expect((await runCli(['pools', 'create', 'extra', '--flavor', 'modelarts.vm.cpu.8ud', '--count', '1'], env)).code).toBe(0);
    expect(await names()).toBe('gpu-2\ngpu-3\n');

    const reset = await runCli(['reset', '-o', 'json'], env);
    expect(reset.code, reset.stderr).toBe(0);
    expect(JSON.parse(reset.stdout)).toMatchObject({ status: 'reset', restored: { pools: 1, nodes: 3 } });
    const after = await runCli(['nodes', 'list', 'train', '-l', 'tag:team', '-o', 'json', '--query', '[].[metadata.name, status.phase]'], env);
    expect(JSON.parse(after.stdout)).toEqual([
      ['gpu-1', 'Available'],
      ['gpu-2', 'Available'],
    ]);
    expect((await runCli(['pools', 'list', '-o', 'name'], env)).stdout).toBe(`train-${PROJECT}\n`);
  });

  it('wrote no file: not in its folder, its data folder or the home folder', () => {
    expect(files(work)).toEqual(['seed.yaml']);
    expect(files(env.HOME!)).toEqual([]);
    expect(existsSync(env.POOLKEEPER_DATA_DIR!)).toBe(false);
  });

  it('stops on SIGTERM with exit 0', async () => {
    service.kill('SIGTERM');
    expect(await exitOf(service)).toBe(0);
    expect(stderr).toContain('SIGTERM, stopping');
  });
});

describe('refused starts', () => {
  it('an invalid seed is refused before anything starts, naming the file and the field (exit 2)', async () => {
    writeFileSync(join(work, 'bad.yaml'), 'accounts:\n  - name: poolkeeper\n    users:\n      - { name: ci, accessKeys: [{ accessKey: "A K" , secretKey: s }] }\n');
    const run = await runCli(['serve', '--ephemeral', '--seed', 'bad.yaml', '--port', '0'], env, { cwd: work });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('poolkeeper: seed file bad.yaml: accounts[0].users[0].accessKeys[0].accessKey must match pattern');
  });

  it('--ephemeral refuses a database URL rather than ignore it, and never prints its password', async () => {
    const run = await runCli(['serve', '--ephemeral', '--port', '0'], { ...env, POOLKEEPER_DATABASE_URL: 'postgres://ci:hunter2-secret@127.0.0.1:5432/ci' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unset POOLKEEPER_DATABASE_URL (it names postgres://ci:***@127.0.0.1:5432/ci)');
    expect(run.stdout + run.stderr).not.toContain('hunter2-secret');
  });
});
