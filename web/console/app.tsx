import { useEffect, useState } from 'preact/hooks';
import type { Session } from '../lib/session.js';
import { SessionStatus } from '../lib/session-status.js';
import { SignIn } from '../lib/sign-in.js';
import { NodesPage } from './nodes.js';
import { OperationPage } from './operation.js';
import { readOperationsRoute } from './operation-model.js';
import { OperationsPage } from './operations.js';
import { PoolsPage } from './pools.js';

type Route = { page: 'pools' } | { page: 'nodes'; pool: string } | { page: 'operations'; pool: string; kind: string } | { page: 'operation'; id: string };

/** `#/pools` (the default), `#/pools/<pool id>`, `#/operations?pool=&kind=`, `#/operations/<id>`. */
function readRoute(): Route {
  const pool = /^#\/pools\/([^/]+)$/.exec(location.hash);
  if (pool) return { page: 'nodes', pool: decodeURIComponent(pool[1]!) };
  const operations = readOperationsRoute(location.hash);
  if (operations === null) return { page: 'pools' };
  return 'id' in operations ? { page: 'operation', id: operations.id } : { page: 'operations', ...operations };
}

function Page(props: { session: Session; route: Route }) {
  const { session, route } = props;
  switch (route.page) {
    case 'pools':
      return <PoolsPage session={session} />;
    case 'nodes':
      return <NodesPage key={route.pool} session={session} pool={route.pool} />;
    case 'operations':
      return <OperationsPage key={`${route.pool}/${route.kind}`} session={session} pool={route.pool} kind={route.kind} />;
    case 'operation':
      return <OperationPage key={route.id} session={session} id={route.id} />;
  }
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
          <a href="#/pools" aria-current={route.page === 'pools' ? 'page' : route.page === 'nodes' ? 'location' : undefined}>
            Pools
          </a>
          <a href="#/operations" aria-current={route.page === 'operations' ? 'page' : route.page === 'operation' ? 'location' : undefined}>
            Operations
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
        {session ? <Page session={session} route={route} /> : <SignIn onSignedIn={setSession} />}
      </main>
    </div>
  );
}
