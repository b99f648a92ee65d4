import { useEffect, useState } from 'preact/hooks';
import { api, type SessionView, type Whoami } from '../api.ts';
import { sessionLabel } from '../format.ts';
import { SessionList } from '../parts/session-list.tsx';
import { SessionTimeline } from '../timeline/session-timeline.tsx';
import { useConfirm } from '../parts/confirm.tsx';

/** The signed-in user's own sessions (end one, end all others) and password. */
export function Account(props: { readonly me: Whoami; readonly onSignedOut: () => void }) {
  const [sessions, setSessions] = useState<readonly SessionView[] | null>(null);
  const [message, setMessage] = useState('');
  const [dialog, ask] = useConfirm();

  const load = async () => {
    const answer = await api<{ sessions: SessionView[] }>('GET', '/auth/sessions');
    if (answer.status === 401) props.onSignedOut();
    else if (answer.ok) setSessions(answer.data.sessions);
    else setMessage(answer.error?.message ?? 'could not load your sessions');
  };
  useEffect(() => void load(), []);

  const end = async (session: SessionView) => {
    if (!(await ask(`End the session on ${sessionLabel(session)}? That device will have to sign in again.`, 'End session'))) return;
    const answer = await api('DELETE', `/auth/sessions/${encodeURIComponent(session.id)}`);
    setMessage(answer.ok ? `Ended the session on ${sessionLabel(session)}.` : (answer.error?.message ?? 'could not end it'));
    await load();
  };
  const endOthers = async () => {
    if (!(await ask('Sign out all your other sessions? Every other device and browser will have to sign in again.', 'Sign out other sessions'))) return;
    const answer = await api('DELETE', '/auth/sessions?others=true');
    setMessage(answer.ok ? 'Signed out all other sessions.' : (answer.error?.message ?? 'could not sign them out'));
    await load();
  };

  const current = sessions?.find((s) => s.current === true) ?? props.me.session;
  const others = (sessions ?? []).filter((s) => s.current !== true).length;
  return (
    <main id="main">
      <h1>Your account</h1>
      {dialog}
      <section class="card">
        <h2>Your sessions</h2>
        <p role="status" class="status">
          {message}
        </p>
        {sessions === null ? <p>Loading…</p> : <SessionList sessions={sessions} caption="Your sessions" onEnd={(s) => void end(s)} />}
        <div class="actions">
          <button type="button" onClick={() => void endOthers()} disabled={others === 0}>
            Sign out all other sessions
          </button>
        </div>
      </section>
      <section class="card">
        <h2>This session</h2>
        <SessionTimeline session={current} now={Math.floor(Date.now() / 1000)} />
      </section>
      <PasswordChange onChanged={() => void load()} />
    </main>
  );
}

function PasswordChange(props: { readonly onChanged: () => void }) {
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const answer = await api('POST', '/auth/password', { current_password: data.get('current_password'), new_password: data.get('new_password') });
    if (answer.ok) {
      form.reset();
      setError('');
      setStatus('Password changed.');
      props.onChanged();
    } else {
      setStatus('');
      setError(answer.error?.message ?? 'the password was not changed');
    }
  };
  return (
    <section class="card">
      <h2>Change your password</h2>
      <form onSubmit={onSubmit} class="stacked">
        <label for="current-password">Current password</label>
        <input id="current-password" name="current_password" type="password" autocomplete="current-password" required />
        <label for="new-password">New password</label>
        <input id="new-password" name="new_password" type="password" autocomplete="new-password" minLength={8} required aria-describedby="new-password-help password-error" />
        <p id="new-password-help" class="help">At least 8 characters.</p>
        <p id="password-error" class="field-error" role="alert">
          {error}
        </p>
        <div class="actions">
          <button type="submit">Change password</button>
          <span role="status" class="status">
            {status}
          </span>
        </div>
      </form>
    </section>
  );
}
