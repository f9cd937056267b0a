/**
 * A password reset, a role change and deleting a user end that user's sessions: the old
 * session cookie is refused afterwards (web pages and the installer status JSON alike).
 * Other users' sessions, and the acting admin's own, stay.
 */
import t from 'tap';
import { buildWebStack, login } from '../helpers/web.js';
import { sha256 } from '../../src/web/sessions.js';

async function office(t: Parameters<typeof buildWebStack>[0]) {
  const s = await buildWebStack(t);
  await s.addUser('anna', 'admin');
  await s.addUser('igor', 'installer');
  await s.addUser('olga', 'installer');
  const admin = (await login(s.app, 'anna')).session!;
  const id = (name: string) => s.repos.users.getByName(name)!.id;
  return { s, admin, id };
}

t.test('password reset: every session of that user is refused afterwards, others stay', async (t) => {
  const { s, admin, id } = await office(t);
  const igorPhone = (await login(s.app, 'igor')).session!;
  const igorLaptop = (await login(s.app, 'igor')).session!;
  const olga = (await login(s.app, 'olga')).session!;
  t.equal((await igorPhone.get('/installer')).statusCode, 200);

  const reset = await admin.post(`/admin/users/${id('igor')}/reset-password`, {});
  t.equal(reset.statusCode, 200);
  t.match(reset.body, /New password for igor generated; 2 open sessions logged out\./);
  for (const [name, b] of [['phone', igorPhone], ['laptop', igorLaptop]] as const) {
    const res = await b.get('/installer');
    t.equal(res.statusCode, 303, `igor's ${name} session is refused`);
    t.match(res.headers.location, /^\/login/);
    const json = await s.app.inject({ method: 'GET', url: '/installer/status/0011223344aa', headers: { cookie: b.cookie } });
    t.equal(json.statusCode, 401, 'the status API refuses it too');
  }
  t.equal((await olga.get('/installer')).statusCode, 200, "another user's session stays");
  t.equal((await admin.get('/admin/users')).statusCode, 200, "the admin's own session stays");
  const row = s.repos.audit.recent(20).find((e) => e.action === 'user.reset-password')!;
  t.same(row.after, { password: '[redacted, changed]', sessionsEnded: 2 });
});

t.test('resetting your own password keeps the session you did it from, ends your others', async (t) => {
  const { s, admin, id } = await office(t);
  const otherTab = (await login(s.app, 'anna')).session!;
  const reset = await admin.post(`/admin/users/${id('anna')}/reset-password`, {});
  t.match(reset.body, /1 open session logged out/);
  t.equal((await admin.get('/admin')).statusCode, 200, 'the session that reset it stays');
  t.equal((await otherTab.get('/admin')).statusCode, 303, 'the other one is refused');
});

t.test('role change and deletion end the sessions; the API reset does too', async (t) => {
  const { s, admin, id } = await office(t);
  const igor = (await login(s.app, 'igor')).session!;
  const promoted = await admin.post(`/admin/users/${id('igor')}/role`, { role: 'admin' });
  t.match(promoted.body, /igor is now admin\. Their open sessions were ended/);
  t.equal((await igor.get('/installer')).statusCode, 303, 'the installer-era session is refused');
  const igorAgain = (await login(s.app, 'igor')).session!;
  t.equal((await igorAgain.get('/admin')).statusCode, 200, 'a new login gets the new role');

  const same = await admin.post(`/admin/users/${id('igor')}/role`, { role: 'admin' });
  t.notMatch(same.body, /sessions were ended/, 'no change, no logout');
  t.equal((await igorAgain.get('/admin')).statusCode, 200);

  const olga = (await login(s.app, 'olga')).session!;
  const olgaId = id('olga');
  t.equal((await admin.post(`/admin/users/${olgaId}/delete`, {})).statusCode, 200);
  t.equal((await olga.get('/installer')).statusCode, 303, "a deleted user's session is refused");
  t.equal(s.repos.sessions.get(sha256(olga.cookie.replace(/^hf_session=/, ''))), undefined, 'and removed from the store');

  const page = await admin.post('/admin/api-tokens', { name: 'ci' });
  const token = /<code class="secret">(hf_[\w-]+)<\/code>/.exec(page.body)![1]!;
  const viaApi = await s.app.inject({ method: 'POST', url: `/api/users/${id('igor')}/reset-password`, headers: { authorization: `Bearer ${token}` } });
  t.equal(viaApi.statusCode, 200);
  t.equal((await igorAgain.get('/admin')).statusCode, 303, 'an API reset ends the sessions as well');
});

t.test('sessions repository: removeForUser removes only that user, optionally keeping one', async (t) => {
  const s = await buildWebStack(t);
  await s.addUser('a', 'admin');
  await s.addUser('b', 'installer');
  const [a, b] = [s.repos.users.getByName('a')!.id, s.repos.users.getByName('b')!.id];
  const add = (idHash: string, userId: number) => s.repos.sessions.create({ idHash, userId, csrfToken: 'x', createdAt: 1, lastSeenAt: 1 });
  add('a1', a); add('a2', a); add('a3', a); add('b1', b);
  t.equal(s.repos.sessions.removeForUser(a, 'a2'), 2);
  t.ok(s.repos.sessions.get('a2'));
  t.notOk(s.repos.sessions.get('a1'));
  t.ok(s.repos.sessions.get('b1'));
  t.equal(s.repos.sessions.removeForUser(a), 1);
  t.equal(s.repos.sessions.removeForUser(a), 0);
  t.ok(s.repos.sessions.get('b1'));
});
