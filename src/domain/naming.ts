import { randomBytes, randomInt } from 'node:crypto';

export const DEFAULT_NODE_PREFIX = 'os-node-created';

const NODE_SUFFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `<prefix>-<5 lowercase alphanumerics>`, unique among `taken` (which it extends). */
export function newNodeName(prefix: string, taken: Set<string>): string {
  for (;;) {
    let suffix = '';
    for (let i = 0; i < 5; i++) suffix += NODE_SUFFIX_ALPHABET[randomInt(NODE_SUFFIX_ALPHABET.length)];
    const name = `${prefix}-${suffix}`;
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
}

/** Pool ids are `<display name>-<project_id>`, as ModelArts builds them. */
export function poolName(displayName: string, projectId: string): string {
  return `${displayName}-${projectId}`;
}

/** 32 lowercase hex characters, the shape of Huawei Cloud project, domain and user ids. */
export function newHexId(): string {
  return randomBytes(16).toString('hex');
}

const AK_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const SK_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomString(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** Access keys look like Huawei's: 20 uppercase alphanumerics; secret keys 40 alphanumerics. */
export function newAccessKeyPair(): { accessKey: string; secretKey: string } {
  return { accessKey: randomString(AK_ALPHABET, 20), secretKey: randomString(SK_ALPHABET, 40) };
}
