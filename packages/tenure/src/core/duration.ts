const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/**
 * Integer seconds from a number, a digit string, or a string like `"90s"`, `"15m"`, `"12h"`, `"3d"`,
 * `"1w"`; undefined when it is none of those (negative, fractional, unknown unit).
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d{1,12})\s*([smhdw]?)\s*$/.exec(value);
  if (match === null) return undefined;
  const seconds = Number(match[1]) * (UNITS[match[2] || 's'] ?? 1);
  return Number.isSafeInteger(seconds) ? seconds : undefined;
}
