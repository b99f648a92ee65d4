import { useEffect, useState } from 'preact/hooks';
import { api, listAll, type SessionView, type UserView } from '../api.ts';
import { sessionLabel } from '../format.ts';
import { useConfirm } from '../parts/confirm.tsx';
import { SessionList } from '../parts/session-list.tsx';
import { href } from '../router.ts';

interface Filters {
  readonly user: string;
  readonly org: string;
  readonly audience: string;
}

/** Everyone's live sessions, filtered by user, organization and audience; end one, or everyone's. */
export function Sessions(props: { readonly onSignedOut: () => void }) {
  const [users, setUsers] = useState<readonly UserView[]>([]);
  const [filters, setFilters] = useState<Filters>({ user: '', org: '', audience: '' });
  const [sessions, setSessions] = useState<readonly SessionView[] | null>(null);
  const [error, setError] = useState('');
  const [message, setMessage] = useState('');
  const [dialog, ask] = useConfirm();

  const names = new Map(users.map((u) => [u.id, u.username]));
  const load = async (f: Filters) => {
    const query = new URLSearchParams();
    const user = f.user.trim();
    if (user !== '') query.set('subject', users.find((u) => u.username === user)?.id ?? user);
    if (f.org.trim() !== '') query.set('org', f.org.trim());
    if (f.audience.trim() !== '') query.set('audience', f.audience.trim());
    const answer = await listAll<SessionView>(`/api/v1/sessions?${query.toString()}`, 'sessions');
    if (answer.ok) {
      setSessions(answer.data);
      setError('');
    } else setError(answer.error?.message ?? 'could not load sessions');
  };
  useEffect(() => {
    void listAll<UserView>('/api/v1/users', 'users').then((answer) => answer.ok && setUsers(answer.data));
    void load(filters);
  }, []);

  const onFilter = (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const next = { user: String(data.get('user') ?? ''), org: String(data.get('org') ?? ''), audience: String(data.get('audience') ?? '') };
    setFilters(next);
    void load(next);
  };
  const endOne = async (session: SessionView) => {
    const who = names.get(session.subject) ?? session.subject;
    if (!(await ask(`End ${who}'s session on ${sessionLabel(session)}?`, 'End session'))) return;
    const answer = await api('DELETE', `/api/v1/sessions/${encodeURIComponent(session.id)}`);
    setMessage(answer.ok ? `Ended ${who}'s session on ${sessionLabel(session)}.` : (answer.error?.message ?? 'could not end it'));
    if (answer.status === 401) props.onSignedOut();
    else await load(filters);
  };
  const endEveryone = async () => {
    if (!(await ask('Sign out everyone, in every organization? Every session ends now, yours too.', 'Sign out everyone'))) return;
    const answer = await api('DELETE', '/api/v1/sessions?all=true');
    if (answer.ok) props.onSignedOut();
    else setMessage(answer.error?.message ?? 'could not sign everyone out');
  };

  return (
    <main id="main">
      <h1 tabIndex={-1}>Sessions</h1>
      {dialog}
      <section class="card">
        <form class="filters" onSubmit={onFilter} aria-label="Filter sessions">
          <span>
            <label for="filter-user">User (name or id)</label>
            <input id="filter-user" name="user" list="filter-user-names" defaultValue={filters.user} />
            <datalist id="filter-user-names">
              {users.map((u) => (
                <option key={u.id} value={u.username} />
              ))}
            </datalist>
          </span>
          <span>
            <label for="filter-org">Organization</label>
            <input id="filter-org" name="org" defaultValue={filters.org} />
          </span>
          <span>
            <label for="filter-audience">Audience</label>
            <input id="filter-audience" name="audience" defaultValue={filters.audience} />
          </span>
          <button type="submit">Filter</button>
        </form>
        <p role="status" class="status">
          {message || (sessions === null ? 'Loading…' : `${sessions.length} active session${sessions.length === 1 ? '' : 's'}`)}
        </p>
        {error !== '' && <p class="form-error" role="alert">{error}</p>}
        {sessions !== null && (
          <SessionList sessions={sessions} caption="Active sessions" users={names} detailHref={(s) => href('sessions', s.id)} onEnd={(s) => void endOne(s)} />
        )}
      </section>
      <section class="card danger-zone">
        <h2>Everyone</h2>
        <button type="button" class="danger" onClick={() => void endEveryone()}>
          Sign out everyone
        </button>
      </section>
    </main>
  );
}
