import { describe, expect, it } from 'vitest';
import { maskDatabaseUrl } from '../../src/security/redact.js';

describe('maskDatabaseUrl', () => {
  it('masks the password of a PostgreSQL URL and nothing else', () => {
    expect(maskDatabaseUrl('postgres://poolkeeper:s3cr%40t@db.internal:5432/poolkeeper')).toBe('postgres://poolkeeper:***@db.internal:5432/poolkeeper');
    expect(maskDatabaseUrl('postgresql://u:p@h/db?application_name=pk')).toBe('postgresql://u:***@h/db?application_name=pk');
    expect(maskDatabaseUrl('postgres://poolkeeper@db.internal/poolkeeper')).toBe('postgres://poolkeeper@db.internal/poolkeeper');
  });

  it('masks secret-looking query parameters', () => {
    expect(maskDatabaseUrl('postgres://u@h/db?sslpassword=abc&sslmode=require')).toBe('postgres://u@h/db?sslpassword=***&sslmode=require');
  });

  it('leaves SQLite paths and :memory: as they are', () => {
    for (const path of ['./data/poolkeeper.db', '/var/lib/poolkeeper/db.sqlite', ':memory:', 'C:\\\\data\\\\pk.db']) expect(maskDatabaseUrl(path)).toBe(path);
  });

  it('masks a password even in a URL that does not parse', () => {
    expect(maskDatabaseUrl('postgres://u:p w#x@h:notaport/db')).toBe('postgres://u:***@h:notaport/db');
    expect(maskDatabaseUrl('postgres://u:p/w@rd@h:notaport/db')).toBe('postgres://u:***@h:notaport/db');
  });
});
