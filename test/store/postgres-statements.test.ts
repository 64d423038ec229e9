import sql from 'sql-template-tag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres.js';
import type { SqlContext } from '../../src/store/sql-context.js';
import { lastly, type Steps } from '../../src/store/statements.js';
import { statementNames } from '../../src/store/steps.js';
import type { Store } from '../../src/store/store.js';
import { createPostgresDatabase, TEST_DIALECT, type TestDatabase } from '../helpers/databases.js';

/** PostgreSQL runs the store's statements as prepared statements, named by their text (steps.ts). */
describe.runIf(TEST_DIALECT === 'postgres')('prepared statements on PostgreSQL', () => {
  describe('statementNames', () => {
    it('gives one text one name, and different texts different names', () => {
      const names = statementNames();
      const a = names('SELECT id FROM pools WHERE name = $1');
      const b = names('SELECT id FROM nodes WHERE name = $1');
      expect(a).toMatch(/^poolkeeper_\d+$/);
      expect(b).toMatch(/^poolkeeper_\d+$/);
      expect(b).not.toBe(a);
      expect(names('SELECT id FROM pools WHERE name = $1')).toBe(a);
    });

    it('leaves a statement that reads every column unnamed, but not a count', () => {
      const names = statementNames();
      expect(names('SELECT * FROM fault_rules WHERE project_id = $1')).toBeUndefined();
      expect(names('SELECT p.*, 1 AS x FROM pools AS p')).toBeUndefined();
      expect(names('INSERT INTO pools (name) VALUES ($1) RETURNING *')).toBeUndefined();
      expect(names('SELECT COUNT(*) AS count FROM nodes WHERE pool_id = $1')).toMatch(/^poolkeeper_/);
    });

    it('names no more than its bound of texts, and keeps the names it gave', () => {
      const names = statementNames(2);
      const first = names('SELECT 1');
      expect(names('SELECT 2')).toBeDefined();
      expect(names('SELECT 3')).toBeUndefined();
      expect(names('SELECT 1')).toBe(first);
    });
  });

  describe('on a server', () => {
    let database: TestDatabase;
    let store: Store;
    let context: SqlContext;

    beforeAll(async () => {
      database = await createPostgresDatabase();
      // One connection: every statement below runs on the same backend, whose prepared statements are then visible.
      ({ store, context } = openPostgresStore({ url: database.url, poolSize: 1 }));
      await store.migrate();
      await context.runner.query(sql`CREATE TABLE prepared_probe (id integer PRIMARY KEY, note text NOT NULL)`);
    });

    afterAll(async () => {
      await store?.close();
      await database?.drop();
    });

    const prepared = async (): Promise<string[]> =>
      (await context.runner.query(sql`SELECT statement FROM pg_prepared_statements WHERE name LIKE ${'poolkeeper_%'}`)).rows.map((row) => String(row.statement));

    it('prepares the statements of transactions and reads once per connection', async () => {
      function* insert(id: number): Steps<void> {
        yield sql`SELECT id FROM prepared_probe WHERE id = ${id}`;
        yield* lastly([sql`INSERT INTO prepared_probe (id, note) VALUES (${id}, ${'first'})`]);
      }
      await context.runner.transaction(() => insert(1));
      await context.runner.transaction(() => insert(2));
      expect((await context.runner.query(sql`SELECT id FROM prepared_probe ORDER BY id`)).rows).toEqual([{ id: 1 }, { id: 2 }]);
      const statements = await prepared();
      expect(statements).toContain('SELECT id FROM prepared_probe WHERE id = $1');
      expect(statements).toContain('INSERT INTO prepared_probe (id, note) VALUES ($1, $2)');
      expect(statements).toContain('SELECT id FROM prepared_probe ORDER BY id');
      expect(statements.filter((s) => s === 'SELECT id FROM prepared_probe WHERE id = $1')).toHaveLength(1);
    });

    it('runs a statement whose preparation a failed flight skipped, on the next call', async () => {
      // The UPDATE is new: its preparation travels behind the INSERT that fails, so the server never prepares it.
      const update = (id: number) => sql`UPDATE prepared_probe SET note = ${'second'} WHERE id = ${id}`;
      await expect(
        context.runner.transaction(function* () {
          yield* lastly([sql`INSERT INTO prepared_probe (id, note) VALUES (${1}, ${'duplicate'})`, update(1)]);
        }),
      ).rejects.toMatchObject({ code: '23505' });
      expect(await prepared()).not.toContain('UPDATE prepared_probe SET note = $1 WHERE id = $2');
      await context.runner.transaction(function* () {
        yield* lastly([update(2)]);
      });
      expect((await context.runner.query(sql`SELECT id, note FROM prepared_probe ORDER BY id`)).rows).toEqual([
        { id: 1, note: 'first' },
        { id: 2, note: 'second' },
      ]);
    });

    it('gives the connection back after a statement outside a transaction fails', async () => {
      // The store has one connection: a failed statement that kept it would leave the next one waiting for it.
      await expect(context.runner.query(sql`SELECT id FROM prepared_probe WHERE id = ${'not a number'}`)).rejects.toMatchObject({ code: '22P02' });
      await expect(
        context.runner.read(function* () {
          return (yield sql`SELECT missing_column FROM prepared_probe`).rows;
        }),
      ).rejects.toMatchObject({ code: '42703' });
      expect((await context.runner.query(sql`SELECT COUNT(*)::int AS count FROM prepared_probe`)).rows).toEqual([{ count: 2 }]);
    });

    it('keeps reading every column of a table whose columns changed', async () => {
      const everything = sql`SELECT * FROM prepared_probe WHERE id = ${1}`;
      expect((await context.runner.query(everything)).rows).toEqual([{ id: 1, note: 'first' }]);
      await context.runner.query(sql`ALTER TABLE prepared_probe ADD COLUMN extra integer NOT NULL DEFAULT 7`);
      expect((await context.runner.query(everything)).rows).toEqual([{ id: 1, note: 'first', extra: 7 }]);
    });
  });
});
