import type { UserView } from '../api.ts';
import { ListPage } from '../parts/list-page.tsx';
import { go, href } from '../router.ts';

const COLUMNS = [
  { header: 'User name', cell: (u: UserView) => <a href={href('users', u.id)}>{u.username}</a> },
  { header: 'Roles', cell: (u: UserView) => (u.roles.length === 0 ? 'user' : u.roles.join(', ')) },
  { header: 'Organizations', cell: (u: UserView) => (u.orgs.length === 0 ? '—' : u.orgs.join(', ')) },
  { header: 'Status', cell: (u: UserView) => (u.disabled ? 'disabled' : 'active') },
];

/** The create form's body: organization codes comma-separated, the administrator box as the role. */
const body = (data: FormData): Record<string, unknown> => ({
  username: data.get('username'),
  password: data.get('password'),
  orgs: String(data.get('orgs') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''),
  roles: data.get('admin') === 'on' ? ['admin'] : [],
});

/** Users: search and create; each links to its page (disable, roles, password, sessions). */
export function Users() {
  return (
    <ListPage<UserView>
      path="/api/v1/users"
      id="user"
      plural="users"
      matches={(u, q) => u.username.toLowerCase().includes(q) || u.id.toLowerCase().includes(q)}
      keyOf={(u) => u.id}
      columns={COLUMNS}
      create={{ title: 'Create a user', button: 'Create user', body, created: (u) => go('users', u.id) }}
    >
      <label for="new-user-name">User name</label>
      <input id="new-user-name" name="username" autocomplete="off" required />
      <label for="new-user-password">Password</label>
      <input id="new-user-password" name="password" type="password" autocomplete="new-password" minLength={8} required aria-describedby="new-user-password-help" />
      <p id="new-user-password-help" class="help">At least 8 characters.</p>
      <label for="new-user-orgs">Organizations</label>
      <input id="new-user-orgs" name="orgs" aria-describedby="new-user-orgs-help" />
      <p id="new-user-orgs-help" class="help">Organization codes, comma-separated.</p>
      <label class="choice">
        <input name="admin" type="checkbox" /> Administrator
      </label>
    </ListPage>
  );
}
