import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ApiAnswer, PolicyJson } from '../api.ts';
import { fieldErrors, NO_ERRORS, type FieldErrors } from '../field-errors.ts';
import { FIELD_BY_KEY, FIELDS, PRIMARY_KEYS, valueOf, type ConsoleField } from '../fields.ts';
import { sameValue, shownValue, timelinePolicy, toApiValue, toDraftValue, type Draft, type DraftValue } from '../policy-draft.ts';
import { PolicyTimeline } from '../timeline/policy-timeline.tsx';
import type { TimelinePolicy } from '../timeline/simulate.ts';
import { PolicyField } from './policy-field.tsx';

export type PolicyFormProps =
  | {
      readonly kind: 'environment';
      readonly environment: PolicyJson;
      readonly pinned: Readonly<Record<string, string>>;
      readonly save: (body: Record<string, unknown>) => Promise<ApiAnswer<unknown>>;
    }
  | {
      readonly kind: 'organization';
      readonly environment: PolicyJson;
      readonly overrides: Readonly<Record<string, { readonly value: unknown; readonly enabled: boolean }>>;
      readonly save: (body: Record<string, unknown>) => Promise<ApiAnswer<unknown>>;
    };

function initialDraft(props: PolicyFormProps, fields: readonly ConsoleField[]): Draft {
  const draft: Record<string, { value: DraftValue; enabled: boolean }> = {};
  for (const field of fields) {
    if (props.kind === 'environment') {
      draft[field.key] = { value: toDraftValue(field, valueOf(props.environment, field.key)), enabled: true };
    } else {
      const stored = props.overrides[field.key];
      draft[field.key] = {
        value: toDraftValue(field, stored === undefined ? valueOf(props.environment, field.key) : stored.value),
        enabled: stored?.enabled === true,
      };
    }
  }
  return draft;
}

/** Only what changed is sent: a field left alone is not restated (nor pinned, nor overridden by accident). */
function patchBody(props: PolicyFormProps, fields: readonly ConsoleField[], before: Draft, after: Draft): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of fields) {
    const a = before[field.key];
    const b = after[field.key];
    if (a === undefined || b === undefined) continue;
    const valueChanged = !sameValue(a.value, b.value);
    if (props.kind === 'environment') {
      if (valueChanged) body[field.key] = toApiValue(field, b.value);
    } else if (valueChanged || a.enabled !== b.enabled) {
      body[field.key] = valueChanged || props.overrides[field.key] === undefined ? { value: toApiValue(field, b.value), enabled: b.enabled } : { enabled: b.enabled };
    }
  }
  return body;
}

const FALLBACK: TimelinePolicy = { idle: 900, rolling: 3600, absolute: 86400, stale: 10 };

/**
 * The session policy form shared by the environment and each organization, with the timeline of the
 * values being edited beside it. Save sends what changed; the service's message about a field is shown
 * beside that field, verbatim.
 */
export function PolicyForm(props: PolicyFormProps) {
  const fields = useMemo(() => FIELDS.filter((f) => props.kind === 'environment' || f.spec.orgOverridable), [props.kind]);
  const [saved, setSaved] = useState<Draft>(() => initialDraft(props, fields));
  const [draft, setDraft] = useState<Draft>(saved);
  const [errors, setErrors] = useState<FieldErrors>(NO_ERRORS);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const [advancedOpen, setAdvancedOpen] = useState(false);
  const [lastGood, setLastGood] = useState<TimelinePolicy>(FALLBACK);

  useEffect(() => {
    const next = initialDraft(props, fields);
    setSaved(next);
    setDraft(next);
  }, [props.environment, props.kind === 'organization' ? props.overrides : props.pinned]);

  const shownPolicy = timelinePolicy(FIELD_BY_KEY, draft, props.environment, lastGood);
  useEffect(() => {
    if (JSON.stringify(shownPolicy) !== JSON.stringify(lastGood)) setLastGood(shownPolicy);
  });

  const set = (key: string, value: DraftValue) => {
    setDraft((d) => ({ ...d, [key]: { value, enabled: true } }));
    setStatus('');
  };
  const toggle = (key: string, on: boolean) => {
    setDraft((d) => ({ ...d, [key]: { value: d[key]?.value ?? '', enabled: on } }));
    setStatus('');
  };

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const body = patchBody(props, fields, saved, draft);
    if (Object.keys(body).length === 0) {
      setStatus('Nothing to save: no field changed.');
      return;
    }
    setBusy(true);
    const answer = await props.save(body);
    setBusy(false);
    if (answer.ok) {
      setErrors(NO_ERRORS);
      setSaved(draft);
      setStatus('Saved.');
      return;
    }
    const found = fieldErrors(answer.error?.message ?? 'the change was refused');
    setErrors(found);
    setStatus('');
    const first = fields.find((f) => found.byField[f.key] !== undefined);
    if (first !== undefined && !PRIMARY_KEYS.includes(first.key)) setAdvancedOpen(true);
    if (first !== undefined) requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-key="${first.key}"] input:not(.use-org input)`)?.focus());
  };

  const render = (field: ConsoleField) => {
    const entry = draft[field.key];
    return (
      <PolicyField
        key={field.key}
        field={field}
        value={shownValue(field, draft, props.environment)}
        override={props.kind === 'organization' ? { enabled: entry?.enabled === true, onToggle: (on) => toggle(field.key, on) } : null}
        pinnedBy={props.kind === 'environment' ? (props.pinned[field.key] ?? null) : null}
        error={errors.byField[field.key]}
        onInput={(value) => set(field.key, value)}
      />
    );
  };

  return (
    <div class="policy-editor">
      <form class="policy-form" noValidate onSubmit={onSubmit} aria-label={props.kind === 'environment' ? 'Environment session policy' : 'Organization session policy'}>
        {errors.general !== null && (
          <p class="form-error" role="alert">
            {errors.general}
          </p>
        )}
        <section class="form-section">{PRIMARY_KEYS.map((key) => fields.find((f) => f.key === key)).filter((f) => f !== undefined).map(render)}</section>
        <details open={advancedOpen} onToggle={(e) => setAdvancedOpen(e.currentTarget.open)}>
          <summary>Advanced</summary>
          {fields.filter((f) => !PRIMARY_KEYS.includes(f.key)).map(render)}
        </details>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            Save
          </button>
          <span role="status" class="status">
            {status}
          </span>
        </div>
      </form>
      <aside class="policy-picture" aria-label="The policy, pictured">
        <PolicyTimeline policy={shownPolicy} />
      </aside>
    </div>
  );
}
