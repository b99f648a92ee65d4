import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';

interface LoginOptions {
  readonly remember: boolean;
  readonly providers: readonly string[];
}

/**
 * Sign-in. "Remember me" is offered only when the policy that would apply allows it (the public
 * login options, asked again when the organization changes), so it never silently does nothing.
 */
export function SignIn(props: { readonly onSignedIn: () => void }) {
  const [org, setOrg] = useState('');
  const [options, setOptions] = useState<LoginOptions>({ remember: false, providers: [] });
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const query = org.trim() === '' ? '' : `?org=${encodeURIComponent(org.trim())}`;
    let stale = false;
    const timer = setTimeout(() => {
      void api<LoginOptions>('GET', `/auth/login-options${query}`).then((answer) => {
        if (!stale && answer.ok) setOptions(answer.data);
      });
    }, 250);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [org]);

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const body: Record<string, unknown> = { username: form.get('username'), password: form.get('password') };
    if (org.trim() !== '') body['org'] = org.trim();
    if (options.remember && form.get('remember') === 'on') body['remember'] = true;
    setBusy(true);
    const answer = await api('POST', '/auth/login', body);
    setBusy(false);
    if (answer.ok) {
      setError('');
      props.onSignedIn();
    } else {
      setError(answer.error?.message ?? 'sign-in failed');
    }
  };

  return (
    <>
    <header class="top">
      <span class="brand">Tenure</span>
    </header>
    <main id="main" class="narrow">
      <h1>Sign in to the console</h1>
      <form class="card" onSubmit={onSubmit} aria-describedby={error === '' ? undefined : 'signin-error'}>
        <label for="signin-username">User name</label>
        <input id="signin-username" name="username" autocomplete="username" required autofocus />
        <label for="signin-password">Password</label>
        <input id="signin-password" name="password" type="password" autocomplete="current-password" required />
        <label for="signin-org">Organization (optional)</label>
        <input id="signin-org" name="org" value={org} onInput={(e) => setOrg(e.currentTarget.value)} />
        {options.remember && (
          <label class="choice">
            <input name="remember" type="checkbox" /> Remember me
          </label>
        )}
        <p id="signin-error" class="field-error" role="alert">
          {error}
        </p>
        <button type="submit" class="primary" disabled={busy}>
          Sign in
        </button>
        {options.providers.length > 0 && (
          <ul class="providers">
            {options.providers.map((name) => (
              <li key={name}>
                <a href={`/auth/oidc/${encodeURIComponent(name)}/login?return_to=${encodeURIComponent('/console/')}${org.trim() === '' ? '' : `&org=${encodeURIComponent(org.trim())}`}`}>Sign in with {name}</a>
              </li>
            ))}
          </ul>
        )}
      </form>
    </main>
    </>
  );
}
