import { useState } from 'preact/hooks';
import { SignInError, signInWithAccessKey, signInWithPassword, type Session } from '../lib/session.js';
import { canSignInBrowser } from '../lib/signer.js';

type Method = 'password' | 'aksk';

function value(event: Event): string {
  return (event.currentTarget as HTMLInputElement).value;
}

/** The two ways in: a password (a token for this tab) or an access key (requests signed in this page). */
export function SignIn(props: { onSignedIn: (session: Session) => void }) {
  const [method, setMethod] = useState<Method>('password');
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [account, setAccount] = useState('poolkeeper');
  const [project, setProject] = useState('local-1');
  const [accessKey, setAccessKey] = useState('');
  const [secretKey, setSecretKey] = useState('');
  const [projectId, setProjectId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const webCrypto = canSignInBrowser();

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session =
        method === 'password' ? await signInWithPassword({ user, password, account, project }) : await signInWithAccessKey(accessKey, secretKey, projectId);
      // Neither secret stays in the form once it has done its job.
      setPassword('');
      setSecretKey('');
      props.onSignedIn(session);
    } catch (caught) {
      setError(caught instanceof SignInError ? `${caught.code ? caught.code + ': ' : ''}${caught.message}` : String(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card sign-in" aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">Sign in</h2>
      <div class="segmented" role="radiogroup" aria-label="Sign-in method">
        <label>
          <input type="radio" name="method" value="password" checked={method === 'password'} onChange={() => setMethod('password')} />
          User and password
        </label>
        <label>
          <input type="radio" name="method" value="aksk" checked={method === 'aksk'} onChange={() => setMethod('aksk')} />
          Access key (AK/SK)
        </label>
      </div>
      <form onSubmit={submit} autocomplete="off">
        {method === 'password' ? (
          <div class="grid">
            <label>
              User name
              <input name="user" required value={user} onInput={(e) => setUser(value(e))} autocomplete="username" />
            </label>
            <label>
              Password
              <input name="password" type="password" required value={password} onInput={(e) => setPassword(value(e))} autocomplete="current-password" />
            </label>
            <label>
              Account (domain)
              <input name="account" required value={account} onInput={(e) => setAccount(value(e))} />
            </label>
            <label>
              Project (name or id)
              <input name="project" required value={project} onInput={(e) => setProject(value(e))} />
            </label>
            <p class="hint">Calls POST /v3/auth/tokens; the token is kept in this tab’s memory until you sign out or close the tab.</p>
          </div>
        ) : (
          <div class="grid">
            <label>
              Access key (AK)
              <input name="accessKey" required value={accessKey} onInput={(e) => setAccessKey(value(e))} spellcheck={false} />
            </label>
            <label>
              Secret key (SK)
              <input name="secretKey" type="password" required value={secretKey} onInput={(e) => setSecretKey(value(e))} spellcheck={false} />
            </label>
            <label>
              Project id
              <input name="projectId" required value={projectId} onInput={(e) => setProjectId(value(e))} spellcheck={false} pattern="[A-Za-z0-9\-]{1,64}" />
            </label>
            <p class="hint">
              Each request is signed in this page with Web Crypto (SDK-HMAC-SHA256). The secret key never leaves the page and is not stored: it is
              held as a non-extractable key in this tab’s memory.
            </p>
            {!webCrypto && (
              <p class="error-text" role="alert">
                This page is not a secure context (https or localhost), so the browser offers no Web Crypto: sign in with a password, or open the
                explorer over https.
              </p>
            )}
          </div>
        )}
        {error && (
          <p class="error-text" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy || (method === 'aksk' && !webCrypto)}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}
