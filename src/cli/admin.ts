import type { TSchema, Static } from '@sinclair/typebox';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { systemClock } from '../domain/time.js';
import type { PolicyDocument } from '../domain/policy.js';
import {
  CreateAccessKeyBodySchema,
  CreateAccountBodySchema,
  CreateProjectBodySchema,
  CreateUserBodySchema,
  PolicyDocumentSchema,
  SetPasswordBodySchema,
} from '../schemas/iam.js';
import { compileInputValidator, describeValidationError } from '../schemas/validator.js';
import { openMasterKey } from '../security/secrets.js';
import { errors } from '../errors/catalogue.js';
import { IamService, renderAccount, renderProject, renderUser } from '../service/iam.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { parseJsonOption } from './errors.js';

/** Validates CLI input as the HTTP endpoint does: the same schema, validator and message naming the field. */
function checked<T extends TSchema>(schema: T, value: unknown, what: string): Static<T> {
  const issues = compileInputValidator(schema)(value);
  if (issues) throw errors.badRequest(describeValidationError(issues, what));
  return value as Static<T>;
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Runs `work` against the configured store (and master key), then closes it. */
async function withIam<T>(work: (iam: IamService, store: Store) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const { store } = await openStore(config);
  try {
    await store.migrate();
    // The service's key, or none: sealing with another would leave keys the service cannot open.
    const { box } = openMasterKey({ configured: config.masterKey, dataDir: config.dataDir }, await store.findSealedSecret());
    return await work(new IamService(store, box, systemClock), store);
  } finally {
    await store.close();
  }
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `poolkeeper admin ...`: accounts, projects, users, access keys and policies on the configured store. */
export function registerAdminCommands(admin: Command): void {
  admin
    .command('migrate')
    .description('Bring the database schema to the latest version (the service also does this on start).')
    .action(async () => {
      const { store } = await openStore(loadConfig());
      try {
        await store.migrate();
        process.stdout.write(`${store.dialect} database is at the latest schema\n`);
      } finally {
        await store.close();
      }
    });

  admin
    .command('create-account')
    .description('Create an account (domain) with an account-administrator user.')
    .argument('<name>', 'account name')
    .requiredOption('--admin <user>', 'name of its administrator')
    .option('--password <password>', 'the administrator’s password (for tokens)')
    .action(async (name: string, options: { admin: string; password?: string }) => {
      const body = checked(CreateAccountBodySchema, { name, admin: { name: options.admin, ...(options.password ? { password: options.password } : {}) } }, 'account');
      await withIam(async (iam) => print(await iam.createAccountWithAdmin(body.name, body.admin)));
    });

  admin.command('list-accounts').description('List every account (domain).').action(async () => {
    await withIam(async (iam) => print((await iam.listAccounts()).map(renderAccount)));
  });

  admin
    .command('create-project')
    .description('Create a project (32-hex id) in an account.')
    .argument('<name>', 'project name, e.g. local-2')
    .requiredOption('--account <account>', 'account name or id')
    .action(async (name: string, options: { account: string }) => {
      const body = checked(CreateProjectBodySchema, { name }, 'project');
      await withIam(async (iam) => print(renderProject(await iam.createProject((await iam.requireAccount(options.account)).id, body.name))));
    });

  admin
    .command('list-projects')
    .description('List an account’s projects.')
    .requiredOption('--account <account>', 'account name or id')
    .action(async (options: { account: string }) => {
      await withIam(async (iam) => print((await iam.listProjects((await iam.requireAccount(options.account)).id)).map(renderProject)));
    });

  admin
    .command('create-user')
    .description('Create a user in an account, optionally with a password, account-administrator rights and projects.')
    .argument('<name>', 'user name')
    .requiredOption('--account <account>', 'account name or id')
    .option('--password <password>', 'password (needed for tokens)')
    .option('--account-admin', 'may manage the account’s projects, users, keys and policies')
    .option('--project <project>', 'project id or name (repeatable)', collect)
    .action(async (name: string, options: { account: string; password?: string; accountAdmin?: boolean; project?: string[] }) => {
      const body = checked(
        CreateUserBodySchema,
        { name, ...(options.password ? { password: options.password } : {}), accountAdmin: Boolean(options.accountAdmin), projects: options.project ?? [] },
        'user',
      );
      await withIam(async (iam) => print(renderUser(await iam.createUser((await iam.requireAccount(options.account)).id, body))));
    });

  admin
    .command('set-password')
    .description('Set a user’s password (needed for tokens).')
    .argument('<user>', 'user name')
    .requiredOption('--account <account>', 'account name or id')
    .requiredOption('--password <password>', 'the new password')
    .action(async (user: string, options: { account: string; password: string }) => {
      const body = checked(SetPasswordBodySchema, { password: options.password }, '');
      await withIam(async (iam) => {
        await iam.setPassword((await iam.requireAccount(options.account)).id, user, body.password);
        print({ user, passwordSet: true });
      });
    });

  admin
    .command('list-users')
    .description('List an account’s users with their projects and policies.')
    .requiredOption('--account <account>', 'account name or id')
    .action(async (options: { account: string }) => {
      await withIam(async (iam) => print((await iam.listUsers((await iam.requireAccount(options.account)).id)).map(renderUser)));
    });

  for (const [command, member] of [
    ['add-to-project', true],
    ['remove-from-project', false],
  ] as const) {
    admin
      .command(command)
      .description(member ? 'Make a user a member of a project.' : 'Remove a user from a project.')
      .argument('<user>', 'user name')
      .argument('<project>', 'project id or name')
      .requiredOption('--account <account>', 'account name or id')
      .action(async (user: string, project: string, options: { account: string }) => {
        await withIam(async (iam) => print(renderUser(await iam.setMembership((await iam.requireAccount(options.account)).id, user, project, member))));
      });
  }

  admin
    .command('create-access-key')
    .description('Create an AK/SK pair for a user; the SK is shown once.')
    .argument('<user>', 'user name')
    .requiredOption('--account <account>', 'account name or id')
    .option('--temporary <seconds>', 'temporary credentials with a security token, valid this long (900-86400)')
    .action(async (user: string, options: { account: string; temporary?: string }) => {
      const body = checked(CreateAccessKeyBodySchema, options.temporary ? { temporary: { durationSeconds: Number(options.temporary) } } : {}, '');
      await withIam(async (iam) => print(await iam.createAccessKey((await iam.requireAccount(options.account)).id, user, body.temporary?.durationSeconds)));
    });

  admin
    .command('delete-access-key')
    .description('Delete an access key of a user of the account.')
    .argument('<accessKey>', 'the access key')
    .requiredOption('--account <account>', 'account name or id')
    .action(async (accessKey: string, options: { account: string }) => {
      await withIam(async (iam) => {
        await iam.deleteAccessKey((await iam.requireAccount(options.account)).id, accessKey);
        print({ accessKey, deleted: true });
      });
    });

  admin
    .command('attach-policy')
    .description('Attach a built-in policy by name, or a custom one with --document.')
    .argument('<user>', 'user name')
    .argument('<policy>', 'ModelArtsResourceManagementAllPolicy, ModelArtsResourceManagementReadOnlyPolicy, or a custom name')
    .requiredOption('--account <account>', 'account name or id')
    .option('--document <json>', '{"Version":"1.1","Statement":[{"Effect":"Allow"|"Deny","Action":[...]}]}')
    .action(async (user: string, policy: string, options: { account: string; document?: string }) => {
      const document = options.document === undefined ? undefined : (checked(PolicyDocumentSchema, parseJsonOption(options.document, '--document'), 'document') as PolicyDocument);
      await withIam(async (iam) => print(renderUser(await iam.attachPolicy((await iam.requireAccount(options.account)).id, user, policy, document))));
    });

  admin
    .command('detach-policy')
    .description('Detach a policy from a user.')
    .argument('<user>', 'user name')
    .argument('<policy>', 'policy name')
    .requiredOption('--account <account>', 'account name or id')
    .action(async (user: string, policy: string, options: { account: string }) => {
      await withIam(async (iam) => print(renderUser(await iam.detachPolicy((await iam.requireAccount(options.account)).id, user, policy))));
    });
}
