import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSeedFile, SeedError } from '../src/seed.js';

const LIMITS = { maxPoolNodes: 100, region: 'local-1' };
const dir = mkdtempSync(join(tmpdir(), 'poolkeeper-seed-test-'));
let count = 0;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(text: string, extension = 'yaml'): string {
  const path = join(dir, `seed-${count++}.${extension}`);
  writeFileSync(path, text);
  return path;
}

function problem(text: string): string {
  const path = file(text);
  try {
    loadSeedFile(path, LIMITS);
  } catch (error) {
    expect(error).toBeInstanceOf(SeedError);
    expect((error as Error).message.startsWith(`seed file ${path}: `) || (error as Error).message.startsWith(`seed file ${path} `)).toBe(true);
    return (error as Error).message.slice(`seed file ${path}`.length).replace(/^:? /, '');
  }
  throw new Error('the seed was accepted');
}

const pool = (nodes: string, extra = '') => `accounts:
  - name: poolkeeper
    projects:
      - name: local-1
        pools:
          - name: train
            ${extra}
            nodes:
${nodes}`;

describe('seed files', () => {
  it('reads YAML and JSON alike', () => {
    const yaml = loadSeedFile(file(pool('              - { name: n1, tags: { team: a } }', 'flavor: modelarts.vm.cpu.8ud')), LIMITS);
    const json = loadSeedFile(file(JSON.stringify(yaml), 'json'), LIMITS);
    expect(json).toEqual(yaml);
    expect(yaml.accounts[0]!.projects![0]!.pools![0]!.nodes[0]).toEqual({ name: 'n1', tags: { team: 'a' } });
  });

  it('names the field of every schema violation', () => {
    expect(problem('{}')).toBe('accounts is required');
    expect(problem('accounts: []')).toBe('accounts must NOT have fewer than 1 items');
    expect(problem(pool('              - { name: n1, colour: red }', 'flavor: f1'))).toBe('accounts[0].projects[0].pools[0].nodes[0].colour is not a known field');
    expect(problem(pool('              - { name: n1, phase: Sleeping }', 'flavor: f1'))).toBe(
      'accounts[0].projects[0].pools[0].nodes[0].phase must be one of "Available", "Abnormal", "Checking", "Creating"',
    );
    expect(problem(pool('              - { name: N_1 }', 'flavor: f1'))).toMatch(/^accounts\[0\]\.projects\[0\]\.pools\[0\]\.nodes\[0\]\.name must match pattern/);
    expect(problem(pool('              - { name: n1, taints: [{ key: k, effect: Sometimes }] }', 'flavor: f1'))).toBe(
      'accounts[0].projects[0].pools[0].nodes[0].taints[0].effect must be one of "NoSchedule", "NoExecute"',
    );
    expect(problem('accounts:\n  - name: poolkeeper\n    users:\n      - { name: ci, password: short }')).toBe('accounts[0].users[0].password must NOT have fewer than 8 characters');
    expect(problem('accounts:\n  - name: poolkeeper\n    users:\n      - { name: ci, accessKeys: [{ accessKey: AK1 }] }')).toBe('accounts[0].users[0].accessKeys[0].secretKey is required');
  });

  it('names the field of every rule the schema cannot say', () => {
    expect(problem(pool('              - { name: n1 }\n              - { name: n1 }', 'flavor: f1'))).toBe('accounts[0].projects[0].pools[0].nodes[1].name: node n1 appears twice in the pool');
    expect(problem(pool('              - { name: n1 }'))).toBe('accounts[0].projects[0].pools[0].nodes[0].flavor is required (the pool gives no flavor)');
    expect(problem(pool('              - { name: n1, tags: { _sys_x: "1" } }', 'flavor: f1'))).toBe(
      'accounts[0].projects[0].pools[0].nodes[0].tags["_sys_x"]: the key must not start with _sys_',
    );
    expect(problem(pool('              - { name: n1, labels: { "a b": x } }', 'flavor: f1'))).toBe(
      `accounts[0].projects[0].pools[0].nodes[0].labels["a b"]: the key contains a character that is not allowed: " " (letters, digits, '-', '_' and '.' only)`,
    );
    expect(problem(pool('              - { name: n1 }', 'flavor: f1\n            labels: { "Example.com/team": x }'))).toBe(
      `accounts[0].projects[0].pools[0].labels["Example.com/team"]: the key prefix before '/' contains a character that is not allowed: "E" (lowercase letters, digits, '-' and '.' only)`,
    );
    expect(problem(pool(`              - { name: n1, labels: { ${'k'.repeat(300)}: x } }`, 'flavor: f1'))).toBe(
      `accounts[0].projects[0].pools[0].nodes[0].labels["${'k'.repeat(64)}…"]: the key must be 1-63 characters`,
    );
    expect(problem('accounts:\n  - name: poolkeeper\n    users:\n      - { name: ci, policies: [NoSuchPolicy] }')).toMatch(/^accounts\[0\]\.users\[0\]\.policies\[0\]: NoSuchPolicy is not a built-in policy/);
    expect(problem('accounts:\n  - name: a1\n  - name: a1')).toBe('accounts[1].name: account a1 appears twice');
    expect(
      problem(
        'accounts:\n  - name: a1\n    users: [{ name: u1, accessKeys: [{ accessKey: K1, secretKey: s1 }] }]\n  - name: a2\n    users: [{ name: u2, accessKeys: [{ accessKey: K1, secretKey: s2 }] }]',
      ),
    ).toBe('accounts[1].users[0].accessKeys[0].accessKey: K1 appears twice');
    expect(problem('accounts:\n  - name: poolkeeper\n    users:\n      - { name: ci, projects: [local-1, local-9] }')).toBe('accounts[0].users[0].projects[1]: account poolkeeper has no project local-9');
    expect(problem('accounts:\n  - name: team\n    projects: [{ name: t-1 }]\n    users:\n      - { name: ci, projects: [t-1, local-1] }')).toBe('accounts[0].users[0].projects[1]: account team has no project local-1');
    expect(problem('accounts:\n  - name: poolkeeper\n    users:\n      - { name: admin, accountAdmin: false }')).toBe("accounts[0].users[0].accountAdmin: admin is the operator account's administrator");
  });

  it('says when the file is not YAML or cannot be read', () => {
    expect(problem('accounts: [\n')).toMatch(/^is not valid YAML or JSON: /);
    expect(problem('a: 1\na: 2\n')).toMatch(/^is not valid YAML or JSON: Map keys must be unique/);
    expect(() => loadSeedFile(join(dir, 'missing.yaml'), LIMITS)).toThrow(/^seed file .*missing\.yaml cannot be read: ENOENT/);
  });
});
