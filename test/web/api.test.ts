import t from 'tap';
import { buildWebStack, login } from '../helpers/web.js';
import { seedOffice, SPA303_MAC, type TestContext } from '../helpers/provisioning.js';
import { spaUserAgent } from '../helpers/spa-device.js';

async function withToken(t: TestContext) {
  const s = await buildWebStack(t);
  await s.addUser('anna', 'admin');
  const b = (await login(s.app, 'anna')).session!;
  const page = await b.post('/admin/api-tokens', { name: 'ci' });
  const token = /<code class="secret">(hf_[\w-]+)<\/code>/.exec(page.body)![1]!;
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, auth = `Bearer ${token}`) =>
    s.app.inject({ method, url, headers: { authorization: auth }, ...(payload === undefined ? {} : { payload: payload as object }) });
  return { s, b, token, call };
}

t.test('token auth: missing, wrong and revoked tokens get 401 JSON; tokens are stored hashed', async (t) => {
  const { s, b, token, call } = await withToken(t);
  const none = await s.app.inject({ method: 'GET', url: '/api/extensions' });
  t.equal(none.statusCode, 401);
  t.match(none.json(), { error: { message: /API token is required/ } });
  t.equal((await call('GET', '/api/extensions', undefined, 'Bearer hf_wrong')).statusCode, 401);
  t.equal((await call('GET', '/api/extensions')).statusCode, 200);
  const stored = s.repos.apiTokens.list()[0]!;
  t.not(stored.tokenHash, token);
  t.notMatch(JSON.stringify(s.repos.audit.recent(10)), token, 'the token is not in the audit log');
  t.ok(stored.lastUsedAt);
  await b.post(`/admin/api-tokens/${stored.id}/revoke`, {});
  t.equal((await call('GET', '/api/extensions')).statusCode, 401, 'revoked');
});

t.test('extensions CRUD with schema errors naming the field', async (t) => {
  const { s, call } = await withToken(t);
  const missing = await call('POST', '/api/extensions', { number: '140' });
  t.equal(missing.statusCode, 400);
  t.match(missing.json(), { error: { field: 'displayName', code: 'HF_VALIDATION' } });
  const extra = await call('POST', '/api/extensions', { number: '140', displayName: 'A', colour: 'red' });
  t.equal(extra.statusCode, 400);
  t.match(extra.json(), { error: { field: 'colour' } });
  const badNumber = await call('POST', '/api/extensions', { number: '1', displayName: 'A' });
  t.equal(badNumber.statusCode, 400);
  t.match(badNumber.json(), { error: { field: 'number', message: /number/ } });

  const created = await call('POST', '/api/extensions', { number: '140', displayName: 'Ala', emails: ['ala@example.com'] });
  t.equal(created.statusCode, 201);
  const body = created.json() as { extension: Record<string, unknown>; sipPassword: string };
  t.equal(body.sipPassword, s.repos.extensions.get('140')!.sipPassword, 'generated password returned once');
  t.notOk('sipPassword' in body.extension);
  t.equal((await call('POST', '/api/extensions', { number: '140', displayName: 'Again' })).statusCode, 409);
  const listed = (await call('GET', '/api/extensions')).json() as { extensions: Record<string, unknown>[] };
  t.equal(listed.extensions.length, 1);
  t.notOk('sipPassword' in listed.extensions[0]!);

  const patched = await call('PATCH', '/api/extensions/140', { displayName: 'Ala K.', rotatePassword: true });
  t.equal(patched.statusCode, 200);
  t.equal((patched.json() as { sipPassword: string }).sipPassword, s.repos.extensions.get('140')!.sipPassword);
  t.equal((await call('GET', '/api/extensions/999')).statusCode, 404);
  t.equal((await call('DELETE', '/api/extensions/140')).statusCode, 204);
  t.equal(s.repos.extensions.get('140'), undefined);
  t.ok(s.repos.audit.recent(10).find((e) => e.actor === 'token:ci' && e.action === 'extension.delete'));
});

t.test('devices CRUD, model rules, render (masked) and diff, sightings and log', async (t) => {
  const { s, call } = await withToken(t);
  seedOffice(s.repos);
  const badMac = await call('POST', '/api/devices', { mac: 'xyz', model: 'spa303', lines: ['101'] });
  t.equal(badMac.statusCode, 400);
  t.match(badMac.json(), { error: { field: 'mac' } });
  const tooMany = await call('POST', '/api/devices', { mac: '001122334401', model: 'spa112', lines: ['101', '102', '201'] });
  t.match(tooMany.json(), { error: { field: 'lines' } });
  const wrongType = await call('POST', '/api/devices', { mac: '001122334401', model: 'spa112', lines: [] });
  t.equal(wrongType.statusCode, 400);
  t.match(wrongType.json(), { error: { field: 'lines' } });
  const created = await call('POST', '/api/devices', { mac: '00:11:22:33:44:01', model: 'SPA112', lines: ['101'], hookFlashPreset: 'europe-270ms' });
  t.equal(created.statusCode, 201);
  t.match(created.json(), { device: { mac: '001122334401', model: 'spa112' } });
  t.notOk('adminPassword' in (created.json() as { device: object }).device);
  const patched = await call('PATCH', '/api/devices/001122334401', { label: 'Fax' });
  t.match(patched.json(), { device: { label: 'Fax' } });

  const render = await call('GET', `/api/devices/${SPA303_MAC}/render`);
  t.equal(render.statusCode, 200);
  t.notMatch(render.body, 'pw-101-secret');
  t.match(render.body, /\(secret\)/);
  t.same((await call('GET', `/api/devices/${SPA303_MAC}/diff`)).json(), { lastFetchedAt: null, changes: null });
  await s.app.inject({ method: 'GET', url: `/spa/${SPA303_MAC}.xml`, headers: { 'user-agent': spaUserAgent('SPA303', '7.6.2c', SPA303_MAC) } });
  await s.service.flush();
  s.repos.extensions.update('101', { sipPassword: 'new-secret-101' });
  const diff = (await call('GET', `/api/devices/${SPA303_MAC}/diff`)).json() as { changes: { name: string; before: string; after: string }[] };
  t.same(diff.changes.find((c) => c.name === 'Password_1_'), { name: 'Password_1_', change: 'changed', before: '(secret)', after: '(secret)' });

  t.match((await call('GET', '/api/sightings?limit=5')).json(), { sightings: [{ mac: SPA303_MAC }] });
  t.match((await call('GET', '/api/provisioning-log')).json(), { entries: [{ mac: SPA303_MAC }] });
  const badLimit = await call('GET', '/api/sightings?limit=0');
  t.equal(badLimit.statusCode, 400);
  t.match(badLimit.json(), { error: { field: 'limit' } });
  t.equal((await call('DELETE', '/api/devices/001122334401')).statusCode, 204);
  t.equal((await call('GET', '/api/nope')).statusCode, 404);
});
