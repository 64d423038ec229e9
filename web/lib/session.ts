/**
 * Sign-in for poolkeeper's web pages. A session lives in this tab's memory only (never localStorage or
 * sessionStorage): a token from POST /v3/auth/tokens, or an access key whose secret is held as a non-extractable
 * Web Crypto key and used to sign each request in the page (the secret key never goes over the wire).
 */
import { importSigningKey, signBrowserRequest, type BrowserRequest, type SigningKey } from './signer.js';

export type Session =
  | { kind: 'token'; token: string; projectId: string; projectName: string; userName: string; accountName: string; expiresAt: string }
  | { kind: 'aksk'; key: SigningKey; projectId: string; accessKey: string };

export class SignInError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface PasswordSignIn {
  user: string;
  password: string;
  account: string;
  /** A project name, or its 32-hex id. */
  project: string;
}

const PROJECT_ID = /^[0-9a-f]{32}$/;

export async function signInWithPassword(input: PasswordSignIn): Promise<Session> {
  const project = PROJECT_ID.test(input.project) ? { id: input.project } : { name: input.project };
  const body = {
    auth: {
      identity: { methods: ['password'], password: { user: { name: input.user, password: input.password, domain: { name: input.account } } } },
      scope: { project },
    },
  };
  const response = await fetch('/v3/auth/tokens', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    credentials: 'omit',
    cache: 'no-store',
  });
  const answer = (await response.json().catch(() => undefined)) as
    | { token?: { expires_at: string; user: { name: string; domain: { name: string } }; project: { id: string; name: string } }; error_code?: string; error_msg?: string }
    | undefined;
  const token = response.headers.get('X-Subject-Token');
  if (response.status !== 201 || !token || !answer?.token) {
    throw new SignInError(answer?.error_msg ?? `sign-in failed (HTTP ${response.status})`, answer?.error_code);
  }
  const t = answer.token;
  return { kind: 'token', token, projectId: t.project.id, projectName: t.project.name, userName: t.user.name, accountName: t.user.domain.name, expiresAt: t.expires_at };
}

/** Checks the key with a signed ListPools: a refused signature (401) fails the sign-in; a policy refusal (403) does not. */
export async function signInWithAccessKey(accessKey: string, secretKey: string, projectId: string): Promise<Session> {
  const session: Session = { kind: 'aksk', key: await importSigningKey(accessKey.trim(), secretKey), projectId: projectId.trim(), accessKey: accessKey.trim() };
  const url = new URL(`/v2/${encodeURIComponent(session.projectId)}/pools`, location.origin);
  const response = await fetch(url, { headers: await authorize(session, { method: 'GET', url, headers: {} }), credentials: 'omit', cache: 'no-store' });
  if (response.status === 401) {
    const answer = (await response.json().catch(() => undefined)) as { error_code?: string; error_msg?: string } | undefined;
    throw new SignInError(answer?.error_msg ?? 'the access key was refused', answer?.error_code);
  }
  return session;
}

/** The request's headers with the session's credentials added. */
export async function authorize(session: Session, request: BrowserRequest): Promise<Record<string, string>> {
  if (session.kind === 'token') return { ...request.headers, 'X-Auth-Token': session.token };
  return signBrowserRequest({ ...request, headers: { ...request.headers, 'X-Project-Id': session.projectId } }, session.key);
}

/** One line saying who is signed in and how. */
export function describeSession(session: Session): string {
  if (session.kind === 'token') {
    return `${session.userName}@${session.accountName} — token for project ${session.projectName} (${session.projectId}), expires ${session.expiresAt}`;
  }
  return `access key ${session.accessKey} — AK/SK, each request signed in this page (SDK-HMAC-SHA256); project ${session.projectId}`;
}
