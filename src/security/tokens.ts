import { randomBytes, randomUUID } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { SecretBox } from './secrets.js';

const TOKEN_LIFETIME_MILLIS = 24 * 60 * 60 * 1000;
const ISSUER = 'poolkeeper';

export interface TokenClaims {
  userId: string;
  accountId: string;
  projectId: string;
  expiresAt: number;
}

/**
 * Where the token-signing key is kept, shared by every replica: the first caller's candidate is stored, and every call
 * answers the stored key. The key's secret is sealed with the master key.
 */
export interface SigningKeySource {
  ensureSigningKey(candidate: { id: string; sealedSecret: string; createdAt: number }): Promise<{ sealedSecret: string }>;
}

export class TokenError extends Error {
  constructor(readonly kind: 'expired' | 'invalid') {
    super(kind === 'expired' ? 'token expired' : 'token invalid');
  }
}

/**
 * IAM-style project-scoped tokens as HS256 JWTs, signed with a key kept (sealed) in the database so every replica
 * issues and verifies the same tokens. Each request still re-reads the user's rights; the token only says who.
 */
export class TokenService {
  private key: Promise<Uint8Array> | undefined;

  constructor(
    private readonly keys: SigningKeySource,
    private readonly secrets: SecretBox,
  ) {}

  private signingKey(now: number): Promise<Uint8Array> {
    this.key ??= this.keys
      .ensureSigningKey({ id: 'tokens', sealedSecret: this.secrets.seal(randomBytes(32).toString('base64')), createdAt: now })
      .then((stored) => new Uint8Array(Buffer.from(this.secrets.open(stored.sealedSecret), 'base64')))
      .catch((error: unknown) => {
        this.key = undefined;
        throw error;
      });
    return this.key;
  }

  async issue(claims: Omit<TokenClaims, 'expiresAt'>, now: number): Promise<{ token: string; expiresAt: number }> {
    const expiresAt = now + TOKEN_LIFETIME_MILLIS;
    const token = await new SignJWT({ acc: claims.accountId, prj: claims.projectId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setSubject(claims.userId)
      .setJti(randomUUID())
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .sign(await this.signingKey(now));
    return { token, expiresAt };
  }

  async verify(token: string, now: number): Promise<TokenClaims> {
    try {
      const { payload } = await jwtVerify(token, await this.signingKey(now), {
        issuer: ISSUER,
        algorithms: ['HS256'],
        currentDate: new Date(now),
      });
      if (typeof payload.sub !== 'string' || typeof payload.acc !== 'string' || typeof payload.prj !== 'string' || typeof payload.exp !== 'number') {
        throw new TokenError('invalid');
      }
      return { userId: payload.sub, accountId: payload.acc, projectId: payload.prj, expiresAt: payload.exp * 1000 };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new TokenError('expired');
      if (error instanceof TokenError) throw error;
      throw new TokenError('invalid');
    }
  }
}
