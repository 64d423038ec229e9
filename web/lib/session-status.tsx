import { describeSession, type Session } from './session.js';

/** The header's word on who is signed in and how, with the sign-out button; the same on every page. */
export function SessionStatus({ session, onSignOut }: { session: Session | null; onSignOut: () => void }) {
  if (!session) {
    return (
      <span class="session-text" data-testid="session">
        Not signed in
      </span>
    );
  }
  return (
    <>
      <span class={`badge ${session.kind === 'token' ? 'badge-token' : 'badge-aksk'}`}>{session.kind === 'token' ? 'Token' : 'AK/SK'}</span>
      <span class="session-text" data-testid="session">
        Signed in: {describeSession(session)}
      </span>
      <button type="button" onClick={onSignOut}>
        Sign out
      </button>
    </>
  );
}
