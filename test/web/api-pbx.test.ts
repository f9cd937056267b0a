/**
 * The JSON API for forwarding, voicemail boxes, entry numbers, the call log, queues, users and
 * the dashboard: token auth, schema errors naming the field, audit rows without secrets.
 */
import t from 'tap';
import { buildWebStack, login } from '../helpers/web.js';
import type { TestContext } from '../helpers/provisioning.js';
import { makeToneWav } from '../helpers/audio.js';
import { silentLogger } from '../../src/log.js';
import { createVoicemailStore } from '../../src/pbx/voicemail/store.js';
import { verifyPin } from '../../src/pbx/voicemail/pin.js';

async function withToken(t: TestContext) {
  const s = await buildWebStack(t, { options: { calls: () => ({ activeCalls: 3 }) } });
  await s.addUser('anna', 'admin');
  const b = (await login(s.app, 'anna')).session!;
  const page = await b.post('/admin/api-tokens', { name: 'ci' });
  const token = /<code class="secret">(hf_[\w-]+)<\/code>/.exec(page.body)![1]!;
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    s.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) });
  s.repos.extensions.add({ number: '101', displayName: 'Anna', sipPassword: 'pw-101-secret-x' });
  s.repos.extensions.add({ number: '102', displayName: 'Bartek', sipPassword: 'pw-102-secret-x' });
  return { s, call };
}

t.test('every new route needs a token', async (t) => {
  const { s } = await withToken(t);
  for (const url of ['/api/extensions/101/forwarding', '/api/mailboxes', '/api/entry-numbers', '/api/calls', '/api/queues', '/api/queues/live', '/api/users', '/api/dashboard', '/api/voicemail/problems']) {
    const res = await s.app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 401, url);
  }
});

t.test('forwarding: GET/PUT with schema and rule errors naming the field; audited', async (t) => {
  const { s, call } = await withToken(t);
  t.same((await call('GET', '/api/extensions/101/forwarding')).json(), { forwarding: {} });
  const typo = await call('PUT', '/api/extensions/101/forwarding', { bussy: { kind: 'hangup' } });
  t.equal(typo.statusCode, 400);
  t.match(typo.json(), { error: { field: 'bussy', code: 'HF_VALIDATION' } });
  const badKind = await call('PUT', '/api/extensions/101/forwarding', { busy: { kind: 'fax' } });
  t.equal(badKind.statusCode, 400);
  t.match(badKind.json(), { error: { field: 'busy' } });
  const short = await call('PUT', '/api/extensions/101/forwarding', { noAnswer: { after: 1, to: { kind: 'hangup' } } });
  t.equal(short.statusCode, 400);
  t.match(short.json(), { error: { field: 'noAnswer.after', message: /from 5 to 300/ } });
  const missing = await call('PUT', '/api/extensions/101/forwarding', { busy: { kind: 'extension', number: '199' } });
  t.equal(missing.statusCode, 400);
  t.match(missing.json(), { error: { field: 'busy', message: /extension 199 does not exist/ } });
  const ok = await call('PUT', '/api/extensions/101/forwarding', { busy: { kind: 'voicemail', box: '101' }, noAnswer: { after: 15, to: { kind: 'extension', number: '102' } } });
  t.equal(ok.statusCode, 200);
  t.same(ok.json().forwarding, { busy: { kind: 'voicemail', box: '101' }, noAnswer: { after: 15, to: { kind: 'extension', number: '102' } } });
  t.same(s.repos.forwarding.get('101'), ok.json().forwarding);
  t.equal((await call('GET', '/api/extensions/199/forwarding')).statusCode, 404);
  t.ok(s.repos.audit.recent(5).find((e) => e.action === 'extension.forwarding' && e.actor === 'token:ci'));
});

t.test('mailboxes: create with PIN (hash never returned), patch, greeting upload and download, messages, delete', async (t) => {
  const { s, call } = await withToken(t);
  const bad = await call('POST', '/api/mailboxes', { box: '500' });
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { error: { field: 'name' } });
  const created = await call('POST', '/api/mailboxes', { box: '500', name: 'Biuro', pin: '482913', emails: ['biuro@example.com'] });
  t.equal(created.statusCode, 201);
  t.match(created.json(), { mailbox: { box: '500', pinSet: true } });
  t.notMatch(created.body, /pinHash|scrypt/);
  t.ok(await verifyPin('482913', s.repos.mailboxes.get('500')!.pinHash!));
  const badPin = await call('PATCH', '/api/mailboxes/500', { pin: '12' });
  t.equal(badPin.statusCode, 400);
  t.match(badPin.json(), { error: { field: 'pin', message: /PIN must be 4–10 digits/ } });
  const patched = await call('PATCH', '/api/mailboxes/500', { name: 'Sekretariat', pin: null, extension: '101' });
  t.match(patched.json(), { mailbox: { name: 'Sekretariat', pinSet: false, extension: '101' } });

  const wav = Buffer.from(makeToneWav({ hz: 440, durationMs: 800, sampleRate: 44100 }));
  const up = await call('PUT', '/api/mailboxes/500/greeting', wav, { 'content-type': 'audio/wav' });
  t.equal(up.statusCode, 200);
  t.match(up.json(), { converted: true, mailbox: { greetingFile: 'greetings/500.wav' } });
  const refused = await call('PUT', '/api/mailboxes/500/greeting', Buffer.from('not audio at all'), { 'content-type': 'audio/wav', 'x-file-name': 'x.wav' });
  t.equal(refused.statusCode, 400);
  t.match(refused.json(), { error: { field: 'file', message: /^x\.wav: not a WAV file/ } });
  const down = await call('GET', '/api/mailboxes/500/greeting');
  t.equal(down.statusCode, 200);
  t.equal(down.headers['content-type'], 'audio/wav');
  t.equal(down.rawPayload.readUInt32LE(24), 8000);

  s.repos.mailboxes.update('500', { emails: ['biuro@example.com'] });
  const store = createVoicemailStore({ repos: s.repos, dataDir: s.dataDir, logger: silentLogger() });
  const { message, outbox } = await store.deposit({ box: '500', callerNumber: '600100200', durationMs: 900, wavBuffer: makeToneWav({ hz: 700, durationMs: 900 }) });
  s.repos.mailOutbox.beginAttempt(outbox[0]!.id, Date.now());
  s.repos.mailOutbox.markFailed(outbox[0]!.id, '550 no such user');
  const one = await call('GET', '/api/mailboxes/500');
  t.match(one.json(), { messages: [{ id: message.id, callerNumber: '600100200', outbox: [{ recipient: 'biuro@example.com', status: 'failed', lastError: '550 no such user' }] }] });
  t.equal((await call('GET', `/api/mailboxes/500/messages/${message.id}/audio`)).statusCode, 200);
  t.equal((await call('GET', `/api/mailboxes/501/messages/${message.id}/audio`)).statusCode, 404);
  t.match((await call('GET', '/api/voicemail/problems')).json(), { problems: [{ box: '500', kind: 'failed', recipient: 'biuro@example.com' }] });
  t.match((await call('GET', '/api/dashboard')).json(), { activeCalls: 3, queues: null, voicemailProblems: [{ box: '500' }] });
  const busy = await call('DELETE', '/api/mailboxes/500');
  t.equal(busy.statusCode, 409);
  s.repos.mailOutbox.retry('all', Date.now());
  s.repos.mailOutbox.markSent(outbox[0]!.id, Date.now());
  t.equal((await call('DELETE', '/api/mailboxes/500')).statusCode, 204);
  const dump = JSON.stringify(s.repos.audit.recent(20));
  t.notMatch(dump, /scrypt\$|482913|pinHash/);
});

t.test('entry numbers: PUT creates then replaces, status included; schedule errors name the field', async (t) => {
  const { s, call } = await withToken(t);
  s.clock.now = Date.parse('2026-11-25T09:00:00Z');
  const body = {
    schedule: { name: 'Office', timeZone: 'Europe/Warsaw', weekly: { wednesday: ['08:00-16:00'] }, holidays: [{ date: '12-25', name: 'Christmas' }] },
    inHours: { kind: 'extension', number: '101' }, afterHours: { kind: 'hangup' },
  };
  const badHours = await call('PUT', '/api/entry-numbers/100', { ...body, schedule: { ...body.schedule, weekly: { wednesday: ['8-16'] } } });
  t.equal(badHours.statusCode, 400);
  t.match(badHours.json(), { error: { field: 'weekly.wednesday', message: /not HH:MM-HH:MM/ } });
  const extra = await call('PUT', '/api/entry-numbers/100', { ...body, colour: 'red' });
  t.match(extra.json(), { error: { field: 'colour' } });
  const created = await call('PUT', '/api/entry-numbers/100', body);
  t.equal(created.statusCode, 201);
  t.match(created.json(), { entryNumber: { number: '100', status: { open: true, text: 'open now, closes Wed 25 Nov 16:00 (Europe/Warsaw)' } } });
  const replaced = await call('PUT', '/api/entry-numbers/100', { ...body, afterHours: { kind: 'voicemail', box: '101' } });
  t.equal(replaced.statusCode, 200);
  t.match((await call('GET', '/api/entry-numbers')).json(), { entryNumbers: [{ number: '100', afterHours: 'voicemail 101' }] });
  t.equal((await call('DELETE', '/api/entry-numbers/100')).statusCode, 204);
  t.equal((await call('GET', '/api/entry-numbers/100')).statusCode, 404);
  const actions = s.repos.audit.recent(10).map((e) => e.action);
  t.ok(['entry-number.create', 'entry-number.update', 'entry-number.delete'].every((a) => actions.includes(a)));
});

t.test('call log: filters, total and paging; bad filters name the field', async (t) => {
  const { s, call } = await withToken(t);
  for (let i = 0; i < 12; i++) {
    const c = s.repos.cdr.start({ callId: `c${i}`, caller: i < 4 ? '101' : '102', callee: '103', at: new Date(Date.UTC(2026, 10, 20, 9, i)).toISOString() });
    s.repos.cdr.end(c.id, i % 2 ? 'answered' : 'busy');
  }
  const page = await call('GET', '/api/calls?limit=5&offset=10');
  t.equal(page.json().total, 12);
  t.equal(page.json().calls.length, 2);
  t.equal(page.json().calls[1].callId, 'c0', 'oldest last');
  const filtered = await call('GET', '/api/calls?extension=101&disposition=answered');
  t.equal(filtered.json().total, 2);
  const bad = await call('GET', '/api/calls?from=yesterday');
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { error: { field: 'from' } });
  const badDisp = await call('GET', '/api/calls?disposition=lost');
  t.match(badDisp.json(), { error: { field: 'disposition' } });
  for (const disposition of ['voicemail', 'abandoned'] as const) {
    const c = s.repos.cdr.start({ callId: disposition, caller: '104', callee: '30' });
    s.repos.cdr.end(c.id, disposition);
    const only = await call('GET', `/api/calls?disposition=${disposition}`);
    t.equal(only.statusCode, 200, `the schema accepts ${disposition}`);
    t.match(only.json(), { total: 1, calls: [{ callId: disposition, disposition }] });
  }
});

t.test('queues: CRUD and members; users: role, reset password, last admin kept', async (t) => {
  const { s, call } = await withToken(t);
  s.repos.mailboxes.add({ box: '500', name: 'Biuro' });
  const bad = await call('POST', '/api/queues', { number: '30', overflow: '500', ringTimeoutS: 0 });
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { error: { field: 'ringTimeoutS' } });
  const created = await call('POST', '/api/queues', { number: '30', name: 'Sales', overflow: '500', members: ['101'] });
  t.equal(created.statusCode, 201);
  t.match(created.json(), { queue: { number: '30', overflow: { kind: 'voicemail', box: '500' }, members: [{ extension: '101' }] } });
  t.match((await call('PATCH', '/api/queues/30', { strategy: 'fewest-calls', maxWaitS: 120 })).json(), { queue: { strategy: 'fewest-calls', maxWaitS: 120 } });
  t.equal((await call('POST', '/api/queues/30/members', { extension: '102', order: 1 })).statusCode, 201);
  t.same(s.repos.queues.get('30')!.members.map((m) => m.extension), ['102', '101']);
  t.equal((await call('DELETE', '/api/queues/30/members/101')).statusCode, 204);
  t.equal((await call('DELETE', '/api/queues/30/members/101')).statusCode, 404);
  t.same((await call('GET', '/api/queues/live')).json(), { available: false, queues: [] });
  t.equal((await call('DELETE', '/api/queues/30')).statusCode, 204);

  const anna = s.repos.users.getByName('anna')!;
  const last = await call('PATCH', `/api/users/${anna.id}`, { role: 'installer' });
  t.equal(last.statusCode, 409);
  t.match(last.json(), { error: { message: /anna is the last admin/ } });
  t.equal((await call('DELETE', `/api/users/${anna.id}`)).statusCode, 409, 'the last admin cannot be deleted');
  await s.addUser('igor', 'installer');
  const igor = s.repos.users.getByName('igor')!;
  t.match((await call('PATCH', `/api/users/${igor.id}`, { role: 'admin' })).json(), { user: { name: 'igor', role: 'admin' } });
  const badRole = await call('PATCH', `/api/users/${igor.id}`, { role: 'root' });
  t.match(badRole.json(), { error: { field: 'role' } });
  const reset = await call('POST', `/api/users/${igor.id}/reset-password`);
  const password = reset.json().password as string;
  t.equal(password.length, 16);
  t.ok((await login(s.app, 'igor', password)).session);
  t.notMatch(reset.body, /passwordHash/);
  t.notMatch(JSON.stringify(s.repos.audit.recent(30)), password, 'the password is not in the audit log');
  t.equal((await call('DELETE', `/api/users/${anna.id}`)).statusCode, 204, 'with another admin, anna can go');
  t.equal((await call('GET', '/api/users')).json().users.length, 1);
});
