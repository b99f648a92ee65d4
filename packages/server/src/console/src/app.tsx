import { useEffect, useState } from 'preact/hooks';
import { api, type Whoami } from './api.ts';
import { go, href, useRoute } from './router.ts';
import { Account } from './views/account.tsx';
import { EnvironmentPolicy } from './views/environment.tsx';
import { OrganizationSessions } from './views/organization.tsx';
import { Organizations } from './views/organizations.tsx';
import { SessionDetail } from './views/session-detail.tsx';
import { Sessions } from './views/sessions.tsx';
import { SignIn } from './views/sign-in.tsx';
import { UserDetail } from './views/user-detail.tsx';
import { Users } from './views/users.tsx';

const ADMIN_VIEWS: readonly (readonly [string, string])[] = [
  ['organizations', 'Organizations'],
  ['environment', 'Environment policy'],
  ['users', 'Users'],
  ['sessions', 'Sessions'],
];

/** The console: sign-in, the user's own account, and for administrators the admin views. */
export function App() {
  const [me, setMe] = useState<Whoami | null | undefined>(undefined);
  const route = useRoute();
  const refresh = async () => {
    const answer = await api<Whoami>('GET', '/auth/session');
    setMe(answer.ok ? answer.data : null);
  };
  useEffect(() => void refresh(), []);
  // A view change moves focus to the new view's heading, so keyboard and screen-reader users land on it.
  useEffect(() => {
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [route.join('/')]);

  if (me === undefined) return <p class="loading">Loading…</p>;
  if (me === null) return <SignIn onSignedIn={() => void refresh()} />;

  const admin = me.user?.roles.includes('admin') === true;
  const signOut = async () => {
    await api('POST', '/auth/logout');
    go();
    await refresh();
  };
  const section = route[0] ?? '';
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => {
        e.preventDefault();
        document.querySelector<HTMLElement>('main h1')?.focus();
      }}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Tenure</span>
        <nav aria-label="Console">
          <a href={href()} aria-current={section === '' ? 'page' : undefined}>
            Your account
          </a>
          {admin &&
            ADMIN_VIEWS.map(([path, name]) => (
              <a key={path} href={href(path)} aria-current={section === path ? 'page' : undefined}>
                {name}
              </a>
            ))}
        </nav>
        <span class="who">
          Signed in as <strong>{me.user?.username ?? me.session.subject}</strong>
        </span>
        <button type="button" class="signout" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      {view(admin, route, me, () => void refresh())}
    </>
  );
}

function view(admin: boolean, route: readonly string[], me: Whoami, refresh: () => void) {
  const [section, id] = route;
  if (!admin || section === undefined) return <Account me={me} onSignedOut={refresh} />;
  switch (section) {
    case 'organizations':
      return id === undefined ? <Organizations /> : <OrganizationSessions code={id} />;
    case 'environment':
      return <EnvironmentPolicy />;
    case 'users':
      return id === undefined ? <Users /> : <UserDetail id={id} />;
    case 'sessions':
      return id === undefined ? <Sessions onSignedOut={refresh} /> : <SessionDetail id={id} />;
    default:
      return <Account me={me} onSignedOut={refresh} />;
  }
}
