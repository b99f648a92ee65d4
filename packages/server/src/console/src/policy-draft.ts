import { defaultOf, valueOf, type ConsoleField } from './fields.ts';
import type { PolicyJson } from './api.ts';
import type { TimelinePolicy } from './timeline/simulate.ts';

/** What a control holds: text for numbers and free text, a boolean, or the chosen items of a list. */
export type DraftValue = string | boolean | readonly string[];

export interface DraftField {
  readonly value: DraftValue;
  /** Organizations only: whether the organization's value applies (else the environment's). */
  readonly enabled: boolean;
}

export type Draft = Readonly<Record<string, DraftField>>;

/** A policy value as a control holds it. */
export function toDraftValue(field: ConsoleField, value: unknown): DraftValue {
  const kind = field.spec.kind;
  if (kind.type === 'boolean') return value === true;
  if (kind.type === 'list') {
    const items = Array.isArray(value) ? value.map(String) : [];
    return kind.values === undefined ? items.join(', ') : items;
  }
  if (value === null || value === undefined) return '';
  return String(value);
}

/**
 * A control's value as the API takes it. Whole numbers go as numbers; anything else typed goes as
 * typed, so that the service judges it and its message is the one shown.
 */
export function toApiValue(field: ConsoleField, value: DraftValue): unknown {
  const kind = field.spec.kind;
  if (typeof value === 'boolean' || Array.isArray(value)) return value;
  const text = value as string;
  switch (kind.type) {
    case 'seconds':
    case 'count':
      return /^\s*\d+\s*$/.test(text) ? Number(text) : text;
    case 'list':
      return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
    case 'nullable-string':
      return text === '' ? null : text;
    default:
      return text;
  }
}

export function sameValue(a: DraftValue, b: DraftValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The values in force while editing: the draft where it applies, else the environment's. */
export function shownValue(field: ConsoleField, draft: Draft, environment: PolicyJson): DraftValue {
  const entry = draft[field.key];
  if (entry !== undefined && entry.enabled) return entry.value;
  return toDraftValue(field, valueOf(environment, field.key) ?? defaultOf(field));
}

/** The numbers the timeline needs, from what is shown; a field being typed that is not a number yet keeps `fallback`'s. */
export function timelinePolicy(fields: ReadonlyMap<string, ConsoleField>, draft: Draft, environment: PolicyJson, fallback: TimelinePolicy): TimelinePolicy {
  const seconds = (key: string, previous: number, min: number) => {
    const field = fields.get(key);
    if (field === undefined) return previous;
    const shown = shownValue(field, draft, environment);
    const n = typeof shown === 'string' && /^\s*\d{1,12}\s*$/.test(shown) ? Number(shown) : Number.NaN;
    return Number.isFinite(n) && n >= min ? n : previous;
  };
  return {
    idle: seconds('idle_timeout', fallback.idle, 0),
    rolling: seconds('rolling_timeout', fallback.rolling, 0),
    absolute: seconds('absolute_timeout', fallback.absolute, 1),
    stale: seconds('stale_ttl', fallback.stale, 0),
  };
}
