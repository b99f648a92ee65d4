import { useEffect, useState } from 'preact/hooks';
import { api, listAll, type UserView } from '../api.ts';
import { go, href } from '../router.ts';

/** Users: search and create; each links to its page (disable, roles, password, sessions). */
export function Users() {
  const [users, setUsers] = useState<readonly UserView[] | null>(null);
  const [query, setQuery] = useState('');
  const [error, setError] = useState('');
  const [createError, setCreateError] = useState('');

  useEffect(() => {
    void listAll<UserView>('/api/v1/users', 'users').then((answer) => {
      if (answer.ok) setUsers(answer.data);
      else setError(answer.error?.message ?? 'could not load users');
    });
  }, []);

  const create = async (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const orgs = String(data.get('orgs') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    const answer = await api<UserView>('POST', '/api/v1/users', {
      username: data.get('username'),
      password: data.get('password'),
      orgs,
      roles: data.get('admin') === 'on' ? ['admin'] : [],
    });
    if (answer.ok) go('users', answer.data.id);
    else setCreateError(answer.error?.message ?? 'not created');
  };

  const q = query.trim().toLowerCase();
  const shown = (users ?? []).filter((u) => q === '' || u.username.toLowerCase().includes(q) || u.id.toLowerCase().includes(q));
  return (
    <main id="main">
      <h1 tabIndex={-1}>Users</h1>
      <section class="card">
        <label for="user-search">Search users</label>
        <input id="user-search" type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} aria-describedby="user-count" />
        <p id="user-count" class="help" role="status">
          {users === null ? 'Loading…' : `${shown.length} of ${users.length} users`}
        </p>
        {error !== '' && <p class="form-error" role="alert">{error}</p>}
        {shown.length > 0 && (
          <table class="list">
            <caption class="visually-hidden">Users</caption>
            <thead>
              <tr>
                <th scope="col">User name</th>
                <th scope="col">Roles</th>
                <th scope="col">Organizations</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((u) => (
                <tr key={u.id}>
                  <td data-label="User name">
                    <a href={href('users', u.id)}>{u.username}</a>
                  </td>
                  <td data-label="Roles">{u.roles.length === 0 ? 'user' : u.roles.join(', ')}</td>
                  <td data-label="Organizations">{u.orgs.length === 0 ? '—' : u.orgs.join(', ')}</td>
                  <td data-label="Status">{u.disabled ? 'disabled' : 'active'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section class="card">
        <h2>Create a user</h2>
        <form onSubmit={create} class="stacked">
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
          <p class="field-error" role="alert">
            {createError}
          </p>
          <div class="actions">
            <button type="submit">Create user</button>
          </div>
        </form>
      </section>
    </main>
  );
}
