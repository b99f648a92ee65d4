import { FIELD_BY_KEY } from './fields.ts';

export interface FieldErrors {
  /** Per field key, the service's sentences about it, verbatim. */
  readonly byField: Readonly<Record<string, string>>;
  /** What names no field of the form (shown at the top of the form). */
  readonly general: string | null;
}

export const NO_ERRORS: FieldErrors = { byField: {}, general: null };

/**
 * Splits the service's validation message (`idle_timeout = 99999 must be <= absolute_timeout (86400);
 * touch_after = …`) into the sentences about each field. A sentence is shown as the service wrote it;
 * its field is the key it starts with, less the organization prefix (`organizations.acme.`) and the
 * override suffix (`.value`, `.enabled`).
 */
export function fieldErrors(message: string): FieldErrors {
  const byField: Record<string, string> = {};
  const rest: string[] = [];
  for (const sentence of message.split('; ')) {
    const key = fieldOf(sentence);
    if (key === null) rest.push(sentence);
    else byField[key] = byField[key] === undefined ? sentence : `${byField[key]}; ${sentence}`;
  }
  return { byField, general: rest.length === 0 ? null : rest.join('; ') };
}

function fieldOf(sentence: string): string | null {
  const head = /^([A-Za-z0-9_.-]+)(?:\s|,|$)/.exec(sentence)?.[1]?.replace(/\.(value|enabled)$/, '');
  if (head === undefined) return null;
  for (const key of FIELD_BY_KEY.keys()) if (head === key || head.endsWith(`.${key}`)) return key;
  return null;
}
