// The web UI: a login gate, then the pages, chosen by the URL's #fragment (#/modem/1-1).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { get, post, setCsrfToken, whenLoggedOut } from './api.js';
import { ErrorText } from './components.jsx';
import { useResource } from './hooks.js';
import { Alignment } from './pages/alignment.jsx';
import { Console } from './pages/console.jsx';
import { Debug } from './pages/debug.jsx';
import { Failover } from './pages/failover.jsx';
import { Login, Setup } from './pages/login.jsx';
import { Modem } from './pages/modem.jsx';
import { Overview } from './pages/overview.jsx';
import { Profiles } from './pages/profiles.jsx';
import { Radio } from './pages/radio.jsx';
import { Settings } from './pages/settings.jsx';

const pages = [
  { path: 'overview', title: 'Overview', view: Overview },
  { path: 'failover', title: 'Failover', view: Failover },
  { path: 'modem', title: 'Modem', view: Modem, perModem: true },
  { path: 'align', title: 'Antenna', view: Alignment, perModem: true },
  { path: 'profiles', title: 'Profiles', view: Profiles },
  { path: 'radio', title: 'Radio', view: Radio, perModem: true },
  { path: 'debug', title: 'Debug', view: Debug, perModem: true },
  { path: 'console', title: 'AT console', view: Console, perModem: true },
  { path: 'settings', title: 'Settings', view: Settings },
];

function currentRoute() {
  const [page, ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  return { page: page || 'overview', argument: rest.join('/') ? decodeURIComponent(rest.join('/')) : '' };
}

function useRoute() {
  const [route, setRoute] = useState(currentRoute());
  useEffect(() => {
    const changed = () => setRoute(currentRoute());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

function Shell({ onLogout }) {
  const route = useRoute();
  const modems = useResource('/modems', (event) => ['added', 'removed', 'state-changed'].includes(event.kind));
  const page = pages.find((candidate) => candidate.path === route.page);
  const firstModem = modems.data?.[0]?.id;
  const modemId = route.argument || firstModem;
  const [menuOpen, setMenuOpen] = useState(false);

  useEffect(() => {
    setMenuOpen(false);
    const heading = document.querySelector('main h1');
    if (heading) heading.focus();
  }, [route.page, route.argument]);

  let content;
  if (!page) content = <p class="error">There is no page “{route.page}”.</p>;
  else if (page.perModem && !modemId)
    content = modems.error ? <ErrorText error={modems.error} /> : <p class="muted">No modem is connected.</p>;
  else {
    const View = page.view;
    content = <View modemId={modemId} modems={modems.data} argument={route.argument} />;
  }

  return (
    <div class="shell">
      <header>
        <a class="brand" href="#/overview">
          uplink
        </a>
        <button
          type="button"
          class="menu-button"
          aria-expanded={menuOpen}
          aria-controls="menu"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <nav id="menu" class={menuOpen ? 'open' : ''} aria-label="pages">
          {pages.map((candidate) => (
            <a
              key={candidate.path}
              href={`#/${candidate.path}${candidate.perModem && modemId ? `/${modemId}` : ''}`}
              aria-current={candidate === page ? 'page' : undefined}
            >
              {candidate.title}
            </a>
          ))}
          <button type="button" class="link" onClick={onLogout}>
            Log out
          </button>
        </nav>
      </header>
      <main>{content}</main>
    </div>
  );
}

function App() {
  const [session, setSession] = useState(null);
  const [error, setError] = useState(null);

  async function refresh() {
    try {
      const state = await get('/session');
      setCsrfToken(state.csrf_token);
      setSession(state);
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  }
  useEffect(() => {
    whenLoggedOut(() => setSession((old) => ({ ...old, logged_in: false, expired: true })));
    refresh();
  }, []);

  async function logout() {
    try {
      await post('/logout');
    } finally {
      setCsrfToken(null);
      location.hash = '';
      refresh();
    }
  }

  if (error) return <ErrorText error={error} />;
  if (!session) return <p class="muted">Loading…</p>;
  if (!session.password_set) return <Setup onDone={refresh} />;
  if (!session.logged_in) return <Login onDone={refresh} expired={session.expired} />;
  return <Shell onLogout={logout} />;
}

render(<App />, document.getElementById('app'));
