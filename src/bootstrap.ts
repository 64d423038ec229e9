import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError, type Config } from './config.js';
import { maskPasswords } from './security/redact.js';
import { newAccessKeyPair, newHexId } from './domain/naming.js';
import { ALL_POOL_ACTIONS_POLICY } from './domain/policy.js';
import type { Clock } from './domain/time.js';
import type { SecretBox } from './security/secrets.js';
import type { PoolService } from './service/pools.js';
import type { Store } from './store/store.js';

export interface SavedCredentials {
  endpoint: string;
  region: string;
  projectId: string;
  accessKey: string;
  secretKey: string;
}

export interface BootstrapResult {
  /** True when this start created the identity (an empty store). */
  created: boolean;
  /** Where the credentials are saved; undefined for an ephemeral service, which writes no file. */
  credentialsFile: string | undefined;
  credentials: SavedCredentials | undefined;
  demoPool?: string;
}

export const CREDENTIALS_FILE = 'credentials.json';

/** The account the first start creates (its administrators may create accounts) and its administrator. */
export const OPERATOR_ACCOUNT = 'poolkeeper';
export const OPERATOR_ADMIN = 'admin';

function credentialsPath(dataDir: string): string {
  return join(dataDir, CREDENTIALS_FILE);
}

export function readSavedCredentials(file: string): SavedCredentials | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as SavedCredentials;
}

/**
 * What must hold before a start changes anything. An existing credentials file next to an empty store belongs to
 * another store (a deleted database file, another POOLKEEPER_DATABASE_URL): its SK would be lost if it were
 * overwritten, so the start is refused, naming the file. A seed loads into an empty store only.
 */
export async function checkBeforeStart(store: Store, config: Config): Promise<void> {
  if (await store.hasAnyAccount()) {
    if (config.seedFile) {
      throw new ConfigError(
        `the store (${maskPasswords(config.databaseUrl)}) already holds data, and a seed loads into an empty store only: ` +
          'use a fresh database, or --ephemeral, or keep the service running and call `poolkeeper reset`',
      );
    }
    return;
  }
  const file = credentialsPath(config.dataDir);
  if (config.ephemeral || !existsSync(file)) return;
  throw new ConfigError(
    `${file} already exists, but the store is empty: it holds the credentials of another store and poolkeeper never ` +
      'overwrites it. Move it away (or set POOLKEEPER_DATA_DIR to another folder) and start again.',
  );
}

function checkBootstrapValue(name: string, value: string, pattern: RegExp): string {
  if (!pattern.test(value)) throw new Error(`${name} has an invalid format`);
  return value;
}

/**
 * On an empty store: one account, project, admin user (with the all-pool-actions policy) and AK/SK pair, plus a demo
 * pool (saveCredentials then writes them to an owner-only file). Later starts find the account and change nothing.
 */
export async function bootstrap(
  store: Store,
  secrets: SecretBox,
  pools: PoolService,
  config: Config,
  clock: Clock,
): Promise<BootstrapResult> {
  const credentialsFile = config.ephemeral ? undefined : credentialsPath(config.dataDir);
  const saved = () => (credentialsFile ? readSavedCredentials(credentialsFile) : undefined);
  if (await store.hasAnyAccount()) return { created: false, credentialsFile, credentials: saved() };
  const generated = newAccessKeyPair();
  const projectId = config.bootstrap.projectId
    ? checkBootstrapValue('POOLKEEPER_BOOTSTRAP_PROJECT_ID (32 lowercase hex characters)', config.bootstrap.projectId, /^[0-9a-f]{32}$/)
    : newHexId();
  const accessKey = config.bootstrap.accessKey ? checkBootstrapValue('POOLKEEPER_BOOTSTRAP_AK', config.bootstrap.accessKey, /^[A-Za-z0-9]{1,128}$/) : generated.accessKey;
  const secretKey = config.bootstrap.secretKey ? checkBootstrapValue('POOLKEEPER_BOOTSTRAP_SK', config.bootstrap.secretKey, /^[\x21-\x7e]{1,128}$/) : generated.secretKey;
  const accountId = newHexId();
  const won = await store.createBootstrapIdentity({
    accountId,
    accountName: OPERATOR_ACCOUNT,
    projectId,
    projectName: config.region,
    userId: newHexId(),
    userName: OPERATOR_ADMIN,
    accessKey,
    sealedSecretKey: secrets.seal(secretKey),
    policyName: 'ModelArtsResourceManagementAllPolicy',
    policyDocument: ALL_POOL_ACTIONS_POLICY,
    createdAt: clock.now(),
  });
  if (!won) return { created: false, credentialsFile, credentials: saved() };
  // The endpoint is known once the service listens (saveCredentials fills it in).
  const credentials: SavedCredentials = { endpoint: '', region: config.region, projectId, accessKey, secretKey };
  let demoPool: string | undefined;
  if (config.bootstrap.seedDemo) {
    const pool = await pools.create(
      projectId,
      {
        apiVersion: 'v2',
        kind: 'Pool',
        metadata: { labels: { 'os.modelarts/name': 'demo' }, annotations: { 'os.modelarts/description': 'Demo pool created on first start' } },
        spec: { type: 'Dedicate', scope: ['Train', 'Infer'], network: { name: `network-demo-${projectId}` }, resources: [{ flavor: 'modelarts.vm.gpu.t4u8', count: 8 }] },
      },
      { accountId, display: `${OPERATOR_ADMIN}@${OPERATOR_ACCOUNT}` },
    );
    demoPool = pool.metadata.name;
  }
  return { created: true, credentialsFile, credentials, ...(demoPool ? { demoPool } : {}) };
}

/**
 * Once the service listens: the credentials an empty store's first start created, with the endpoint, written to an
 * owner-only file (never over an existing one). Nothing to do on later starts and for an ephemeral service.
 */
export function saveCredentials(result: BootstrapResult, endpoint: string): BootstrapResult {
  if (!result.created || !result.credentials) return result;
  const credentials = { ...result.credentials, endpoint };
  if (result.credentialsFile) {
    mkdirSync(dirname(result.credentialsFile), { recursive: true, mode: 0o700 });
    writeFileSync(result.credentialsFile, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(result.credentialsFile, 0o600);
  }
  return { ...result, credentials };
}
