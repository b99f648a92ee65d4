import type { SessionView } from '../api.ts';
import { DEADLINE_NAMES, earliestDeadline, sessionLabel, when } from '../format.ts';

export interface SessionListProps {
  readonly sessions: readonly SessionView[];
  readonly caption: string;
  /** User names by subject, to show whose session it is (admin lists). */
  readonly users?: ReadonlyMap<string, string>;
  readonly detailHref?: (session: SessionView) => string;
  /** Ends a session (the caller asks for confirmation first); absent for rows that cannot be ended. */
  readonly onEnd?: (session: SessionView) => void;
}

/** Sessions as a table on wide screens and as a list of cards on narrow ones (CSS only). */
export function SessionList(props: SessionListProps) {
  if (props.sessions.length === 0) return <p class="empty">No active sessions.</p>;
  return (
    <table class="list sessions">
      <caption class="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Device</th>
          {props.users !== undefined && <th scope="col">User</th>}
          <th scope="col">Organization, audience</th>
          <th scope="col">Signed in</th>
          <th scope="col">Last active</th>
          <th scope="col">Ends</th>
          <th scope="col"><span class="visually-hidden">Actions</span></th>
        </tr>
      </thead>
      <tbody>
        {props.sessions.map((s) => {
          const label = sessionLabel(s);
          return (
            <tr key={s.id} class={s.current === true ? 'current' : undefined}>
              <td data-label="Device">
                {props.detailHref === undefined ? label : <a href={props.detailHref(s)}>{label}</a>}
                {s.current === true && <strong class="badge">this session</strong>}
              </td>
              {props.users !== undefined && <td data-label="User">{props.users.get(s.subject) ?? s.subject}</td>}
              <td data-label="Organization, audience">
                {s.org ?? 'environment'}, {s.audience}
              </td>
              <td data-label="Signed in">{when(s.created_at)}</td>
              <td data-label="Last active">{when(s.last_activity_at)}</td>
              <td data-label="Ends">
                {when(s.expires_at)} <span class="which">({DEADLINE_NAMES[earliestDeadline(s)]})</span>
              </td>
              <td class="row-actions">
                {props.onEnd !== undefined && s.current !== true && (
                  <button type="button" onClick={() => props.onEnd?.(s)}>
                    End session<span class="visually-hidden"> on {label}</span>
                  </button>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
