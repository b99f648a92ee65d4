import type { SessionView } from './api.ts';

const UNITS: readonly [number, string][] = [
  [86400, 'day'],
  [3600, 'hour'],
  [60, 'minute'],
  [1, 'second'],
];

/** "30 minutes", "12 hours", "1 day 6 hours": at most two units, exact when it fits in two. */
export function humanDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  if (seconds === 0) return '0 seconds';
  const parts: string[] = [];
  let rest = Math.abs(Math.round(seconds));
  for (const [size, name] of UNITS) {
    if (parts.length === 2) break;
    const count = Math.floor(rest / size);
    if (count > 0 || (parts.length > 0 && rest > 0)) {
      if (count > 0) parts.push(`${count} ${name}${count === 1 ? '' : 's'}`);
      rest -= count * size;
    }
    if (rest === 0) break;
  }
  return (seconds < 0 ? '-' : '') + parts.join(' ');
}

/** "30 min", "12 h", "3 d": one short unit, for labels in pictures. */
export function shortDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s >= 86400 && s % 3600 === 0) return s % 86400 === 0 ? `${s / 86400} d` : `${+(s / 86400).toFixed(1)} d`;
  if (s >= 3600) return s % 3600 === 0 ? `${s / 3600} h` : `${+(s / 3600).toFixed(1)} h`;
  if (s >= 60) return s % 60 === 0 ? `${s / 60} min` : `${+(s / 60).toFixed(1)} min`;
  return `${s} s`;
}

export function when(epochSeconds: number | null | undefined): string {
  if (epochSeconds === null || epochSeconds === undefined) return '—';
  return new Date(epochSeconds * 1000).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export type DeadlineKind = 'idle' | 'absolute' | 'rolling';

/**
 * Which deadline `expires_at` is: the idle deadline, the absolute cap, or (when it is neither) the end of
 * the renewal period, which activity after three quarters of it would extend.
 */
export function earliestDeadline(session: Pick<SessionView, 'expires_at' | 'idle_expires_at' | 'absolute_expires_at'>): DeadlineKind {
  if (session.idle_expires_at !== null && session.expires_at === session.idle_expires_at) return 'idle';
  if (session.expires_at === session.absolute_expires_at) return 'absolute';
  return 'rolling';
}

export const DEADLINE_NAMES: Readonly<Record<DeadlineKind, string>> = {
  idle: 'if idle',
  absolute: 'absolute cap',
  rolling: 'unless renewed',
};

/** "Firefox on Linux" from a User-Agent string; the raw string when no browser is recognised. */
export function deviceName(userAgent: string | null | undefined): string {
  if (userAgent === null || userAgent === undefined || userAgent === '') return 'unknown device';
  const browser =
    /Edg\//.test(userAgent) ? 'Edge'
    : /Firefox\//.test(userAgent) ? 'Firefox'
    : /Chrome\//.test(userAgent) ? (/HeadlessChrome/.test(userAgent) ? 'Headless Chrome' : 'Chrome')
    : /Safari\//.test(userAgent) ? 'Safari'
    : /^curl\//.test(userAgent) ? 'curl'
    : null;
  const system =
    /Android/.test(userAgent) ? 'Android'
    : /iPhone|iPad/.test(userAgent) ? 'iOS'
    : /Windows/.test(userAgent) ? 'Windows'
    : /Mac OS X/.test(userAgent) ? 'macOS'
    : /Linux/.test(userAgent) ? 'Linux'
    : null;
  if (browser === null) return userAgent.length > 40 ? `${userAgent.slice(0, 40)}…` : userAgent;
  return system === null ? browser : `${browser} on ${system}`;
}

/** "Firefox on Linux, 10.0.0.5": how a row names the session it acts on. */
export function sessionLabel(session: Pick<SessionView, 'user_agent' | 'ip'>): string {
  const device = deviceName(session.user_agent);
  return session.ip ? `${device}, ${session.ip}` : device;
}
