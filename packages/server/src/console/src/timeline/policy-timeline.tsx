import { humanDuration, shortDuration } from '../format.ts';
import { MarkLabel, scale, TimeAxis, useWidth, type Scale } from './draw.tsx';
import { activityInterval } from './activity.ts';
import { simulate, type EndCause, type SimulatedSession, type TimelinePolicy } from './simulate.ts';

const CAUSE: Readonly<Record<EndCause, string>> = { idle: 'idle expiry', rolling: 'rolling expiry', absolute: 'absolute cap' };
const LANE = 64;
const TOP = 24;

/** What the picture shows, in words: its accessible name and its caption. */
export function describe(policy: TimelinePolicy, active: SimulatedSession, away: SimulatedSession): string {
  const settings = [
    `inactivity timeout ${policy.idle > 0 ? humanDuration(policy.idle) : 'off'}`,
    `rolling timeout ${policy.rolling > 0 ? humanDuration(policy.rolling) : 'off'}`,
    `absolute timeout ${humanDuration(policy.absolute)}`,
  ].join(', ');
  const lane = (who: string, s: SimulatedSession) =>
    `${who} ${s.renewalCount > 0 ? `is renewed ${s.renewalCount} time${s.renewalCount === 1 ? '' : 's'} and ` : ''}is signed out by ${CAUSE[s.cause]} after ${humanDuration(s.end)}`;
  return `Session timeline: ${settings}. ${lane(`A user active every ${humanDuration(active.every)}`, active)}. ${lane(`A user who stops after ${humanDuration(away.until)}`, away)}.`;
}

/**
 * The policy being edited, drawn: two sample users from sign-in, one who stays active and one who
 * steps away, with their renewals (and stale windows), where idle expiry and the absolute cap fall.
 * Pure function of its props: it is redrawn on every input of the form.
 */
export function PolicyTimeline(props: { readonly policy: TimelinePolicy }) {
  const [ref, width] = useWidth();
  const policy = props.policy;
  const every = activityInterval(policy);
  const active = simulate(policy, every, policy.absolute * 2);
  // The user who steps away stops right after a renewal (when there are renewals), so that the
  // picture shows the inactivity timeout at work rather than the end of a renewal period.
  const stopNear = Math.max(every, Math.round((policy.absolute * 0.3) / every) * every);
  const away = simulate(policy, every, active.renewals.find((t) => t >= stopNear) ?? stopNear);
  const span = Math.max(policy.absolute, active.end, away.end) * 1.04;
  const s = scale(span, width);
  const height = TOP + 2 * LANE + 30;
  const label = describe(policy, active, away);
  const capX = s.x(policy.absolute);
  return (
    <figure class="timeline" ref={ref}>
      <svg role="img" aria-label={label} width={width} height={height} viewBox={`0 0 ${width} ${height}`} data-end-active={active.end} data-end-away={away.end}>
        <line class="cap" x1={capX} x2={capX} y1={14} y2={TOP + 2 * LANE} />
        <MarkLabel x={capX} y={11} s={s} class="cap-label">
          absolute cap {shortDuration(policy.absolute)}
        </MarkLabel>
        <Lane y={TOP} s={s} run={active} stale={policy.stale} title={`Active every ${shortDuration(every)}`} />
        <Lane y={TOP + LANE} s={s} run={away} stale={policy.stale} title={`Stops after ${shortDuration(away.until)}`} />
        <TimeAxis span={span} s={s} y={TOP + 2 * LANE + 4} width={width} />
      </svg>
      <figcaption>{capitalized(label.slice('Session timeline: '.length))}</figcaption>
      <Legend />
    </figure>
  );
}

function Lane(props: { readonly y: number; readonly s: Scale; readonly run: SimulatedSession; readonly stale: number; readonly title: string }) {
  const { s, run, y } = props;
  const barY = y + 22;
  const requests = Math.floor(Math.min(run.lastActivity, run.end) / run.every);
  return (
    <g class={`lane end-${run.cause}`}>
      <text x={s.left} y={y + 6} class="lane-title">
        {props.title}
      </text>
      <rect class="bar" x={s.x(0)} y={barY} width={Math.max(1, s.x(run.end) - s.x(0))} height={14} rx={3} />
      {requests <= 120 ? (
        Array.from({ length: requests }, (_, i) => <line key={i} class="activity" x1={s.x((i + 1) * run.every)} x2={s.x((i + 1) * run.every)} y1={barY + 3} y2={barY + 11} />)
      ) : (
        <rect class="activity-band" x={s.x(run.every)} y={barY + 5} width={Math.max(1, s.x(run.lastActivity) - s.x(run.every))} height={4} />
      )}
      {run.renewals.length <= 150 &&
        run.renewals.map((t) => (
          <g key={t}>
            <rect class="stale" x={s.x(t)} y={barY - 2} width={Math.max(2, s.x(t + props.stale) - s.x(t))} height={18} />
            <path class="renewal" d={`M${s.x(t)},${barY - 5} l4,-5 h-8 z`} />
          </g>
        ))}
      <line class="end" x1={s.x(run.end)} x2={s.x(run.end)} y1={barY - 4} y2={barY + 18} />
      <MarkLabel x={s.x(run.end)} y={barY + 30} s={s} class="end-label">
        {CAUSE[run.cause]} {shortDuration(run.end)}
      </MarkLabel>
    </g>
  );
}

export function Legend() {
  return (
    <ul class="legend" aria-hidden="true">
      <li><span class="swatch swatch-bar" />valid</li>
      <li><span class="swatch swatch-activity" />requests</li>
      <li><span class="swatch swatch-renewal" />renewal</li>
      <li><span class="swatch swatch-stale" />stale window</li>
      <li><span class="swatch swatch-end" />end</li>
      <li><span class="swatch swatch-cap" />absolute cap</li>
    </ul>
  );
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
