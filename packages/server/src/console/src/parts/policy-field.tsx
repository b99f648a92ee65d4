import type { TargetedInputEvent } from 'preact';
import type { ConsoleField } from '../fields.ts';
import { humanDuration } from '../format.ts';
import type { DraftValue } from '../policy-draft.ts';

export interface PolicyFieldProps {
  readonly field: ConsoleField;
  readonly value: DraftValue;
  /** Organizations: the "Use organization setting" switch; `null` on the environment's form. */
  readonly override: { readonly enabled: boolean; readonly onToggle: (on: boolean) => void } | null;
  /** The variable that pins this field (environment form): shown read-only with its name. */
  readonly pinnedBy: string | null;
  readonly error: string | undefined;
  readonly onInput: (value: DraftValue) => void;
}

const PERSISTENCE_LABELS: Readonly<Record<string, string>> = { persistent: 'Persistent session', 'non-persistent': 'Non-persistent session' };

/**
 * One policy field: its control, its help, a human reading of seconds, the variable pinning it, and the
 * service's message about it, all tied to the control with aria-describedby.
 */
export function PolicyField(props: PolicyFieldProps) {
  const { field, value, override, pinnedBy, error } = props;
  const inherited = override !== null && !override.enabled;
  const ids = {
    help: `${field.id}-help`,
    human: `${field.id}-human`,
    pinned: `${field.id}-pinned`,
    error: `${field.id}-error`,
    inherited: `${field.id}-inherited`,
  };
  const kind = field.spec.kind;
  const describedBy = [
    error === undefined ? null : ids.error,
    field.help === '' ? null : ids.help,
    kind.type === 'seconds' ? ids.human : null,
    pinnedBy === null ? null : ids.pinned,
    inherited ? ids.inherited : null,
  ]
    .filter((id) => id !== null)
    .join(' ');
  const common = {
    'aria-describedby': describedBy === '' ? undefined : describedBy,
    'aria-invalid': error === undefined ? undefined : ('true' as const),
  };
  const locked = pinnedBy !== null;

  let control;
  if (field.key === 'persistence' || (kind.type === 'enum' && kind.values.length <= 3)) {
    const values = kind.type === 'enum' ? kind.values : [];
    control = (
      <fieldset class="choices" {...common}>
        <legend>{field.label}</legend>
        {values.map((v) => (
          <label key={v} class="choice">
            <input type="radio" name={field.id} value={v} checked={value === v} disabled={locked} onInput={() => props.onInput(v)} />
            {PERSISTENCE_LABELS[v] ?? v}
          </label>
        ))}
      </fieldset>
    );
  } else if (kind.type === 'boolean') {
    control = (
      <label class="choice">
        <input id={field.id} type="checkbox" checked={value === true} disabled={locked} {...common} onInput={(e) => props.onInput(e.currentTarget.checked)} />
        {field.label}
      </label>
    );
  } else if (kind.type === 'list' && kind.values !== undefined) {
    const chosen = Array.isArray(value) ? value : [];
    control = (
      <fieldset class="choices" {...common}>
        <legend>{field.label}</legend>
        {kind.values.map((v) => (
          <label key={v} class="choice">
            <input
              type="checkbox"
              checked={chosen.includes(v)}
              disabled={locked}
              onInput={(e) => props.onInput(e.currentTarget.checked ? [...chosen, v] : chosen.filter((c) => c !== v))}
            />
            {v}
          </label>
        ))}
      </fieldset>
    );
  } else {
    const numeric = kind.type === 'seconds' || kind.type === 'count';
    const text = typeof value === 'string' ? value : '';
    const onText = (e: TargetedInputEvent<HTMLInputElement>) => props.onInput(e.currentTarget.value);
    control = (
      <>
        <label for={field.id}>{field.label}</label>
        <span class="input-row">
          {numeric ? (
            <input id={field.id} type="number" min={0} step={1} inputMode="numeric" value={text} readOnly={locked} {...common} onInput={onText} />
          ) : (
            <input id={field.id} type="text" value={text} readOnly={locked} {...common} onInput={onText} />
          )}
          {kind.type === 'seconds' && (
            <span id={ids.human} class="human">
              seconds{/^\s*\d+\s*$/.test(String(value)) ? ` = ${humanDuration(Number(value))}` : ''}
            </span>
          )}
        </span>
      </>
    );
  }

  return (
    <div class={`field${inherited ? ' inherited' : ''}${error === undefined ? '' : ' has-error'}`} data-key={field.key}>
      {override !== null && (
        <label class="choice use-org">
          <input type="checkbox" checked={override.enabled} onInput={(e) => override.onToggle(e.currentTarget.checked)} />
          Use organization setting for {field.switchName}
        </label>
      )}
      {control}
      {error !== undefined && (
        <p id={ids.error} class="field-error">
          {error}
        </p>
      )}
      {inherited && (
        <p id={ids.inherited} class="note">
          The environment's value.
        </p>
      )}
      {pinnedBy !== null && (
        <p id={ids.pinned} class="note">
          Set by <code>{pinnedBy}</code>; change the variable to change it.
        </p>
      )}
      {field.help !== '' && (
        <p id={ids.help} class="help">
          {field.help}
        </p>
      )}
    </div>
  );
}
