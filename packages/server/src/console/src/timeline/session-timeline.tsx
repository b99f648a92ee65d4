import type { SessionEvent, SessionView } from '../api.ts';
import { DEADLINE_NAMES, earliestDeadline, humanDuration, shortDuration, when } from '../format.ts';
import { Legend } from './policy-timeline.tsx';
import { MarkLabel, scale, TimeAxis, useWidth } from './draw.tsx';

/**
 * One live (or ended) session on the same picture as the policy's: from sign-in, its renewals (from
 * its events, when the service keeps them), its last activity, now, its idle deadline and its
 * absolute cap, and where and why it ended.
 */
export function SessionTimeline(props: { readonly session: SessionView; readonly now: number; readonly events?: readonly SessionEvent[] }) {
  const [ref, width] = useWidth();
  const { session, now } = props;
  const start = session.created_at;
  const ended = props.events?.find((e) => e.type === 'session.ended');
  const endAt = ended?.at ?? session.expires_at;
  // The part of the session that matters now is drawn to scale; an absolute cap far beyond it is an
  // arrow at the right edge rather than a squeeze that would hide the idle deadline.
  const near = Math.max(endAt, now, session.last_activity_at) - start;
  const capFar = session.absolute_expires_at - start > near * 3;
  const total = (capFar ? near * 1.6 : Math.max(session.absolute_expires_at - start, near)) * 1.04 || 1;
  const s = scale(total, width);
  const rel = (t: number) => t - start;
  const renewals = (props.events ?? []).filter((e) => e.type === 'session.renewed').map((e) => e.at);
  const which = earliestDeadline(session);
  const height = 110;
  const barY = 40;
  const label = [
    `Session timeline: signed in ${when(start)}`,
    `last activity ${when(session.last_activity_at)}`,
    session.idle_expires_at === null ? 'no inactivity timeout' : `idle deadline ${when(session.idle_expires_at)}`,
    `absolute cap ${when(session.absolute_expires_at)}`,
    ended === undefined
      ? `ends ${when(session.expires_at)} (${DEADLINE_NAMES[which]}) unless it is renewed or used`
      : `ended ${when(ended.at)}: ${ended.reason ?? 'ended'}${ended.cause === null ? '' : ` (${ended.cause})`}`,
    renewals.length > 0 ? `renewed ${renewals.length} time${renewals.length === 1 ? '' : 's'}` : null,
  ]
    .filter((part) => part !== null)
    .join(', ');
  const nowX = s.x(rel(now));
  return (
    <figure class="timeline" ref={ref}>
      <svg role="img" aria-label={label} width={width} height={height} viewBox={`0 0 ${width} ${height}`}>
        {capFar ? (
          <>
            <path class="cap-arrow" d={`M${s.right - 10},${barY - 2} l10,9 l-10,9 z`} />
            <MarkLabel x={s.right} y={11} s={s} class="cap-label">
              absolute cap at {shortDuration(session.absolute_expires_at - start)} →
            </MarkLabel>
          </>
        ) : (
          <>
            <line class="cap" x1={s.x(rel(session.absolute_expires_at))} x2={s.x(rel(session.absolute_expires_at))} y1={14} y2={barY + 24} />
            <MarkLabel x={s.x(rel(session.absolute_expires_at))} y={11} s={s} class="cap-label">
              absolute cap {shortDuration(session.absolute_expires_at - start)}
            </MarkLabel>
          </>
        )}
        <rect class="bar" x={s.x(0)} y={barY} width={Math.max(1, s.x(rel(endAt)) - s.x(0))} height={14} rx={3} />
        {renewals.map((t) => (
          <path key={t} class="renewal" d={`M${s.x(rel(t))},${barY - 3} l4,-5 h-8 z`} />
        ))}
        <line class="activity" x1={s.x(rel(session.last_activity_at))} x2={s.x(rel(session.last_activity_at))} y1={barY + 2} y2={barY + 12} />
        {session.idle_expires_at !== null && (
          <line class="idle-deadline" x1={s.x(rel(session.idle_expires_at))} x2={s.x(rel(session.idle_expires_at))} y1={barY - 4} y2={barY + 18} />
        )}
        <line class="end" x1={s.x(rel(endAt))} x2={s.x(rel(endAt))} y1={barY - 4} y2={barY + 18} />
        <MarkLabel x={s.x(rel(endAt))} y={barY + 30} s={s} class="end-label">
          {ended === undefined ? `ends (${DEADLINE_NAMES[which]})` : `ended: ${ended.reason ?? ''}`}
        </MarkLabel>
        {ended === undefined && now <= session.absolute_expires_at && (
          <>
            <line class="now" x1={nowX} x2={nowX} y1={22} y2={barY + 18} />
            <MarkLabel x={nowX} y={30} s={s} class="now-label">
              now
            </MarkLabel>
          </>
        )}
        <TimeAxis span={total} s={s} y={barY + 36} width={width} />
      </svg>
      <figcaption>
        Signed in {humanDuration(Math.max(0, now - start))} ago; last active {humanDuration(Math.max(0, now - session.last_activity_at))} ago.{' '}
        {ended === undefined ? `Ends ${when(session.expires_at)} (${DEADLINE_NAMES[which]}).` : `Ended ${when(ended.at)} (${ended.reason ?? 'ended'}).`}
      </figcaption>
      <Legend />
    </figure>
  );
}
