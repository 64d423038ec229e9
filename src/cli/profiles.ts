import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import envPaths from 'env-paths';
import { usageError } from './exit-codes.js';

/** One named set of connection settings in the CLI's config file. */
export interface Profile {
  endpoint?: string;
  projectId?: string;
  accessKey?: string;
  secretKey?: string;
  securityToken?: string;
  /** Password login: the user, its account (IAM domain) and password. */
  user?: string;
  account?: string;
  password?: string;
  /** A local service's data folder: its saved credentials and the URL it listens on now are read from there. */
  dataDir?: string;
}

export interface ConfigFile {
  profiles: Record<string, Profile>;
}

export const SECRET_FIELDS: ReadonlySet<string> = new Set(['secretKey', 'securityToken', 'password']);

/** $POOLKEEPER_CONFIG, else `config.json` in the user's config folder (e.g. ~/.config/poolkeeper on Linux). */
export function configFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.POOLKEEPER_CONFIG || join(envPaths('poolkeeper', { suffix: '' }).config, 'config.json');
}

export function readConfigFile(file: string): ConfigFile {
  if (!existsSync(file)) return { profiles: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw usageError(`the config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const profiles = (parsed as Partial<ConfigFile> | null)?.profiles;
  if (profiles === null || typeof profiles !== 'object' || Array.isArray(profiles)) throw usageError(`the config file ${file} has no "profiles" object`);
  return { profiles: profiles as Record<string, Profile> };
}

/** Writes the file owner-only (0600, folder 0700), replacing it atomically: it holds secrets. */
export function writeConfigFile(file: string, config: ConfigFile): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

/** A secret as it may be shown: never its value. */
export function masked(value: string | undefined): string {
  return value === undefined || value === '' ? '(not set)' : '******';
}
