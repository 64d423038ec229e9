import { dirname, join } from 'node:path';
import { Option, type Command } from 'commander';
import { CREDENTIALS_FILE, OPERATOR_ACCOUNT, readSavedCredentials } from '../bootstrap.js';
import { ApiCallError, PoolApi } from '../client/api.js';
import { PoolkeeperClient, send, type ClientAuth } from '../client/client.js';
import { dataDirFrom } from '../config.js';
import { readServiceFile } from '../runtime-file.js';
import { usageError } from './exit-codes.js';
import { configFilePath, readConfigFile, type Profile } from './profiles.js';

const DEFAULT_ENDPOINT = 'http://127.0.0.1:9710';

export interface ConnectionOptions {
  profile?: string;
  endpoint?: string;
  project?: string;
  ak?: string;
  sk?: string;
  securityToken?: string;
  token?: string;
  user?: string;
  account?: string;
  credentials?: string;
}

/** Adds the options every command that calls the service takes, under their own heading in --help. */
export function withConnectionOptions(command: Command): Command {
  const group = 'Connection options (each also from the environment, a profile, or a local service; see the README):';
  const options = [
    new Option('--profile <name>', 'profile saved by `poolkeeper configure` (default: POOLKEEPER_PROFILE, else "default")'),
    new Option('--endpoint <url>', 'service URL (POOLKEEPER_ENDPOINT)'),
    new Option('--project <id>', 'project id; with --user a project name works too (POOLKEEPER_PROJECT_ID)'),
    new Option('--ak <accessKey>', 'access key (POOLKEEPER_AK)'),
    new Option('--sk <secretKey>', 'secret key (POOLKEEPER_SK)'),
    new Option('--security-token <token>', 'security token of temporary credentials (POOLKEEPER_SECURITY_TOKEN)'),
    new Option('--token <token>', 'an IAM token, sent as X-Auth-Token (POOLKEEPER_TOKEN)'),
    new Option('--user <name>', 'log in with this user’s password, read from POOLKEEPER_PASSWORD or the profile (POOLKEEPER_USER)'),
    new Option('--account <name>', `the user’s account for --user (POOLKEEPER_ACCOUNT; default ${OPERATOR_ACCOUNT})`),
    new Option('--credentials <file>', 'a local service’s saved credentials (default: <data dir>/credentials.json)'),
  ];
  for (const option of options) command.addOption(option.helpGroup(group));
  return command;
}

/** Settings from one source, in the order they are consulted. */
interface Layer extends Profile {
  source: string;
  token?: string;
}

export type Auth =
  | { kind: 'signature'; accessKey: string; secretKey: string; securityToken?: string }
  | { kind: 'token'; token: string }
  | { kind: 'password'; user: string; account: string; password: string };

export interface Connection {
  endpoint: string;
  /** A project id (or, before a password login, possibly a name). */
  project: string | undefined;
  auth: Auth;
  /** Where the credentials came from, for messages. */
  source: string;
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '')) as T;
}

/** A local service's saved credentials and the URL it listens on now (service.json wins over the saved one). */
function localLayer(dataDir: string, credentialsFile: string): Layer | undefined {
  const saved = readSavedCredentials(credentialsFile);
  const live = readServiceFile(dataDir);
  if (!saved && !live) return undefined;
  return defined({
    source: `the local service's saved credentials (${credentialsFile})`,
    endpoint: live?.url ?? saved?.endpoint,
    projectId: saved?.projectId,
    accessKey: saved?.accessKey,
    secretKey: saved?.secretKey,
  });
}

/** Every source of settings, most specific first. */
function layersOf(options: ConnectionOptions, env: NodeJS.ProcessEnv): { layers: Layer[]; credentialsFile: string; profile: Layer | undefined } {
  const flags: Layer = defined({
    source: 'the command-line flags',
    endpoint: options.endpoint,
    projectId: options.project,
    accessKey: options.ak,
    secretKey: options.sk,
    securityToken: options.securityToken,
    token: options.token,
    user: options.user,
    account: options.account,
  });
  const environment: Layer = defined({
    source: 'the environment (POOLKEEPER_*)',
    endpoint: env.POOLKEEPER_ENDPOINT,
    projectId: env.POOLKEEPER_PROJECT_ID,
    accessKey: env.POOLKEEPER_AK,
    secretKey: env.POOLKEEPER_SK,
    securityToken: env.POOLKEEPER_SECURITY_TOKEN,
    token: env.POOLKEEPER_TOKEN,
    user: env.POOLKEEPER_USER,
    account: env.POOLKEEPER_ACCOUNT,
    password: env.POOLKEEPER_PASSWORD,
  });
  const file = configFilePath(env);
  const profileName = options.profile ?? env.POOLKEEPER_PROFILE;
  const saved = readConfigFile(file).profiles[profileName ?? 'default'];
  if (profileName !== undefined && saved === undefined) {
    throw usageError(`there is no profile "${profileName}" in ${file}: create it with \`poolkeeper configure --profile ${profileName}\``);
  }
  const profile: Layer | undefined = saved && { ...defined(saved), source: `profile "${profileName ?? 'default'}" in ${file}` };
  const profileLocal = saved?.dataDir ? localLayer(saved.dataDir, join(saved.dataDir, CREDENTIALS_FILE)) : undefined;
  const credentialsFile = options.credentials ?? join(dataDirFrom(env), CREDENTIALS_FILE);
  const local = localLayer(dirname(credentialsFile), credentialsFile);
  return { layers: [flags, environment, profile, profileLocal, local].filter((l): l is Layer => l !== undefined), credentialsFile, profile };
}

/** The service URL: the first source that names one (a local service's live URL before its saved one), else the default. */
export function resolveEndpoint(options: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): string {
  const endpoint = layersOf(options, env).layers.find((l) => l.endpoint)?.endpoint ?? DEFAULT_ENDPOINT;
  try {
    new URL(endpoint);
  } catch {
    throw usageError(`the endpoint "${endpoint}" is not a URL (e.g. ${DEFAULT_ENDPOINT})`);
  }
  return endpoint;
}

/**
 * Resolves where and how to call the service. Credentials come as a whole from the first source that has any
 * (flags, then POOLKEEPER_* variables, then the profile, then a local service's saved credentials); the endpoint
 * and project from the first source that names them.
 */
export function resolveConnection(options: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): Connection {
  const { layers, credentialsFile, profile } = layersOf(options, env);
  const chosen = layers.find((l) => l.token || l.accessKey || l.secretKey || l.user);
  if (!chosen) {
    throw usageError(
      'no credentials: pass --ak/--sk (or set POOLKEEPER_AK/POOLKEEPER_SK), --token, or --user with POOLKEEPER_PASSWORD; ' +
        `save a profile with \`poolkeeper configure\`; or run where a local service keeps ${credentialsFile}`,
    );
  }
  const project = [layers[0], layers[1], chosen, ...layers].find((l) => l?.projectId)?.projectId;
  const auth = authOf(chosen, [layers[0], layers[1], profile]);
  // A security token given on its own (flag or variable) goes with the key it was issued with, wherever that came from.
  const securityToken = layers[0]?.securityToken ?? layers[1]?.securityToken;
  if (auth.kind === 'signature' && auth.securityToken === undefined && securityToken !== undefined) auth.securityToken = securityToken;
  return { endpoint: resolveEndpoint(options, env), project, auth, source: chosen.source };
}

function authOf(chosen: Layer, others: Array<Layer | undefined>): Auth {
  if (chosen.token) return { kind: 'token', token: chosen.token };
  if (chosen.accessKey || chosen.secretKey) {
    if (!chosen.accessKey || !chosen.secretKey) throw usageError(`${chosen.source} give${chosen.source.startsWith('the') ? '' : 's'} ${chosen.accessKey ? 'an access key but no secret key' : 'a secret key but no access key'}`);
    return { kind: 'signature', accessKey: chosen.accessKey, secretKey: chosen.secretKey, ...(chosen.securityToken ? { securityToken: chosen.securityToken } : {}) };
  }
  const password = chosen.password ?? others.find((l) => l?.password)?.password;
  if (!password) throw usageError(`a login as ${chosen.user} needs its password: set POOLKEEPER_PASSWORD (or save it with \`poolkeeper configure --password-stdin\`)`);
  const account = chosen.account ?? others.find((l) => l?.account)?.account ?? OPERATOR_ACCOUNT;
  return { kind: 'password', user: chosen.user!, account, password };
}

/** POST /v3/auth/tokens with the IAM password method: the token and the id of the project it is scoped to. */
async function login(endpoint: string, auth: Extract<Auth, { kind: 'password' }>, project: string): Promise<{ token: string; projectId: string }> {
  const scope = /^[0-9a-f]{32}$/.test(project) ? { id: project } : { name: project };
  const body = { auth: { identity: { methods: ['password'], password: { user: { name: auth.user, password: auth.password, domain: { name: auth.account } } } }, scope: { project: scope } } };
  const response = await send(new URL('/v3/auth/tokens', endpoint), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await response.json().catch(() => ({}))) as { token?: { project?: { id?: string } }; error_code?: string; error_msg?: string };
  const token = response.headers.get('x-subject-token');
  if (response.status !== 201 || !token || !answer.token?.project?.id) {
    throw new ApiCallError(response.status, answer.error_code ?? `HTTP.${response.status}`, answer.error_msg ?? 'the login failed', response.headers.get('x-request-id'));
  }
  return { token, projectId: answer.token.project.id };
}

/** The typed API for the resolved connection; a password login happens here. */
export async function connect(options: ConnectionOptions, needProject = true): Promise<{ api: PoolApi; connection: Connection }> {
  const connection = resolveConnection(options);
  const { auth, endpoint } = connection;
  let project = connection.project;
  let clientAuth: ClientAuth;
  if (auth.kind === 'password') {
    if (!project) throw usageError('a password login needs a project to scope the token to: pass --project (an id or a name) or set POOLKEEPER_PROJECT_ID');
    const session = await login(endpoint, auth, project);
    clientAuth = { token: session.token };
    project = session.projectId;
  } else {
    clientAuth = auth.kind === 'token' ? { token: auth.token } : auth;
  }
  if (needProject && !project) throw usageError(`no project id: pass --project or set POOLKEEPER_PROJECT_ID (credentials from ${connection.source})`);
  return { api: new PoolApi(new PoolkeeperClient(endpoint, clientAuth), project ?? ''), connection: { ...connection, project } };
}
