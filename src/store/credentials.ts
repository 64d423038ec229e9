import { LRUCache } from 'lru-cache';
import sql from 'sql-template-tag';
import { flag, int, nullableInt, nullableText, text } from './rows.js';
import type { SqlContext } from './sql-context.js';
import type { Row, Steps } from './statements.js';

/** Who a user is and what they may do: read on each request (through a short cache), never from a token alone. */
export interface UserIdentity {
  userId: string;
  userName: string;
  accountId: string;
  accountName: string;
  isAccountAdmin: boolean;
  /** The user's account is the operator account (the one created on first start). */
  isOperator: boolean;
  projectIds: string[];
  /** IAM-style policy documents attached to the user, parsed. */
  policies: unknown[];
}

export interface AccessKeyRecord {
  accessKey: string;
  /** The secret key sealed with the master key. */
  sealedSecretKey: string;
  userId: string;
  createdAt: number;
  expiresAt: number | null;
  securityTokenHash: string | null;
  failedAttempts: number;
  lockedUntil: number | null;
}

interface AuthFailures {
  failedAttempts: number;
  lockedUntil: number | null;
}

/** What authentication reads and writes on the request path: the access key, the user's rights, lock-out counters. */
export interface CredentialStore {
  /** findAccessKey's answers since start: from the cache (hits) or the database (misses), for the metrics. */
  readonly keyLookups: { readonly hits: number; readonly misses: number };
  findAccessKey(accessKey: string): Promise<AccessKeyRecord | undefined>;
  /** findAccessKey's answer when the cache holds the key, without reading the database; undefined otherwise. */
  cachedAccessKey(accessKey: string): AccessKeyRecord | undefined;
  getUserIdentity(userId: string): Promise<UserIdentity | undefined>;
  /** Counts a failed signature; at `maxFailures` consecutive failures the key is locked until `now + lockMillis`. */
  recordAuthFailure(accessKey: string, now: number, maxFailures: number, lockMillis: number): Promise<AuthFailures>;
  clearAuthFailures(accessKey: string): Promise<void>;
}

/** Access keys a replica keeps: far more than the keys that sign its requests in any one minute. */
const CACHED_ACCESS_KEYS = 10_000;

/**
 * Every authenticated request runs these: `sql-template-tag` statements through the step runner. Access keys are
 * read through a cache that drops a key whenever the database says it changed (a revocation, a lock-out, a failure
 * counted or cleared: AccessKeyChanges), so a key's state is never older than the last change committed before the
 * lookup was made; unknown keys are not cached (a key created anywhere works at once).
 */
export class SqlCredentialStore implements CredentialStore {
  private readonly keys = new LRUCache<string, AccessKeyRecord>({ max: CACHED_ACCESS_KEYS });
  /** Counts changes told, so a lookup that raced a change does not cache what it read before the change. */
  private changesTold = 0;
  readonly keyLookups = { hits: 0, misses: 0 };

  constructor(private readonly context: SqlContext) {
    context.accessKeyChanges.onChange((accessKey) => {
      this.changesTold++;
      if (accessKey === null) this.keys.clear();
      else this.keys.delete(accessKey);
    });
  }

  cachedAccessKey(accessKey: string): AccessKeyRecord | undefined {
    if (!this.context.accessKeyChanges.watching()) return undefined;
    const cached = this.keys.get(accessKey);
    if (cached) this.keyLookups.hits++;
    return cached;
  }

  async findAccessKey(accessKey: string): Promise<AccessKeyRecord | undefined> {
    const cached = this.cachedAccessKey(accessKey);
    if (cached) return cached;
    const changes = this.context.accessKeyChanges;
    const cacheable = changes.watching();
    this.keyLookups.misses++;
    const toldBefore = this.changesTold;
    const { rows } = await this.context.runner.query(
      sql`SELECT access_key, secret_key, user_id, created_at, expires_at, security_token_hash, failed_attempts, locked_until FROM access_keys WHERE access_key = ${accessKey}`,
    );
    const record = rows[0] && toAccessKeyRecord(rows[0]);
    if (record && cacheable && this.changesTold === toldBefore && changes.watching()) this.keys.set(accessKey, record);
    return record;
  }

  getUserIdentity(userId: string): Promise<UserIdentity | undefined> {
    return this.context.runner.read(() => userIdentitySteps(userId));
  }

  async recordAuthFailure(accessKey: string, now: number, maxFailures: number, lockMillis: number): Promise<AuthFailures> {
    const { rows } = await this.context.runner.query(sql`UPDATE access_keys SET failed_attempts = failed_attempts + 1,
        locked_until = CASE WHEN failed_attempts >= ${maxFailures - 1} THEN ${now + lockMillis} ELSE locked_until END
      WHERE access_key = ${accessKey} RETURNING failed_attempts, locked_until`);
    const row = rows[0];
    return { failedAttempts: row ? int(row.failed_attempts) : 0, lockedUntil: row ? nullableInt(row.locked_until) : null };
  }

  async clearAuthFailures(accessKey: string): Promise<void> {
    await this.context.runner.query(sql`UPDATE access_keys SET failed_attempts = 0, locked_until = NULL WHERE access_key = ${accessKey}`);
  }
}

function toAccessKeyRecord(row: Row): AccessKeyRecord {
  return {
    accessKey: text(row.access_key),
    sealedSecretKey: text(row.secret_key),
    userId: text(row.user_id),
    createdAt: int(row.created_at),
    expiresAt: nullableInt(row.expires_at),
    securityTokenHash: nullableText(row.security_token_hash),
    failedAttempts: int(row.failed_attempts),
    lockedUntil: nullableInt(row.locked_until),
  };
}

function* userIdentitySteps(userId: string): Steps<UserIdentity | undefined> {
  const [user] = (
    yield sql`SELECT u.id, u.name, u.is_account_admin, a.id AS account_id, a.name AS account_name, a.is_operator
      FROM users AS u INNER JOIN accounts AS a ON a.id = u.account_id WHERE u.id = ${userId}`
  ).rows;
  if (!user) return undefined;
  const projects = (yield sql`SELECT project_id FROM user_projects WHERE user_id = ${userId} ORDER BY project_id`).rows;
  const policies = (yield sql`SELECT document FROM user_policies WHERE user_id = ${userId} ORDER BY policy_name`).rows;
  return {
    userId: text(user.id),
    userName: text(user.name),
    accountId: text(user.account_id),
    accountName: text(user.account_name),
    isAccountAdmin: flag(user.is_account_admin),
    isOperator: flag(user.is_operator),
    projectIds: projects.map((p) => text(p.project_id)),
    policies: policies.map((p) => JSON.parse(text(p.document)) as unknown),
  };
}
