import { useEffect, useState } from 'preact/hooks';
import { api, type SessionEvent, type SessionView, type UserView } from '../api.ts';
import { DEADLINE_NAMES, earliestDeadline, sessionLabel, when } from '../format.ts';
import { useConfirm } from '../parts/confirm.tsx';
import { href } from '../router.ts';
import { SessionTimeline } from '../timeline/session-timeline.tsx';

/** One session: its facts, its timeline (with its events when the service keeps them), and ending it. */
export function SessionDetail(props: { readonly id: string }) {
  const [session, setSession] = useState<SessionView | null>(null);
  const [username, setUsername] = useState<string | null>(null);
  const [events, setEvents] = useState<readonly SessionEvent[] | undefined>(undefined);
  const [error, setError] = useState('');
  const [message, setMessage] = useState('');
  const [dialog, ask] = useConfirm();
  const path = `/api/v1/sessions/${encodeURIComponent(props.id)}`;

  const load = async () => {
    const [s, e] = await Promise.all([api<SessionView>('GET', path), api<{ events: SessionEvent[] }>('GET', `/api/v1/events?session=${encodeURIComponent(props.id)}`)]);
    const history = e.ok && Array.isArray(e.data.events) ? e.data.events : undefined;
    if (history !== undefined) setEvents(history);
    const ended = history?.find((event) => event.type === 'session.ended');
    if (!s.ok && ended !== undefined) {
      setError('');
      setMessage(`This session ended ${when(ended.at)}: ${ended.reason ?? 'ended'}${ended.cause === null ? '' : ` (${ended.cause})`}.`);
      setSession(null);
      return;
    }
    if (s.ok) {
      setSession(s.data);
      const user = await api<UserView>('GET', `/api/v1/users/${encodeURIComponent(s.data.subject)}`);
      setUsername(user.ok ? user.data.username : null);
    }
    else setError(s.status === 404 ? 'This session is no longer active.' : (s.error?.message ?? 'could not load the session'));
  };
  useEffect(() => void load(), [props.id]);

  const end = async () => {
    if (session === null || !(await ask(`End the session on ${sessionLabel(session)}?`, 'End session'))) return;
    const answer = await api('DELETE', path);
    if (!answer.ok) setMessage(answer.error?.message ?? 'could not end it');
    await load();
  };

  return (
    <main id="main">
      <p class="crumbs">
        <a href={href('sessions')}>Sessions</a>
      </p>
      <h1 tabIndex={-1}>Session {session === null ? '' : `on ${sessionLabel(session)}`}</h1>
      {dialog}
      {error !== '' && <p class="form-error" role="alert">{error}</p>}
      <p role="status" class="status">
        {message}
      </p>
      {session !== null && (
        <>
          <section class="card">
            <dl class="facts">
              <dt>User</dt>
              <dd>
                {username === null ? session.subject : <a href={href('users', session.subject)}>{username}</a>}
              </dd>
              <dt>Organization</dt>
              <dd>{session.org ?? 'none (environment policy)'}</dd>
              <dt>Audience</dt>
              <dd>{session.audience}</dd>
              <dt>Signed in</dt>
              <dd>{when(session.created_at)}</dd>
              <dt>Last activity</dt>
              <dd>{when(session.last_activity_at)}</dd>
              <dt>Idle deadline</dt>
              <dd>{session.idle_expires_at === null ? 'none' : when(session.idle_expires_at)}</dd>
              <dt>Absolute cap</dt>
              <dd>{when(session.absolute_expires_at)}</dd>
              <dt>Ends</dt>
              <dd>
                {when(session.expires_at)} ({DEADLINE_NAMES[earliestDeadline(session)]})
              </dd>
              <dt>Cookie</dt>
              <dd>{session.persistent ? 'persistent' : 'non-persistent'}{session.remember ? ', remember me' : ''}</dd>
            </dl>
            <SessionTimeline session={session} now={Math.floor(Date.now() / 1000)} {...(events === undefined ? {} : { events })} />
            <div class="actions">
              <button type="button" class="danger" onClick={() => void end()}>
                End session<span class="visually-hidden"> on {sessionLabel(session)}</span>
              </button>
            </div>
          </section>
        </>
      )}
    </main>
  );
}
