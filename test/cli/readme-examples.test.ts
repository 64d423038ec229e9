import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedEnv, runCli, type CliRun } from '../helpers/cli.js';
import { startTestService, TEST_PROJECT_ID, type TestService } from '../helpers/service.js';

/** The README's first calls, taken from the README itself and run as a reader would: in the folder of `npm start`. */
const root = resolve(import.meta.dirname, '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
let t: TestService;
let folder: string;

/** The first fenced block of `language` after `marker`. */
function block(marker: string, language: string): string {
  const start = readme.indexOf(marker);
  expect(start, marker).toBeGreaterThan(0);
  const open = readme.indexOf(`\`\`\`${language}\n`, start);
  return readme.slice(open + language.length + 4, readme.indexOf('\n```', open));
}

/** A shell line's words: quotes group, `#` outside quotes starts a comment. */
function words(line: string): string[] {
  const out: string[] = [];
  let word: string | null = null;
  let quote: string | null = null;
  for (const c of line) {
    if (quote) {
      if (c === quote) quote = null;
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (c === '#' && word === null) {
      break;
    } else if (c === ' ') {
      if (word !== null) out.push(word);
      word = null;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== null) out.push(word);
  return out;
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'poolkeeper-readme-'));
  t = await startTestService({
    env: { POOLKEEPER_DATA_DIR: join(folder, 'data'), POOLKEEPER_DATABASE_URL: join(folder, 'data', 'poolkeeper.db'), POOLKEEPER_SIM_DRIVER_UPGRADE_SECONDS: '0' },
  });
});

afterAll(async () => {
  await t.stop();
  rmSync(folder, { recursive: true, force: true });
});

interface NodeJson {
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  status: { driver?: { version: string }; taints: Array<{ key: string; effect: string }> };
}

async function nodes(): Promise<NodeJson[]> {
  return (await t.client.request<{ items: NodeJson[] }>('GET', `/v2/${TEST_PROJECT_ID}/pools/${t.demoPool}/nodes`)).body.items;
}

describe('the README', () => {
  it('the command-line calls work as printed, with the credentials and URL the service left in ./data', async () => {
    const lines = block('**The command line.**', 'sh').split('\n').filter((l) => l.startsWith('./bin/poolkeeper '));
    expect(lines).toHaveLength(4);
    const env = { ...isolatedEnv(), POOLKEEPER_DATA_DIR: undefined };
    const runs: CliRun[] = [];
    for (const line of lines) runs.push(await runCli(words(line).slice(1), env, { cwd: folder }));
    for (const [i, run] of runs.entries()) expect(run.code, `${lines[i]}\n${run.stderr}`).toBe(0);
    expect(JSON.parse(runs[0]!.stdout)).toHaveLength(8); // JSON: stdout is not a terminal here
    for (const node of await nodes()) {
      expect(node.status.taints).toContainEqual(expect.objectContaining({ key: 'os.modelarts.node/ha.redundant', effect: 'NoExecute' }));
      expect(JSON.parse(node.metadata.annotations['os.modelarts/tms.tags']!)).toContainEqual({ key: 'owner', value: 'cli' });
      expect(node.status.driver?.version).toBe('550.54.15');
    }
  });

  it('the official Node.js SDK example works as printed', async () => {
    writeFileSync(join(folder, 'tag-nodes.cjs'), block('**The official Node.js SDK**', 'js'));
    const child = spawn(process.execPath, ['tag-nodes.cjs'], { cwd: folder, env: { ...process.env, NODE_PATH: join(root, 'node_modules') }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.once('close', done));
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout) as { successNodeNames: string[]; failNodeNames: string[] };
    expect(result.successNodeNames).toHaveLength(2);
    expect(result.failNodeNames).toEqual([]);
    const tagged = (await nodes()).filter((n) => JSON.parse(n.metadata.annotations['os.modelarts/tms.tags'] ?? '[]').some((tag: { value: string }) => tag.value === 'node-sdk'));
    expect(tagged.map((n) => n.metadata.name)).toEqual(result.successNodeNames);
  });
});
