import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const VERSION = 'v1';
const KEY_BYTES = 32;

/**
 * Encrypts secrets at rest (secret keys, token-signing keys) with AES-256-GCM under a master key that never enters
 * the database, so a copy of the database alone does not reveal them.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromKey(key: Buffer): SecretBox {
    if (key.length !== KEY_BYTES) throw new Error(`the master key must be ${KEY_BYTES} bytes`);
    return new SecretBox(key);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || iv === undefined || tag === undefined || body === undefined) throw new Error('not a sealed secret');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('a sealed secret could not be opened: this process has a different master key (POOLKEEPER_MASTER_KEY) than the one that stored it');
    }
  }
}

const MASTER_KEY_FILE = 'master.key';

/** The master key does not fit the store: starting (or sealing anything) would make the store's secrets unusable. */
export class MasterKeyError extends Error {}

interface MasterKey {
  key: Buffer;
  /** Where it came from, for messages: `POOLKEEPER_MASTER_KEY`, the key file's path, or `memory`. */
  source: string;
}

/** POOLKEEPER_MASTER_KEY when given, else `<dataDir>/master.key` when it exists; never creates anything. */
function findMasterKey(configured: string | undefined, dataDir: string | undefined): MasterKey | undefined {
  if (configured) {
    const key = /^[0-9a-fA-F]{64}$/.test(configured) ? Buffer.from(configured, 'hex') : Buffer.from(configured, 'base64');
    if (key.length !== KEY_BYTES) throw new MasterKeyError('POOLKEEPER_MASTER_KEY must be 32 bytes, as 64 hex characters or base64');
    return { key, source: 'POOLKEEPER_MASTER_KEY' };
  }
  if (dataDir === undefined) return undefined;
  const file = join(dataDir, MASTER_KEY_FILE);
  if (!existsSync(file)) return undefined;
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== KEY_BYTES) throw new MasterKeyError(`${file} does not hold a 32-byte base64 key`);
  return { key, source: file };
}

function createMasterKeyFile(dataDir: string): MasterKey {
  const file = join(dataDir, MASTER_KEY_FILE);
  const key = randomBytes(KEY_BYTES);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { key, source: file };
}

export interface MasterKeyOptions {
  /** POOLKEEPER_MASTER_KEY. */
  configured: string | undefined;
  /** Where the key file is looked for (and created for a store without secrets). */
  dataDir: string;
  /** No key file is read or written: the key is POOLKEEPER_MASTER_KEY or a new one kept in memory. */
  ephemeral?: boolean;
}

/**
 * The master key for a store: POOLKEEPER_MASTER_KEY (base64 or hex of 32 bytes), else `<dataDir>/master.key`. A new
 * key is generated (owner-only file, or in memory when ephemeral) only for a store that holds no sealed secret yet.
 * A store that does must be opened with the key that sealed them: a missing key or another key is refused with a
 * MasterKeyError that says which key to use, before anything is sealed with the wrong one. `sealedSample` is any
 * secret the store holds (undefined when it holds none). Replicas sharing a PostgreSQL database must share the key.
 */
export function openMasterKey(options: MasterKeyOptions, sealedSample: string | undefined): { box: SecretBox; source: string } {
  let found = findMasterKey(options.configured, options.ephemeral ? undefined : options.dataDir);
  if (!found) {
    if (sealedSample !== undefined) {
      throw new MasterKeyError(
        `the store holds secrets sealed with a master key, but no key was found: set POOLKEEPER_MASTER_KEY, or put the ` +
          `service's key file at ${join(options.dataDir, MASTER_KEY_FILE)} (POOLKEEPER_DATA_DIR names its folder). Nothing was changed.`,
      );
    }
    found = options.ephemeral ? { key: randomBytes(KEY_BYTES), source: 'memory' } : createMasterKeyFile(options.dataDir);
  }
  const box = SecretBox.fromKey(found.key);
  if (sealedSample !== undefined) {
    try {
      box.open(sealedSample);
    } catch {
      throw new MasterKeyError(
        `the master key from ${found.source} does not open the secrets already in the store: they were sealed with ` +
          `another key. Use the key the service uses (POOLKEEPER_MASTER_KEY, or the ${MASTER_KEY_FILE} file in its data ` +
          `folder, POOLKEEPER_DATA_DIR). Nothing was changed.`,
      );
    }
  }
  return { box, source: found.source };
}
