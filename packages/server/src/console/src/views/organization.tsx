import { useEffect, useState } from 'preact/hooks';
import { api, type OrgView, type PolicyJson } from '../api.ts';
import { useConfirm } from '../parts/confirm.tsx';
import { PolicyForm } from '../parts/policy-form.tsx';
import { href } from '../router.ts';

interface OrgPolicy {
  readonly overrides: Record<string, { value: unknown; enabled: boolean }>;
  readonly effective: PolicyJson;
}

/** An organization's Sessions page: its overrides of the environment's policy, and ending its sessions. */
export function OrganizationSessions(props: { readonly code: string }) {
  const [org, setOrg] = useState<OrgView | null>(null);
  const [policy, setPolicy] = useState<OrgPolicy | null>(null);
  const [environment, setEnvironment] = useState<PolicyJson | null>(null);
  const [error, setError] = useState('');
  const [message, setMessage] = useState('');
  const [dialog, ask] = useConfirm();
  const path = `/api/v1/organizations/${encodeURIComponent(props.code)}`;

  useEffect(() => {
    void Promise.all([api<OrgView>('GET', path), api<OrgPolicy>('GET', `${path}/sessions`), api<PolicyJson>('GET', '/api/v1/environment/sessions')]).then(([o, p, e]) => {
      const failed = [o, p, e].find((a) => !a.ok);
      if (failed !== undefined) setError(failed.error?.message ?? 'could not load the organization');
      else {
        setOrg(o.data);
        setPolicy(p.data);
        setEnvironment(e.data);
      }
    });
  }, [props.code]);

  const save = async (body: Record<string, unknown>) => {
    const answer = await api<OrgPolicy>('PATCH', `${path}/sessions`, body);
    if (answer.ok) setPolicy(answer.data);
    return answer;
  };
  const endAll = async () => {
    if (!(await ask(`End every session of ${org?.name ?? props.code}? Everyone signed in to it will have to sign in again.`, 'End all sessions'))) return;
    const answer = await api('DELETE', `${path}/sessions/active`);
    setMessage(answer.ok ? `Ended every session of ${org?.name ?? props.code}.` : (answer.error?.message ?? 'could not end them'));
  };

  return (
    <main id="main">
      <p class="crumbs">
        <a href={href('organizations')}>Organizations</a>
      </p>
      <h1 tabIndex={-1}>{org === null ? props.code : `${org.name}: Sessions`}</h1>
      {dialog}
      {error !== '' && <p class="form-error" role="alert">{error}</p>}
      {org !== null && policy !== null && environment !== null && (
        <>
          <p class="help">
            Organization code <code>{org.org_code}</code>. A setting whose "Use organization setting" box is off follows the{' '}
            <a href={href('environment')}>environment policy</a> and is shown greyed; changing it turns the box on.
          </p>
          <PolicyForm kind="organization" environment={environment} overrides={policy.overrides} save={save} />
          <section class="card danger-zone">
            <h2>Sessions of this organization</h2>
            <p role="status" class="status">
              {message}
            </p>
            <button type="button" class="danger" onClick={() => void endAll()}>
              End all sessions of this organization
            </button>
          </section>
        </>
      )}
    </main>
  );
}
