// The console: sign in, see and end your sessions, and (for admins) the environment policy. It talks to
// the same public API as any client, from the same origin, so the session cookie and CSRF rules apply.
const $ = (id) => document.getElementById(id);
const when = (t) => (t === null ? '—' : new Date(t * 1000).toLocaleString());

async function api(method, path, body) {
  const init = { method, headers: {}, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const text = await res.text();
  return { status: res.status, json: text === '' ? null : JSON.parse(text) };
}

async function refresh() {
  const me = await api('GET', '/auth/session');
  const signedIn = me.status === 200;
  $('signin').hidden = signedIn;
  $('account').hidden = !signedIn;
  $('who').textContent = signedIn ? `signed in as ${me.json.session.subject}` : '';
  if (!signedIn) {
    $('admin').hidden = true;
    return;
  }
  const list = await api('GET', '/auth/sessions');
  const rows = (list.json?.sessions ?? []).map((s) => {
    const tr = document.createElement('tr');
    if (s.current) tr.className = 'current';
    for (const text of [when(s.created_at), when(s.last_activity_at), when(s.expires_at), `${s.ip ?? ''} ${s.user_agent ?? ''}`]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    const td = document.createElement('td');
    if (!s.current) {
      const button = document.createElement('button');
      button.textContent = 'End';
      button.onclick = async () => {
        await api('DELETE', `/auth/sessions/${encodeURIComponent(s.id)}`);
        await refresh();
      };
      td.append(button);
    } else {
      td.textContent = 'this one';
    }
    tr.append(td);
    return tr;
  });
  $('sessions').replaceChildren(...rows);
  const policy = await api('GET', '/api/v1/environment/sessions');
  $('admin').hidden = policy.status !== 200;
  if (policy.status === 200) $('policy').textContent = JSON.stringify(policy.json, null, 2);
}

$('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const body = { username: form.get('username'), password: form.get('password'), remember: form.get('remember') === 'on' };
  if (form.get('org')) body.org = form.get('org');
  const res = await api('POST', '/auth/login', body);
  $('login-error').textContent = res.status === 200 ? '' : (res.json?.error?.message ?? 'sign-in failed');
  if (res.status === 200) event.target.reset();
  await refresh();
});
$('logout').addEventListener('click', async () => {
  await api('POST', '/auth/logout');
  await refresh();
});
$('others').addEventListener('click', async () => {
  await api('DELETE', '/auth/sessions?others=true');
  await refresh();
});

await refresh();
