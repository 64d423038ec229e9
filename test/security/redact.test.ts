import { describe, expect, it } from 'vitest';
import { maskPasswords } from '../../src/security/redact.js';

describe('maskPasswords', () => {
  it('masks the password of a PostgreSQL URL and nothing else', () => {
    expect(maskPasswords('postgres://poolkeeper:s3cr%40t@db.internal:5432/poolkeeper')).toBe('postgres://poolkeeper:***@db.internal:5432/poolkeeper');
    expect(maskPasswords('postgresql://u:p@h/db?application_name=pk')).toBe('postgresql://u:***@h/db?application_name=pk');
    expect(maskPasswords('postgres://poolkeeper@db.internal/poolkeeper')).toBe('postgres://poolkeeper@db.internal/poolkeeper');
  });

  it('masks secret-looking query parameters', () => {
    expect(maskPasswords('postgres://u@h/db?sslpassword=abc&sslmode=require')).toBe('postgres://u@h/db?sslpassword=***&sslmode=require');
  });

  it('leaves SQLite paths and :memory: as they are', () => {
    for (const path of ['./data/poolkeeper.db', '/var/lib/poolkeeper/db.sqlite', ':memory:', 'C:\\\\data\\\\pk.db']) expect(maskPasswords(path)).toBe(path);
  });

  it('masks a password even in a URL that does not parse', () => {
    expect(maskPasswords('postgres://u:p/w@rd@h:notaport/db')).toBe('postgres://u:***@h:notaport/db');
  });

  it('masks passwords with unencoded @, / and # whole, an empty user name, a password= parameter, and every URL of a longer text', () => {
    expect(maskPasswords('postgres://u:p@ss/w#rd@db:5432/x')).toBe('postgres://u:***@db:5432/x');
    expect(maskPasswords('postgresql://:only-password@127.0.0.1/db')).toBe('postgresql://:***@127.0.0.1/db');
    expect(maskPasswords('postgres://host/db?sslmode=require&password=s3cret&user=u')).toBe('postgres://host/db?sslmode=require&password=***&user=u');
    expect(maskPasswords('connect to postgres://a:one@h1/d failed; retry postgres://b:two@h2/d')).toBe('connect to postgres://a:***@h1/d failed; retry postgres://b:***@h2/d');
  });

  it('leaves URLs without a password alone', () => {
    for (const text of ['postgres://postgres@127.0.0.1:5432/postgres', 'postgres://db.internal:5432/x', 'http://127.0.0.1:9710']) {
      expect(maskPasswords(text)).toBe(text);
    }
  });
});
