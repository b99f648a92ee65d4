import { useEffect, useState } from 'preact/hooks';
import { api, listAll, type OrgView } from '../api.ts';
import { when } from '../format.ts';
import { go, href } from '../router.ts';

/** Organizations: search and create; each links to its Sessions page. */
export function Organizations() {
  const [orgs, setOrgs] = useState<readonly OrgView[] | null>(null);
  const [query, setQuery] = useState('');
  const [error, setError] = useState('');
  const [createError, setCreateError] = useState('');

  useEffect(() => {
    void listAll<OrgView>('/api/v1/organizations', 'organizations').then((answer) => {
      if (answer.ok) setOrgs(answer.data);
      else setError(answer.error?.message ?? 'could not load organizations');
    });
  }, []);

  const create = async (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const answer = await api<OrgView>('POST', '/api/v1/organizations', { org_code: data.get('org_code'), name: data.get('name') });
    if (answer.ok) go('organizations', answer.data.org_code);
    else setCreateError(answer.error?.message ?? 'not created');
  };

  const q = query.trim().toLowerCase();
  const shown = (orgs ?? []).filter((o) => q === '' || o.org_code.toLowerCase().includes(q) || o.name.toLowerCase().includes(q));
  return (
    <main id="main">
      <h1 tabIndex={-1}>Organizations</h1>
      <section class="card">
        <label for="org-search">Search organizations</label>
        <input id="org-search" type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} aria-describedby="org-count" />
        <p id="org-count" class="help" role="status">
          {orgs === null ? 'Loading…' : `${shown.length} of ${orgs.length} organizations`}
        </p>
        {error !== '' && <p class="form-error" role="alert">{error}</p>}
        {shown.length > 0 && (
          <table class="list">
            <caption class="visually-hidden">Organizations</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Code</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((o) => (
                <tr key={o.org_code}>
                  <td data-label="Name">
                    <a href={href('organizations', o.org_code)}>{o.name}</a>
                  </td>
                  <td data-label="Code">
                    <code>{o.org_code}</code>
                  </td>
                  <td data-label="Created">{when(o.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section class="card">
        <h2>Create an organization</h2>
        <form onSubmit={create} class="stacked">
          <label for="new-org-code">Code</label>
          <input id="new-org-code" name="org_code" required pattern="[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}" aria-describedby="new-org-code-help create-org-error" />
          <p id="new-org-code-help" class="help">Letters, digits, ".", "_" or "-"; used in sign-ins and in the API.</p>
          <label for="new-org-name">Name</label>
          <input id="new-org-name" name="name" required />
          <p id="create-org-error" class="field-error" role="alert">
            {createError}
          </p>
          <div class="actions">
            <button type="submit">Create organization</button>
          </div>
        </form>
      </section>
    </main>
  );
}
