import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statementCache } from '../../src/store/sqlite.js';
import { TEST_DIALECT } from '../helpers/databases.js';

/** SQLite reuses prepared statements by their text (sqlite.ts). */
describe.runIf(TEST_DIALECT === 'sqlite')('the SQLite statement cache', () => {
  let database: Database.Database;

  beforeAll(() => {
    database = new Database(':memory:');
    database.exec("CREATE TABLE t (a INTEGER, b INTEGER); INSERT INTO t VALUES (1, 10), (2, 20)");
  });

  afterAll(() => database.close());

  it('gives the same text, built anew, the same statement', () => {
    const prepare = statementCache(database);
    const column = 'a';
    const first = prepare(`SELECT ${column} FROM t WHERE a = ?`);
    expect(prepare(['SELECT ', column, ' FROM t WHERE a = ?'].join(''))).toBe(first);
  });

  it('tells apart texts of the same length', () => {
    const prepare = statementCache(database);
    const a = prepare('SELECT a FROM t WHERE a = ?');
    const b = prepare('SELECT b FROM t WHERE a = ?');
    expect(b).not.toBe(a);
    expect(a.pluck().get(2)).toBe(2);
    expect(b.pluck().get(2)).toBe(20);
  });

  it('starts over when full and keeps answering right', () => {
    const prepare = statementCache(database, 2);
    const texts = ['SELECT a FROM t WHERE a = ?', 'SELECT b FROM t WHERE a = ?', 'SELECT a + b FROM t WHERE a = ?'];
    const expected = [1, 10, 11];
    for (let round = 0; round < 3; round++) {
      texts.forEach((text, i) => expect(prepare(text).pluck().get(1)).toBe(expected[i]));
    }
    const kept = prepare(texts[2]!);
    expect(prepare(texts[2]!)).toBe(kept);
  });
});
