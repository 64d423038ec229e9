import { existsSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteCheckpointer } from '../../src/store/sqlite-checkpointer.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { TEST_DIALECT } from '../helpers/databases.js';

/** The SQLite write-ahead log is folded back into the file from a worker thread with its own connection. */
describe.runIf(TEST_DIALECT === 'sqlite')('the SQLite checkpointer', () => {
  let dir: string;
  let path: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'poolkeeper-checkpoint-'));
    path = join(dir, 'poolkeeper.db');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A connection as the store opens it: WAL, no automatic checkpoint. */
  function writer(): Database.Database {
    const database = new Database(path);
    database.pragma('journal_mode = WAL');
    database.pragma('wal_autocheckpoint = 0');
    database.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    return database;
  }

  function write(database: Database.Database, rows: number): void {
    const insert = database.prepare('INSERT INTO t (v) VALUES (?)');
    database.transaction(() => {
      for (let i = 0; i < rows; i++) insert.run('x'.repeat(200));
    })();
  }

  it('copies every frame of the log into the database while the writer stays open, each time it is asked', async () => {
    const database = writer();
    write(database, 500);
    const checkpointer = sqliteCheckpointer(path);
    try {
      const first = await checkpointer.checkpoint();
      expect(first.busy).toBe(0);
      expect(first.log).toBeGreaterThan(10);
      expect(first.checkpointed).toBe(first.log);
      const fileAfterFirst = statSync(path).size;
      expect(fileAfterFirst).toBeGreaterThan(100_000);

      write(database, 500);
      const second = await checkpointer.checkpoint();
      expect(second.checkpointed).toBe(second.log);
      expect(statSync(path).size).toBeGreaterThan(fileAfterFirst);
      expect(database.prepare('SELECT count(*) FROM t').pluck().get()).toBe(1000);
    } finally {
      await checkpointer.close();
      database.close();
    }
  });

  it('gives calls made while a checkpoint runs that checkpoint', async () => {
    const database = writer();
    write(database, 100);
    const checkpointer = sqliteCheckpointer(path);
    try {
      const [a, b] = await Promise.all([checkpointer.checkpoint(), checkpointer.checkpoint()]);
      expect(b).toBe(a);
      expect(await checkpointer.checkpoint()).not.toBe(a);
    } finally {
      await checkpointer.close();
      database.close();
    }
  });

  it('refuses to checkpoint once closed, and a checkpointer never used closes at once', async () => {
    const database = writer();
    const checkpointer = sqliteCheckpointer(path);
    await checkpointer.checkpoint();
    await checkpointer.close();
    await expect(checkpointer.checkpoint()).rejects.toThrow();
    await sqliteCheckpointer(path).close();
    database.close();
  });

  it('reports a file it cannot open when asked to checkpoint it', async () => {
    const checkpointer = sqliteCheckpointer(join(dir, 'missing.db'));
    await expect(checkpointer.checkpoint()).rejects.toThrow();
    await checkpointer.close();
  });

  it("runs the store's checkpoints and closes before the store, whose last connection then removes the log", async () => {
    const opened = openSqliteStore({ path, synchronous: 'NORMAL' });
    await opened.store.migrate();
    expect(existsSync(`${path}-wal`)).toBe(true);
    const result = await opened.checkpoint!();
    expect(result.log).toBeGreaterThan(0);
    expect(result.checkpointed).toBe(result.log);
    await opened.store.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('leaves no frame behind while the file is written meanwhile, so the log starts over at the next write', async () => {
    const opened = openSqliteStore({ path, synchronous: 'NORMAL' });
    await opened.store.migrate();
    const other = writer();
    try {
      // A cycle counts when the file was written after its checkpoint started, which the machine's timing decides.
      let writtenMeanwhile = 0;
      for (let cycle = 0; cycle < 20 && writtenMeanwhile < 3; cycle++) {
        write(other, 10_000);
        let written = 0;
        let done = false;
        const checkpoint = opened.checkpoint!().finally(() => (done = true));
        while (!done) {
          write(other, 1);
          written++;
          await new Promise((resolve) => setImmediate(resolve));
        }
        const result = await checkpoint;
        if (written > 1) writtenMeanwhile++;
        expect(result.checkpointed).toBe(result.log);
        write(other, 1);
        // The one write since is all the log holds: it started over from its beginning.
        const [after] = other.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>;
        expect(after!.log).toBeLessThan(5);
      }
      expect(writtenMeanwhile).toBe(3);
    } finally {
      other.close();
      await opened.store.close();
    }
  });

  it("still copies the log on the store's own connection when the worker cannot run, and reports the failure", async () => {
    const opened = openSqliteStore({ path, synchronous: 'NORMAL' });
    await opened.store.migrate();
    // The store keeps its open file; the worker, started by the first checkpoint, finds nothing at the path.
    renameSync(path, `${path}.moved`);
    try {
      await expect(opened.checkpoint!()).rejects.toThrow();
      await sql`CREATE TABLE after_the_checkpoint (a INTEGER)`.execute(opened.context.db);
      const { rows } = await sql<{ log: number }>`PRAGMA wal_checkpoint(PASSIVE)`.execute(opened.context.db);
      expect(rows[0]!.log).toBeLessThan(5);
    } finally {
      await opened.store.close();
    }
  });

  it('has nothing to checkpoint for a store in memory', () => {
    expect(openSqliteStore({ path: ':memory:', synchronous: 'NORMAL' }).checkpoint).toBeUndefined();
  });
});
