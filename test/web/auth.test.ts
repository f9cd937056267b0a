import t from 'tap';
import { buildWebStack, cookieFrom, csrfIn, form, FORM, login, PASSWORD } from '../helpers/web.js';
import { ensureAdminSetupLink } from '../../src/web/index.js';

t.test('login sets a secure-by-default session cookie; logout ends it', async (t) => {
  const s = await buildWebStack(t, { options: { secureCookies: true } });
  await s.addUser('anna', 'admin');
  const res = await login(s.app, 'anna');
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/admin');
  const setCookie = String(res.headers['set-cookie']);
  t.match(setCookie, /hf_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Secure/);
  t.match(res.headers['content-security-policy'], /script-src 'self'; frame-ancestors 'none'/);
  t.equal(res.headers['referrer-policy'], 'no-referrer');
  const b = res.session!;
  t.equal((await b.get('/admin')).statusCode, 200);
  const out = await b.post('/logout', {});
  t.equal(out.statusCode, 303);
  t.match(String(out.headers['set-cookie']), /Max-Age=0/);
  const after = await b.get('/admin');
  t.equal(after.statusCode, 303, 'the old cookie no longer works');
  t.match(after.headers.location, /^\/login\?next=%2Fadmin/);
});

t.test('wrong password: clear message, 401; then rate limited with 429 and Retry-After', async (t) => {
  const s = await buildWebStack(t, { options: { loginMaxFailures: 3, loginWindowMs: 1000 } });
  await s.addUser('anna', 'admin');
  for (let i = 0; i < 3; i++) {
    const r = await login(s.app, 'anna', 'wrong-password');
    t.equal(r.statusCode, 401);
    t.match(r.body, /Wrong user name or password/);
  }
  const blocked = await login(s.app, 'anna', PASSWORD);
  t.equal(blocked.statusCode, 429, 'even the right password waits out the window');
  t.ok(Number(blocked.headers['retry-after']) >= 1);
  t.match(blocked.body, /Too many failed logins/);
  const otherIp = await login(s.app, 'anna', PASSWORD, '10.0.0.9');
  t.equal(otherIp.statusCode, 429, 'the user name is limited from any address');
  s.clock.now += 1001;
  t.equal((await login(s.app, 'anna', PASSWORD)).statusCode, 303, 'allowed again after the window');
});

t.test('sessions expire after the idle timeout; activity keeps them alive', async (t) => {
  const s = await buildWebStack(t, { options: { idleTimeoutMs: 1000 } });
  await s.addUser('anna', 'admin');
  const b = (await login(s.app, 'anna')).session!;
  s.clock.now += 900;
  t.equal((await b.get('/admin')).statusCode, 200);
  s.clock.now += 900;
  t.equal((await b.get('/admin')).statusCode, 200, 'still alive: idle time counts from the last request');
  s.clock.now += 1001;
  const res = await b.get('/admin');
  t.equal(res.statusCode, 303);
  t.match(res.headers.location, /^\/login/);
});

t.test('CSRF: missing or wrong token → 403 and nothing changes', async (t) => {
  const s = await buildWebStack(t);
  await s.addUser('anna', 'admin');
  const b = (await login(s.app, 'anna')).session!;
  const fields = { number: '150', displayName: 'Nobody' };
  const missing = await b.post('/admin/extensions', fields, null);
  t.equal(missing.statusCode, 403);
  t.match(missing.body, /security token/);
  const wrong = await b.post('/admin/extensions', fields, 'x'.repeat(43));
  t.equal(wrong.statusCode, 403);
  t.equal(s.repos.extensions.get('150'), undefined);
  const ok = await b.post('/admin/extensions', fields);
  t.equal(ok.statusCode, 200);
  t.ok(s.repos.extensions.get('150'));

  const page = await s.app.inject({ method: 'GET', url: '/login' });
  const noCookie = await s.app.inject({ method: 'POST', url: '/login', headers: FORM, payload: form({ name: 'anna', password: PASSWORD, _csrf: csrfIn(page.body) }) });
  t.equal(noCookie.statusCode, 403, 'the login form is CSRF-protected too (double submit)');
});

t.test('installer reaches only the installer page; admin pages and API are refused', async (t) => {
  const s = await buildWebStack(t);
  await s.addUser('tech', 'installer');
  const res = await login(s.app, 'tech');
  t.equal(res.headers.location, '/installer');
  const b = res.session!;
  t.equal((await b.get('/installer')).statusCode, 200);
  for (const url of ['/admin', '/admin/extensions', '/admin/devices', '/admin/devices/0011223344aa', '/admin/sightings', '/admin/provisioning-log', '/admin/import', '/admin/audit', '/admin/api-tokens', '/admin/users']) {
    t.equal((await b.get(url)).statusCode, 403, `GET ${url}`);
  }
  t.equal((await b.post('/admin/extensions', { number: '150', displayName: 'X' })).statusCode, 403);
  t.equal((await b.post('/admin/users', { name: 'mallory', role: 'admin' })).statusCode, 403);
  t.equal(s.repos.users.getByName('mallory'), undefined, 'an installer cannot make itself an admin');
  t.equal(s.repos.extensions.get('150'), undefined);
  const api = await s.app.inject({ method: 'GET', url: '/api/extensions', headers: { cookie: b.cookie } });
  t.equal(api.statusCode, 401, 'a session cookie is not an API credential');
  t.equal((await s.app.inject({ method: 'GET', url: '/installer' })).statusCode, 303, 'anonymous → login');
});

t.test('setup link: only without an admin, one use, limited time', async (t) => {
  const s = await buildWebStack(t, { options: { setupLinkTtlMs: 1000 } });
  const deps = { repos: s.repos, config: s.config, clock: () => s.clock.now, ttlMs: 1000 };
  const expired = ensureAdminSetupLink(deps)!;
  s.clock.now += 1001;
  const path1 = new URL(expired).pathname;
  const page1 = await s.app.inject({ method: 'GET', url: path1 });
  const c1 = cookieFrom(page1, 'hf_form')!;
  const late = await s.app.inject({ method: 'POST', url: path1, headers: { ...FORM, cookie: `hf_form=${c1}` }, payload: form({ name: 'root', password: 'long-enough-pw', _csrf: c1 }) });
  t.equal(late.statusCode, 410);
  t.match(late.body, /expired/);

  const url = ensureAdminSetupLink(deps)!;
  t.match(url, /^http:\/\/127\.0\.0\.1:0\/setup\/[\w-]{43}$/);
  const path = new URL(url).pathname;
  const page = await s.app.inject({ method: 'GET', url: path });
  const c = cookieFrom(page, 'hf_form')!;
  const short = await s.app.inject({ method: 'POST', url: path, headers: { ...FORM, cookie: `hf_form=${c}` }, payload: form({ name: 'root', password: 'short', _csrf: c }) });
  t.equal(short.statusCode, 400);
  t.match(short.body, /at least 10 characters/);
  t.match(short.body, /value="root"/, 'the typed name is kept');
  const ok = await s.app.inject({ method: 'POST', url: path, headers: { ...FORM, cookie: `hf_form=${c}` }, payload: form({ name: 'root', password: 'long-enough-pw', _csrf: c }) });
  t.equal(ok.statusCode, 303);
  t.equal(s.repos.users.getByName('root')?.role, 'admin');
  t.equal(ensureAdminSetupLink(deps), null, 'no link once an admin exists');
  const again = await s.app.inject({ method: 'POST', url: path, headers: { ...FORM, cookie: `hf_form=${c}` }, payload: form({ name: 'root2', password: 'long-enough-pw', _csrf: c }) });
  t.equal(again.statusCode, 410);
  const audit = s.repos.audit.recent(10).find((e) => e.action === 'user.create')!;
  t.same(audit.after, { name: 'root', role: 'admin', password: '[redacted]' });
});

t.test('admins add users from the users page; the generated password works once shown', async (t) => {
  const s = await buildWebStack(t);
  await s.addUser('anna', 'admin');
  const b = (await login(s.app, 'anna')).session!;
  const short = await b.post('/admin/users', { name: 'tech1', role: 'installer', password: 'short' });
  t.equal(short.statusCode, 400);
  t.match(short.body, /at least 10 characters/);
  t.match(short.body, /value="tech1"/);
  const added = await b.post('/admin/users', { name: 'tech1', role: 'installer', password: '' });
  const pw = /<code class="secret">([^<]+)<\/code>/.exec(added.body)![1]!;
  t.equal((await login(s.app, 'tech1', pw)).headers.location, '/installer');
  const audit = s.repos.audit.recent(10).find((e) => e.action === 'user.create')!;
  t.same(audit.after, { name: 'tech1', role: 'installer', password: '[redacted]' });
  t.notMatch(JSON.stringify(s.repos.audit.recent(50)), pw);
});
