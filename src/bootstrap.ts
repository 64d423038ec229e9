import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.js';
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
  credentialsFile: string;
  credentials: SavedCredentials | undefined;
  demoPool?: string;
}

export const CREDENTIALS_FILE = 'credentials.json';

export function credentialsPath(dataDir: string): string {
  return join(dataDir, CREDENTIALS_FILE);
}

export function readSavedCredentials(file: string): SavedCredentials | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as SavedCredentials;
}

function checkBootstrapValue(name: string, value: string, pattern: RegExp): string {
  if (!pattern.test(value)) throw new Error(`${name} has an invalid format`);
  return value;
}

/**
 * On an empty store: one account, project, admin user (with the all-pool-actions policy) and AK/SK pair, saved to an
 * owner-only credentials file, plus a demo pool. Later starts find the account and change nothing.
 */
export async function bootstrap(
  store: Store,
  secrets: SecretBox,
  pools: PoolService,
  config: Config,
  clock: Clock,
  endpoint: string,
): Promise<BootstrapResult> {
  const credentialsFile = credentialsPath(config.dataDir);
  if (await store.hasAnyAccount()) {
    return { created: false, credentialsFile, credentials: readSavedCredentials(credentialsFile) };
  }
  const generated = newAccessKeyPair();
  const projectId = config.bootstrap.projectId
    ? checkBootstrapValue('POOLKEEPER_BOOTSTRAP_PROJECT_ID (32 lowercase hex characters)', config.bootstrap.projectId, /^[0-9a-f]{32}$/)
    : newHexId();
  const accessKey = config.bootstrap.accessKey ? checkBootstrapValue('POOLKEEPER_BOOTSTRAP_AK', config.bootstrap.accessKey, /^[A-Za-z0-9]{1,128}$/) : generated.accessKey;
  const secretKey = config.bootstrap.secretKey ? checkBootstrapValue('POOLKEEPER_BOOTSTRAP_SK', config.bootstrap.secretKey, /^[\x21-\x7e]{1,128}$/) : generated.secretKey;
  const accountId = newHexId();
  const won = await store.createBootstrapIdentity({
    accountId,
    accountName: 'poolkeeper',
    projectId,
    projectName: config.region,
    userId: newHexId(),
    userName: 'admin',
    accessKey,
    sealedSecretKey: secrets.seal(secretKey),
    policyName: 'ModelArtsResourceManagementAllPolicy',
    policyDocument: ALL_POOL_ACTIONS_POLICY,
    createdAt: clock.now(),
  });
  if (!won) return { created: false, credentialsFile, credentials: readSavedCredentials(credentialsFile) };
  const credentials: SavedCredentials = { endpoint, region: config.region, projectId, accessKey, secretKey };
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(credentialsFile, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(credentialsFile, 0o600);
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
      { accountId, display: 'admin@poolkeeper' },
    );
    demoPool = pool.metadata.name;
  }
  return { created: true, credentialsFile, credentials, ...(demoPool ? { demoPool } : {}) };
}
