import { useEffect, useState } from 'preact/hooks';
import { api, listAll, type SessionView, type UserView } from '../api.ts';
import { sessionLabel } from '../format.ts';
import { useConfirm } from '../parts/confirm.tsx';
import { SessionList } from '../parts/session-list.tsx';
import { href } from '../router.ts';

/** One user: enable or disable, roles, set a password, and the user's sessions. */
export function UserDetail(props: { readonly id: string }) {
  const [user, setUser] = useState<UserView | null>(null);
  const [sessions, setSessions] = useState<readonly SessionView[]>([]);
  const [error, setError] = useState('');
  const [message, setMessage] = useState('');
  const [dialog, ask] = useConfirm();
  const path = `/api/v1/users/${encodeURIComponent(props.id)}`;

  const load = async () => {
    const [u, s] = await Promise.all([api<UserView>('GET', path), listAll<SessionView>(`${path}/sessions`, 'sessions')]);
    if (!u.ok) setError(u.error?.message ?? 'could not load the user');
    else setUser(u.data);
    if (s.ok) setSessions(s.data);
  };
  useEffect(() => void load(), [props.id]);

  const patch = async (body: Record<string, unknown>, done: string) => {
    const answer = await api<UserView>('PATCH', path, body);
    if (answer.ok) {
      setUser(answer.data);
      setMessage(done);
      setError('');
    } else {
      setError(answer.error?.message ?? 'not changed');
    }
    await load();
    return answer.ok;
  };
  const toggleDisabled = async () => {
    if (user === null) return;
    if (!user.disabled && !(await ask(`Disable ${user.username}? All of their sessions end now.`, 'Disable user'))) return;
    await patch({ disabled: !user.disabled }, user.disabled ? `${user.username} can sign in again.` : `${user.username} is disabled; their sessions ended.`);
  };
  const saveRoles = async (event: Event) => {
    event.preventDefault();
    const admin = new FormData(event.currentTarget as HTMLFormElement).get('admin') === 'on';
    await patch({ roles: admin ? ['admin'] : [] }, 'Roles saved.');
  };
  const setPassword = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    if (await patch({ password: new FormData(form).get('password') }, 'Password set.')) form.reset();
  };
  const endOne = async (session: SessionView) => {
    if (!(await ask(`End ${user?.username ?? 'this user'}'s session on ${sessionLabel(session)}?`, 'End session'))) return;
    const answer = await api('DELETE', `/api/v1/sessions/${encodeURIComponent(session.id)}`);
    setMessage(answer.ok ? `Ended the session on ${sessionLabel(session)}.` : (answer.error?.message ?? 'could not end it'));
    await load();
  };
  const endAll = async () => {
    if (!(await ask(`End all of ${user?.username ?? 'this user'}'s sessions?`, 'End all sessions'))) return;
    const answer = await api('DELETE', `${path}/sessions`);
    setMessage(answer.ok ? `Ended all of ${user?.username ?? 'the user'}'s sessions.` : (answer.error?.message ?? 'could not end them'));
    await load();
  };

  return (
    <main id="main">
      <p class="crumbs">
        <a href={href('users')}>Users</a>
      </p>
      <h1 tabIndex={-1}>{user?.username ?? 'User'}</h1>
      {dialog}
      {error !== '' && <p class="form-error" role="alert">{error}</p>}
      <p role="status" class="status">
        {message}
      </p>
      {user !== null && (
        <>
          <section class="card">
            <h2>Account</h2>
            <p>
              Id <code>{user.id}</code>; {user.disabled ? 'disabled' : 'active'}; organizations: {user.orgs.length === 0 ? 'none' : user.orgs.join(', ')}.
            </p>
            <div class="actions">
              <button type="button" class={user.disabled ? undefined : 'danger'} onClick={() => void toggleDisabled()}>
                {user.disabled ? 'Enable user' : 'Disable user'}
              </button>
            </div>
            <h3>Roles</h3>
            <form onSubmit={saveRoles} class="stacked">
              <label class="choice">
                <input name="admin" type="checkbox" key={user.roles.join()} defaultChecked={user.roles.includes('admin')} /> Administrator
              </label>
              <div class="actions">
                <button type="submit">Save roles</button>
              </div>
            </form>
            <h3>Password</h3>
            <form onSubmit={setPassword} class="stacked">
              <label for="set-password">New password</label>
              <input id="set-password" name="password" type="password" autocomplete="new-password" minLength={8} required aria-describedby="set-password-help" />
              <p id="set-password-help" class="help">At least 8 characters. Their sessions end if the policy says so.</p>
              <div class="actions">
                <button type="submit">Set password</button>
              </div>
            </form>
          </section>
          <section class="card">
            <h2>Sessions of {user.username}</h2>
            <SessionList sessions={sessions} caption={`Sessions of ${user.username}`} detailHref={(s) => href('sessions', s.id)} onEnd={(s) => void endOne(s)} />
            <div class="actions">
              <button type="button" class="danger" disabled={sessions.length === 0} onClick={() => void endAll()}>
                End all sessions of {user.username}
              </button>
            </div>
          </section>
        </>
      )}
    </main>
  );
}
