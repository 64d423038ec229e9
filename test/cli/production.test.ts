import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The documented production start (`npm run build` once, then `node dist/src/main.js serve`, or the `poolkeeper`
 * bin) runs with `npm ci --omit=dev`: everything the built program imports is a dependency, not a devDependency.
 */
const root = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

describe('the production start', () => {
  it('imports nothing but dependencies and Node built-ins from dist/src', () => {
    const files = readdirSync(join(root, 'dist/src'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.js'));
    expect(files.length).toBeGreaterThan(50);
    const imported = new Set<string>();
    for (const file of files) {
      const text = readFileSync(join(file.parentPath, file.name), 'utf8');
      for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)) {
        const specifier = match[1]!;
        if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
        imported.add(packageOf(specifier));
      }
    }
    const builtins = new Set(builtinModules);
    const missing = [...imported].filter((name) => !builtins.has(name) && !(name in pkg.dependencies));
    expect(missing).toEqual([]);
    expect([...imported]).toContain('commander');
  });
});
