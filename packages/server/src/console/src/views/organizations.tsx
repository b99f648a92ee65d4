import type { OrgView } from '../api.ts';
import { when } from '../format.ts';
import { ListPage } from '../parts/list-page.tsx';
import { go, href } from '../router.ts';

const COLUMNS = [
  { header: 'Name', cell: (o: OrgView) => <a href={href('organizations', o.org_code)}>{o.name}</a> },
  { header: 'Code', cell: (o: OrgView) => <code>{o.org_code}</code> },
  { header: 'Created', cell: (o: OrgView) => when(o.created_at) },
];

/** Organizations: search and create; each links to its Sessions page. */
export function Organizations() {
  return (
    <ListPage<OrgView>
      path="/api/v1/organizations"
      id="org"
      plural="organizations"
      matches={(o, q) => o.org_code.toLowerCase().includes(q) || o.name.toLowerCase().includes(q)}
      keyOf={(o) => o.org_code}
      columns={COLUMNS}
      create={{
        title: 'Create an organization',
        button: 'Create organization',
        errorId: 'create-org-error',
        body: (data) => ({ org_code: data.get('org_code'), name: data.get('name') }),
        created: (o) => go('organizations', o.org_code),
      }}
    >
      <label for="new-org-code">Code</label>
      <input id="new-org-code" name="org_code" required pattern="[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}" aria-describedby="new-org-code-help create-org-error" />
      <p id="new-org-code-help" class="help">Letters, digits, ".", "_" or "-"; used in sign-ins and in the API.</p>
      <label for="new-org-name">Name</label>
      <input id="new-org-name" name="name" required />
    </ListPage>
  );
}
