import type { Selectable } from 'kysely';
import type { Database } from './schema.js';
import type { SqlContext } from './sql-context.js';

export interface AccountRecord {
  id: string;
  name: string;
  createdAt: number;
}

export interface ProjectRecord {
  id: string;
  accountId: string;
  name: string;
  createdAt: number;
}

export interface UserRecord {
  id: string;
  accountId: string;
  name: string;
  isAccountAdmin: boolean;
  passwordHash: string | null;
  projectIds: string[];
  policyNames: string[];
  createdAt: number;
}

interface NewAccessKey {
  accessKey: string;
  /** The secret key sealed with the master key. */
  sealedSecretKey: string;
  userId: string;
  createdAt: number;
  expiresAt: number | null;
  securityTokenHash: string | null;
}

interface AccessKeySummary {
  accessKey: string;
  createdAt: number;
  expiresAt: number | null;
}

export interface SigningKey {
  id: string;
  sealedSecret: string;
}

export interface BootstrapIdentity {
  accountId: string;
  accountName: string;
  projectId: string;
  projectName: string;
  userId: string;
  userName: string;
  accessKey: string;
  sealedSecretKey: string;
  policyName: string;
  policyDocument: unknown;
  createdAt: number;
}

/** A create that hit a unique name or id. */
export class AlreadyExistsError extends Error {
  constructor(
    readonly kind: string,
    readonly identifier: string,
  ) {
    super(`${kind} ${identifier} already exists`);
  }
}

/**
 * Accounts, projects, users with their memberships and policies, access keys and the token-signing key: what IAM
 * administration (`poolkeeper admin`, the IAM endpoints, bootstrap and seeds) reads and writes. What authentication
 * reads on every request is the CredentialStore's.
 */
export interface IdentityStore {
  hasAnyAccount(): Promise<boolean>;
  /** One sealed secret the store holds (an access key's SK or the token-signing key), to check a master key against. */
  findSealedSecret(): Promise<string | undefined>;
  /** Creates the first account and its admin; false when another replica's bootstrap won the race. */
  createBootstrapIdentity(identity: BootstrapIdentity): Promise<boolean>;
  createAccount(account: AccountRecord): Promise<void>;
  listAccounts(): Promise<AccountRecord[]>;
  /** By id or by name. */
  findAccount(idOrName: string): Promise<AccountRecord | undefined>;
  createProject(project: ProjectRecord): Promise<void>;
  listProjects(accountId: string): Promise<ProjectRecord[]>;
  /** A project of the account, by id or by name. */
  findProject(accountId: string, idOrName: string): Promise<ProjectRecord | undefined>;
  createUser(user: Omit<UserRecord, 'projectIds' | 'policyNames'>): Promise<void>;
  setUserPassword(userId: string, passwordHash: string): Promise<void>;
  /** The account's users with their projects and policies, in three statements whatever their number. */
  listUsers(accountId: string): Promise<UserRecord[]>;
  findUser(accountId: string, name: string): Promise<UserRecord | undefined>;
  /** Adds or removes a project membership; false when nothing changed. */
  setUserProject(userId: string, projectId: string, member: boolean): Promise<boolean>;
  putUserPolicy(userId: string, policyName: string, document: unknown): Promise<void>;
  deleteUserPolicy(userId: string, policyName: string): Promise<boolean>;
  createAccessKey(key: NewAccessKey): Promise<void>;
  listAccessKeys(userId: string): Promise<AccessKeySummary[]>;
  /** Deletes a key of a user of the account; false when there is none. */
  deleteAccessKey(accountId: string, accessKey: string): Promise<boolean>;
  /** The token-signing key every replica shares: `candidate` is stored only when none exists yet. */
  ensureSigningKey(candidate: SigningKey & { createdAt: number }): Promise<SigningKey>;
}

type UserRow = Selectable<Database['users']>;

/** IAM administration is a cold path: Kysely's builder. */
export class SqlIdentityStore implements IdentityStore {
  constructor(private readonly context: SqlContext) {}

  private get db() {
    return this.context.db;
  }

  async hasAnyAccount(): Promise<boolean> {
    const row = await this.db.selectFrom('accounts').select('id').limit(1).executeTakeFirst();
    return row !== undefined;
  }

  async findSealedSecret(): Promise<string | undefined> {
    const key = await this.db.selectFrom('access_keys').select('secret_key').limit(1).executeTakeFirst();
    if (key) return key.secret_key;
    const signing = await this.db.selectFrom('signing_keys').select('sealed_secret').limit(1).executeTakeFirst();
    return signing?.sealed_secret;
  }

  async createBootstrapIdentity(identity: BootstrapIdentity): Promise<boolean> {
    try {
      await this.db.transaction().execute(async (trx) => {
        const at = identity.createdAt;
        await trx.insertInto('accounts').values({ id: identity.accountId, name: identity.accountName, created_at: at, is_operator: 1 }).execute();
        await trx.insertInto('projects').values({ id: identity.projectId, account_id: identity.accountId, name: identity.projectName, created_at: at }).execute();
        await trx
          .insertInto('users')
          .values({ id: identity.userId, account_id: identity.accountId, name: identity.userName, created_at: at, password_hash: null, is_account_admin: 1 })
          .execute();
        await trx.insertInto('user_projects').values({ user_id: identity.userId, project_id: identity.projectId }).execute();
        await trx
          .insertInto('user_policies')
          .values({ user_id: identity.userId, policy_name: identity.policyName, document: JSON.stringify(identity.policyDocument) })
          .execute();
        await trx
          .insertInto('access_keys')
          .values({ access_key: identity.accessKey, secret_key: identity.sealedSecretKey, user_id: identity.userId, created_at: at, expires_at: null, security_token_hash: null, locked_until: null })
          .execute();
      });
      return true;
    } catch (error) {
      if (this.context.dialect.isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async createAccount(account: AccountRecord): Promise<void> {
    await this.insertUnique('account', account.name, () =>
      this.db.insertInto('accounts').values({ id: account.id, name: account.name, created_at: account.createdAt }).execute(),
    );
  }

  async listAccounts(): Promise<AccountRecord[]> {
    const rows = await this.db.selectFrom('accounts').selectAll().orderBy('name').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: Number(r.created_at) }));
  }

  async findAccount(idOrName: string): Promise<AccountRecord | undefined> {
    const row = await this.db
      .selectFrom('accounts')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .orderBy('created_at')
      .executeTakeFirst();
    return row ? { id: row.id, name: row.name, createdAt: Number(row.created_at) } : undefined;
  }

  async createProject(project: ProjectRecord): Promise<void> {
    await this.insertUnique('project', project.name, () =>
      this.db.insertInto('projects').values({ id: project.id, account_id: project.accountId, name: project.name, created_at: project.createdAt }).execute(),
    );
  }

  async listProjects(accountId: string): Promise<ProjectRecord[]> {
    const rows = await this.db.selectFrom('projects').selectAll().where('account_id', '=', accountId).orderBy('name').execute();
    return rows.map(toProjectRecord);
  }

  async findProject(accountId: string, idOrName: string): Promise<ProjectRecord | undefined> {
    const row = await this.db
      .selectFrom('projects')
      .selectAll()
      .where('account_id', '=', accountId)
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .executeTakeFirst();
    return row ? toProjectRecord(row) : undefined;
  }

  async createUser(user: Omit<UserRecord, 'projectIds' | 'policyNames'>): Promise<void> {
    await this.insertUnique('user', user.name, () =>
      this.db
        .insertInto('users')
        .values({
          id: user.id,
          account_id: user.accountId,
          name: user.name,
          created_at: user.createdAt,
          password_hash: user.passwordHash,
          is_account_admin: user.isAccountAdmin ? 1 : 0,
        })
        .execute(),
    );
  }

  async setUserPassword(userId: string, passwordHash: string): Promise<void> {
    await this.db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
  }

  async listUsers(accountId: string): Promise<UserRecord[]> {
    const rows = await this.db.selectFrom('users').selectAll().where('account_id', '=', accountId).orderBy('name').execute();
    return this.toUserRecords(rows);
  }

  async findUser(accountId: string, name: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('account_id', '=', accountId).where('name', '=', name).executeTakeFirst();
    return row ? (await this.toUserRecords([row]))[0] : undefined;
  }

  /** The users with their projects and policies: one read of each for all of them. */
  private async toUserRecords(rows: UserRow[]): Promise<UserRecord[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [projects, policies] = await Promise.all([
      this.db.selectFrom('user_projects').select(['user_id', 'project_id']).where('user_id', 'in', ids).orderBy('project_id').execute(),
      this.db.selectFrom('user_policies').select(['user_id', 'policy_name']).where('user_id', 'in', ids).orderBy('policy_name').execute(),
    ]);
    const records = new Map<string, UserRecord>();
    for (const row of rows) {
      records.set(row.id, {
        id: row.id,
        accountId: row.account_id,
        name: row.name,
        isAccountAdmin: Number(row.is_account_admin) === 1,
        passwordHash: row.password_hash,
        projectIds: [],
        policyNames: [],
        createdAt: Number(row.created_at),
      });
    }
    for (const p of projects) records.get(p.user_id)!.projectIds.push(p.project_id);
    for (const p of policies) records.get(p.user_id)!.policyNames.push(p.policy_name);
    return [...records.values()];
  }

  async setUserProject(userId: string, projectId: string, member: boolean): Promise<boolean> {
    if (!member) {
      const result = await this.db.deleteFrom('user_projects').where('user_id', '=', userId).where('project_id', '=', projectId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    }
    const result = await this.db
      .insertInto('user_projects')
      .values({ user_id: userId, project_id: projectId })
      .onConflict((oc) => oc.columns(['user_id', 'project_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async putUserPolicy(userId: string, policyName: string, document: unknown): Promise<void> {
    await this.db
      .insertInto('user_policies')
      .values({ user_id: userId, policy_name: policyName, document: JSON.stringify(document) })
      .onConflict((oc) => oc.columns(['user_id', 'policy_name']).doUpdateSet({ document: (eb) => eb.ref('excluded.document') }))
      .execute();
  }

  async deleteUserPolicy(userId: string, policyName: string): Promise<boolean> {
    const result = await this.db.deleteFrom('user_policies').where('user_id', '=', userId).where('policy_name', '=', policyName).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async createAccessKey(key: NewAccessKey): Promise<void> {
    await this.insertUnique('access key', key.accessKey, () =>
      this.db
        .insertInto('access_keys')
        .values({
          access_key: key.accessKey,
          secret_key: key.sealedSecretKey,
          user_id: key.userId,
          created_at: key.createdAt,
          expires_at: key.expiresAt,
          security_token_hash: key.securityTokenHash,
          locked_until: null,
        })
        .execute(),
    );
  }

  async listAccessKeys(userId: string): Promise<AccessKeySummary[]> {
    const rows = await this.db.selectFrom('access_keys').select(['access_key', 'created_at', 'expires_at']).where('user_id', '=', userId).orderBy('created_at').execute();
    return rows.map((r) => ({ accessKey: r.access_key, createdAt: Number(r.created_at), expiresAt: r.expires_at === null ? null : Number(r.expires_at) }));
  }

  async deleteAccessKey(accountId: string, accessKey: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('access_keys')
      .where('access_key', '=', accessKey)
      .where('user_id', 'in', (eb) => eb.selectFrom('users').select('id').where('account_id', '=', accountId))
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async ensureSigningKey(candidate: SigningKey & { createdAt: number }): Promise<SigningKey> {
    await this.db
      .insertInto('signing_keys')
      .values({ id: candidate.id, sealed_secret: candidate.sealedSecret, created_at: candidate.createdAt })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    const row = await this.db.selectFrom('signing_keys').select(['id', 'sealed_secret']).orderBy('created_at').orderBy('id').executeTakeFirstOrThrow();
    return { id: row.id, sealedSecret: row.sealed_secret };
  }

  private async insertUnique(kind: string, name: string, insert: () => Promise<unknown>): Promise<void> {
    try {
      await insert();
    } catch (error) {
      if (this.context.dialect.isUniqueViolation(error)) throw new AlreadyExistsError(kind, name);
      throw error;
    }
  }
}

function toProjectRecord(row: Selectable<Database['projects']>): ProjectRecord {
  return { id: row.id, accountId: row.account_id, name: row.name, createdAt: Number(row.created_at) };
}
