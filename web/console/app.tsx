import { useEffect, useState } from 'preact/hooks';
import type { Session } from '../lib/session.js';
import { SessionStatus } from '../lib/session-status.js';
import { SignIn } from '../lib/sign-in.js';
import { NodesPage } from './nodes.js';
import { PoolsPage } from './pools.js';

/** `#/pools` (the default) or `#/pools/<pool id>`. */
function readRoute(): { pool: string | null } {
  const match = /^#\/pools\/([^/]+)$/.exec(location.hash);
  return { pool: match ? decodeURIComponent(match[1]!) : null };
}

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [route, setRoute] = useState(readRoute);

  useEffect(() => {
    const follow = () => setRoute(readRoute());
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);

  return (
    <div class="page">
      <header class="topbar">
        <div class="brand">
          <span class="logo" aria-hidden="true">
            ◆
          </span>
          <span>
            poolkeeper <strong>Console</strong>
          </span>
        </div>
        <nav class="doc-links" aria-label="Sections">
          <a href="#/pools" aria-current={route.pool === null ? 'page' : undefined}>
            Pools
          </a>
        </nav>
        <div class="session" aria-live="polite">
          <SessionStatus session={session} onSignOut={() => setSession(null)} />
        </div>
        <nav class="doc-links" aria-label="Documents">
          <a href="/explorer">API Explorer</a>
        </nav>
      </header>
      <main class="console-content">
        {!session ? (
          <SignIn onSignedIn={setSession} />
        ) : route.pool === null ? (
          <PoolsPage session={session} />
        ) : (
          <NodesPage key={route.pool} session={session} pool={route.pool} />
        )}
      </main>
    </div>
  );
}
