import { useEffect, useState } from 'preact/hooks';
import { api, type PolicyJson } from '../api.ts';
import { PolicyForm } from '../parts/policy-form.tsx';

type EnvironmentJson = PolicyJson & { readonly pinned?: Record<string, string> };

/** The environment's policy: the defaults every organization starts from. Pinned fields are read-only. */
export function EnvironmentPolicy() {
  const [policy, setPolicy] = useState<EnvironmentJson | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    void api<EnvironmentJson>('GET', '/api/v1/environment/sessions').then((answer) => {
      if (answer.ok) setPolicy(answer.data);
      else setError(answer.error?.message ?? 'could not load the policy');
    });
  }, []);
  const save = async (body: Record<string, unknown>) => {
    const answer = await api<EnvironmentJson>('PATCH', '/api/v1/environment/sessions', body);
    if (answer.ok) setPolicy(answer.data);
    return answer;
  };
  return (
    <main id="main">
      <h1 tabIndex={-1}>Environment policy</h1>
      <p class="help">The session policy of this deployment. Organizations follow it except where they use their own setting.</p>
      {error !== '' && <p class="form-error" role="alert">{error}</p>}
      {policy !== null && <PolicyForm kind="environment" environment={policy} pinned={policy.pinned ?? {}} save={save} />}
    </main>
  );
}
