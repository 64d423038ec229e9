import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The README documents every environment variable the code reads, and points nowhere outside the repository. */
const root = resolve(import.meta.dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'));
}

describe('the README', () => {
  it('lists every environment variable src/ reads in its configuration table', () => {
    const read = new Set<string>();
    for (const text of sources(join(root, 'src'))) {
      for (const m of text.matchAll(/\b(POOLKEEPER_[A-Z0-9_]*[A-Z0-9])\b/g)) read.add(m[1]!);
      for (const m of text.matchAll(/\benv\.([A-Z][A-Z0-9_]*)\b|\benv\[['"]([A-Z][A-Z0-9_]*)['"]\]/g)) read.add((m[1] ?? m[2])!);
    }
    expect(read).toContain('POOLKEEPER_RECONCILE_INTERVAL_MS');
    expect(read).toContain('PORT');
    const section = readme.slice(readme.indexOf('\n## Configuration'), readme.indexOf('\n## ', readme.indexOf('\n## Configuration') + 1));
    const documented = new Set([...section.matchAll(/^\|([^|]*)\|/gm)].flatMap((row) => [...row[1]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!)));
    expect([...read].filter((name) => !documented.has(name)).sort()).toEqual([]);
  });

  it('sends the reader to no file outside the repository', () => {
    for (const file of ['README.md', 'ARCHITECTURE.md']) {
      const text = readFileSync(join(root, file), 'utf8');
      expect(text, file).not.toMatch(/(?<![.\w])\.\.\/|\/work\/|api-reference/);
    }
  });
});
