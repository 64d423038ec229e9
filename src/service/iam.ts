import { createHash, randomBytes } from 'node:crypto';
import { newAccessKeyPair, newHexId } from '../domain/naming.js';
import { ALL_POOL_ACTIONS_POLICY, READ_ONLY_POOL_POLICY, type PolicyDocument } from '../domain/policy.js';
import { toTimestamp, type Clock } from '../domain/time.js';
import type { CreateUserBody, TokenRequest } from '../schemas/iam.js';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../security/passwords.js';
import type { SecretBox } from '../security/secrets.js';
import type { TokenService } from '../security/tokens.js';
import { errors } from '../errors/catalogue.js';
import { AlreadyExistsError, type AccountRecord, type ProjectRecord, type Store, type UserRecord } from '../store/store.js';

export const BUILTIN_POLICIES: Readonly<Record<string, PolicyDocument>> = {
  ModelArtsResourceManagementAllPolicy: ALL_POOL_ACTIONS_POLICY,
  ModelArtsResourceManagementReadOnlyPolicy: READ_ONLY_POOL_POLICY,
};

export interface IssuedAccessKey {
  accessKey: string;
  secretKey: string;
  securityToken?: string;
  expiresAt?: string;
}

export function renderAccount(a: AccountRecord) {
  return { id: a.id, name: a.name, createdAt: toTimestamp(a.createdAt) };
}

export function renderProject(p: ProjectRecord) {
  return { id: p.id, name: p.name, createdAt: toTimestamp(p.createdAt) };
}

export function renderUser(u: UserRecord) {
  return {
    id: u.id,
    name: u.name,
    accountAdmin: u.isAccountAdmin,
    hasPassword: u.passwordHash !== null,
    projects: u.projectIds,
    policies: u.policyNames,
    createdAt: toTimestamp(u.createdAt),
  };
}

/** Accounts, projects, users, access keys, policies and tokens; shared by `poolkeeper admin` and the IAM endpoints. */
export class IamService {
  constructor(
    private readonly store: Store,
    private readonly secrets: SecretBox,
    private readonly clock: Clock,
    private readonly tokens?: TokenService,
  ) {}

  private async unique<T>(create: () => Promise<T>): Promise<T> {
    try {
      return await create();
    } catch (error) {
      if (error instanceof AlreadyExistsError) throw errors.alreadyExists(error.kind, error.identifier);
      throw error;
    }
  }

  async requireAccount(idOrName: string): Promise<AccountRecord> {
    const account = await this.store.findAccount(idOrName);
    if (!account) throw errors.notFound('Account', idOrName);
    return account;
  }

  async requireUser(accountId: string, name: string): Promise<UserRecord> {
    const user = await this.store.findUser(accountId, name);
    if (!user) throw errors.notFound('User', name);
    return user;
  }

  async requireProject(accountId: string, idOrName: string): Promise<ProjectRecord> {
    const project = await this.store.findProject(accountId, idOrName);
    if (!project) throw errors.notFound('Project', idOrName);
    return project;
  }

  async createAccount(name: string): Promise<AccountRecord> {
    const account = { id: newHexId(), name, createdAt: this.clock.now() };
    await this.unique(() => this.store.createAccount(account));
    return account;
  }

  /** A new account with its first account administrator. */
  async createAccountWithAdmin(name: string, admin: { name: string; password?: string }) {
    const account = await this.createAccount(name);
    const user = await this.createUser(account.id, { ...admin, accountAdmin: true });
    return { account: renderAccount(account), admin: renderUser(user) };
  }

  listAccounts(): Promise<AccountRecord[]> {
    return this.store.listAccounts();
  }

  async createProject(accountId: string, name: string): Promise<ProjectRecord> {
    const project = { id: newHexId(), accountId, name, createdAt: this.clock.now() };
    await this.unique(() => this.store.createProject(project));
    return project;
  }

  listProjects(accountId: string): Promise<ProjectRecord[]> {
    return this.store.listProjects(accountId);
  }

  async createUser(accountId: string, body: CreateUserBody): Promise<UserRecord> {
    const projects = await Promise.all((body.projects ?? []).map((p) => this.requireProject(accountId, p)));
    const id = newHexId();
    const passwordHash = body.password === undefined ? null : await hashPassword(body.password);
    await this.unique(() =>
      this.store.createUser({ id, accountId, name: body.name, isAccountAdmin: body.accountAdmin ?? false, passwordHash, createdAt: this.clock.now() }),
    );
    for (const project of projects) await this.store.setUserProject(id, project.id, true);
    return this.requireUser(accountId, body.name);
  }

  async setPassword(accountId: string, userName: string, password: string): Promise<void> {
    const user = await this.requireUser(accountId, userName);
    await this.store.setUserPassword(user.id, await hashPassword(password));
  }

  listUsers(accountId: string): Promise<UserRecord[]> {
    return this.store.listUsers(accountId);
  }

  async setMembership(accountId: string, userName: string, projectIdOrName: string, member: boolean): Promise<UserRecord> {
    const user = await this.requireUser(accountId, userName);
    const project = await this.requireProject(accountId, projectIdOrName);
    await this.store.setUserProject(user.id, project.id, member);
    return this.requireUser(accountId, userName);
  }

  /** A new AK/SK pair (the SK is returned once and stored sealed); temporary ones also get a security token. */
  async createAccessKey(accountId: string, userName: string, temporarySeconds?: number): Promise<IssuedAccessKey> {
    const user = await this.requireUser(accountId, userName);
    const { accessKey, secretKey } = newAccessKeyPair();
    const now = this.clock.now();
    const securityToken = temporarySeconds === undefined ? undefined : randomBytes(48).toString('base64url');
    const expiresAt = temporarySeconds === undefined ? null : now + temporarySeconds * 1000;
    await this.unique(() =>
      this.store.createAccessKey({
        accessKey,
        sealedSecretKey: this.secrets.seal(secretKey),
        userId: user.id,
        createdAt: now,
        expiresAt,
        securityTokenHash: securityToken === undefined ? null : createHash('sha256').update(securityToken).digest('hex'),
      }),
    );
    return {
      accessKey,
      secretKey,
      ...(securityToken !== undefined ? { securityToken } : {}),
      ...(expiresAt !== null ? { expiresAt: toTimestamp(expiresAt) } : {}),
    };
  }

  async listAccessKeys(accountId: string, userName: string) {
    const user = await this.requireUser(accountId, userName);
    return (await this.store.listAccessKeys(user.id)).map((k) => ({
      accessKey: k.accessKey,
      createdAt: toTimestamp(k.createdAt),
      ...(k.expiresAt !== null ? { expiresAt: toTimestamp(k.expiresAt) } : {}),
    }));
  }

  async deleteAccessKey(accountId: string, accessKey: string): Promise<void> {
    if (!(await this.store.deleteAccessKey(accountId, accessKey))) throw errors.notFound('Access key', accessKey);
  }

  /** Attaches a built-in policy by name, or a custom one with its document. */
  async attachPolicy(accountId: string, userName: string, policyName: string, document?: PolicyDocument): Promise<UserRecord> {
    const user = await this.requireUser(accountId, userName);
    const body = document ?? BUILTIN_POLICIES[policyName];
    if (!body) throw errors.badRequest(`document is required: ${policyName} is not a built-in policy (${Object.keys(BUILTIN_POLICIES).join(', ')})`);
    await this.store.putUserPolicy(user.id, policyName, body);
    return this.requireUser(accountId, userName);
  }

  async detachPolicy(accountId: string, userName: string, policyName: string): Promise<UserRecord> {
    const user = await this.requireUser(accountId, userName);
    if (!(await this.store.deleteUserPolicy(user.id, policyName))) throw errors.notFound('Policy', policyName);
    return this.requireUser(accountId, userName);
  }

  /**
   * The IAM password method. Every way of getting it wrong (unknown account, user, password, or a project the user
   * is not in) answers the same 401, after the same scrypt cost, so nothing tells whether a user exists.
   */
  async issueToken(request: TokenRequest) {
    if (!this.tokens) throw errors.internal();
    const { user: credentials } = request.auth.identity.password;
    const domain = credentials.domain.name ?? credentials.domain.id;
    const scope = request.auth.scope.project;
    if (!domain) throw errors.badRequest('auth.identity.password.user.domain needs a name or an id');
    if (!scope.id && !scope.name) throw errors.badRequest('auth.scope.project needs an id or a name');
    const account = await this.store.findAccount(domain);
    const user = account ? await this.store.findUser(account.id, credentials.name) : undefined;
    const passwordOk = await verifyPassword(credentials.password, user?.passwordHash || DUMMY_PASSWORD_HASH);
    const project = account && user && passwordOk ? await this.store.findProject(account.id, (scope.id ?? scope.name)!) : undefined;
    if (!account || !user || !passwordOk || !project || !user.projectIds.includes(project.id)) throw errors.wrongPassword();
    const now = this.clock.now();
    const { token, expiresAt } = await this.tokens.issue({ userId: user.id, accountId: account.id, projectId: project.id }, now);
    const domainRef = { id: account.id, name: account.name };
    return {
      token,
      body: {
        token: {
          methods: ['password'],
          issued_at: new Date(now).toISOString().replace('Z', '000Z'),
          expires_at: new Date(expiresAt).toISOString().replace('Z', '000Z'),
          user: { id: user.id, name: user.name, domain: domainRef },
          project: { id: project.id, name: project.name, domain: domainRef },
          roles: [],
          catalog: [],
        },
      },
    };
  }
}
