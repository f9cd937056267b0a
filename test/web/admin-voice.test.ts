/**
 * Admin pages for the PBX's voice features through inject: extension forwarding, voicemail
 * boxes (PIN, greeting upload and playback, messages with e-mail status) and business hours.
 */
import t from 'tap';
import { buildWebStack, login, type WebStack } from '../helpers/web.js';
import { makeToneWav } from '../helpers/audio.js';
import { silentLogger } from '../../src/log.js';
import { createVoicemailStore } from '../../src/pbx/voicemail/store.js';
import { verifyPin } from '../../src/pbx/voicemail/pin.js';

async function adminAndInstaller(t: Parameters<typeof buildWebStack>[0], now?: number) {
  const s = await buildWebStack(t);
  if (now !== undefined) s.clock.now = now;
  await s.addUser('anna', 'admin');
  await s.addUser('igor', 'installer');
  const admin = (await login(s.app, 'anna')).session!;
  const installer = (await login(s.app, 'igor')).session!;
  s.repos.extensions.add({ number: '101', displayName: 'Anna', sipPassword: 'pw-101-secret-x' });
  s.repos.extensions.add({ number: '102', displayName: 'Bartek', sipPassword: 'pw-102-secret-x' });
  return { s, admin, installer };
}

const upload = (s: WebStack, cookie: string, url: string, body: Uint8Array, csrf: string | null, name = 'greeting.wav') =>
  s.app.inject({
    method: 'POST', url, payload: Buffer.from(body),
    headers: { cookie, 'content-type': 'application/octet-stream', 'x-file-name': name, accept: 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) },
  });

t.test('forwarding rules on the extension page: validated, errors next to the field, audited', async (t) => {
  const { s, admin, installer } = await adminAndInstaller(t);
  const page = await admin.get('/admin/extensions/101');
  t.match(page.body, /id="forwarding-form"/);
  t.match(page.body, /id="noAnswerAfter"[^>]*value="20"/, 'default ring time offered');

  const tooShort = await admin.post('/admin/extensions/101/forwarding', { noAnswerKind: 'voicemail', noAnswerTarget: '101', noAnswerAfter: '2' });
  t.equal(tooShort.statusCode, 400);
  t.match(tooShort.body, /id="noAnswerAfter"[^>]*aria-invalid="true"/, 'the seconds field is marked');
  t.match(tooShort.body, /<p class="field-error" id="noAnswerAfter-error">[^<]*noAnswer.after must be whole seconds from 5 to 300/);
  t.match(tooShort.body, /id="noAnswerAfter" name="noAnswerAfter" value="2"/, 'what was typed is kept');

  const missing = await admin.post('/admin/extensions/101/forwarding', { busyKind: 'extension', busyTarget: '199' });
  t.equal(missing.statusCode, 400);
  t.match(missing.body, /id="busyTarget-error">[^<]*extension 199 does not exist/);
  const self = await admin.post('/admin/extensions/101/forwarding', { alwaysKind: 'extension', alwaysTarget: '101' });
  t.match(self.body, /id="alwaysTarget-error">[^<]*to itself/);
  const badNumber = await admin.post('/admin/extensions/101/forwarding', { unavailableKind: 'queue', unavailableTarget: 'abc' });
  t.match(badNumber.body, /id="unavailableTarget-error">[^<]*not a number of 2–6 digits/);
  t.equal(s.repos.forwarding.get('101'), undefined, 'nothing stored while invalid');

  const ok = await admin.post('/admin/extensions/101/forwarding', {
    busyKind: 'voicemail', busyTarget: '101', noAnswerKind: 'extension', noAnswerTarget: '102', noAnswerAfter: '25', unavailableKind: 'hangup', alwaysKind: 'none',
  });
  t.equal(ok.statusCode, 200);
  t.match(ok.body, /Forwarding saved/);
  t.same(s.repos.forwarding.get('101'), { busy: { kind: 'voicemail', box: '101' }, unavailable: { kind: 'hangup' }, noAnswer: { after: 25, to: { kind: 'extension', number: '102' } } });
  const again = await admin.get('/admin/extensions/101');
  t.match(again.body, /<option value="voicemail" selected>/, 'stored rules shown back');
  t.match(again.body, /id="noAnswerAfter" name="noAnswerAfter" value="25"/);

  const cleared = await admin.post('/admin/extensions/101/forwarding', {});
  t.equal(cleared.statusCode, 200);
  t.equal(s.repos.forwarding.get('101'), undefined, 'all "not set" clears the forwarding');

  const entries = s.repos.audit.recent(10).filter((e) => e.action === 'extension.forwarding');
  t.equal(entries.length, 2);
  t.equal(entries[1]!.actor, 'user:anna');
  t.notMatch(JSON.stringify(s.repos.audit.recent(50)), /pw-10[12]-secret/, 'no SIP secret in the audit log');

  t.equal((await admin.post('/admin/extensions/101/forwarding', { busyKind: 'hangup' }, 'wrong-token')).statusCode, 403, 'CSRF');
  t.equal((await installer.post('/admin/extensions/101/forwarding', { busyKind: 'hangup' })).statusCode, 403, 'installer refused');
  t.equal(s.repos.forwarding.get('101'), undefined);
});

t.test('voicemail boxes: create with PIN (hashed, never shown), edit, PIN clear, delete; installer refused', async (t) => {
  const { s, admin, installer } = await adminAndInstaller(t);
  t.equal((await installer.get('/admin/mailboxes')).statusCode, 403);
  t.equal((await installer.post('/admin/mailboxes', { box: '500', name: 'Biuro' })).statusCode, 403);

  const bad = await admin.post('/admin/mailboxes', { box: '5', name: 'Biuro', pin: '1234', emails: 'biuro@example.com' });
  t.equal(bad.statusCode, 400);
  t.match(bad.body, /id="box"[^>]*aria-invalid="true"/);
  t.match(bad.body, /value="biuro@example.com"/);
  t.notMatch(bad.body, /value="1234"/, 'the PIN is not echoed');
  const badPin = await admin.post('/admin/mailboxes', { box: '500', name: 'Biuro', pin: '12' });
  t.equal(badPin.statusCode, 400);
  t.match(badPin.body, /PIN must be 4–10 digits/);

  const created = await admin.post('/admin/mailboxes', { box: '500', name: 'Biuro', language: 'en', pin: '482913', emails: 'biuro@example.com, szef@example.com' });
  t.equal(created.statusCode, 303);
  t.equal(created.headers.location, '/admin/mailboxes/500');
  const box = s.repos.mailboxes.get('500')!;
  t.ok(await verifyPin('482913', box.pinHash!), 'PIN stored as a working hash');
  t.same(box.emails, ['biuro@example.com', 'szef@example.com']);
  const page = await admin.get('/admin/mailboxes/500');
  t.match(page.body, /A PIN is set/);
  t.notMatch(page.body, box.pinHash!);
  t.notMatch(page.body, '482913');

  const edited = await admin.post('/admin/mailboxes/500', { name: 'Sekretariat', language: 'pl', extension: '101', emails: 'biuro@example.com' });
  t.equal(edited.statusCode, 200);
  t.match(s.repos.mailboxes.get('500')!, { name: 'Sekretariat', language: 'pl', extension: '101', emails: ['biuro@example.com'] });
  const badExt = await admin.post('/admin/mailboxes/500', { name: 'X', language: 'pl', extension: '199', emails: '' });
  t.equal(badExt.statusCode, 400);
  t.match(badExt.body, /extension 199 does not exist/);

  await admin.post('/admin/mailboxes/500/pin', { pin: '111222' });
  t.ok(await verifyPin('111222', s.repos.mailboxes.get('500')!.pinHash!), 'PIN changed');
  const cleared = await admin.post('/admin/mailboxes/500/pin', { clear: '1' });
  t.match(cleared.body, /PIN cleared/);
  t.equal(s.repos.mailboxes.get('500')!.pinHash, null);

  const audit = s.repos.audit.recent(50).filter((e) => e.action.startsWith('mailbox.'));
  t.same(audit.map((e) => e.action).sort(), ['mailbox.clear-pin', 'mailbox.create', 'mailbox.set-pin', 'mailbox.update'].sort());
  const dump = JSON.stringify(audit);
  t.notMatch(dump, /scrypt\$|482913|111222|pinHash/, 'no PIN or hash in the audit log');
  t.match(dump, /"pinSet":true/);

  t.equal((await admin.post('/admin/mailboxes/500/delete', {})).statusCode, 200);
  t.equal(s.repos.mailboxes.get('500'), undefined);
});

t.test('greeting upload: raw WAV body with the CSRF header, converted, played back; bad files refused with the reason', async (t) => {
  const { s, admin, installer } = await adminAndInstaller(t);
  await admin.post('/admin/mailboxes', { box: '500', name: 'Biuro', language: 'pl' });
  const url = '/admin/mailboxes/500/greeting';
  const stereo16k = makeToneWav({ hz: 440, durationMs: 1500, sampleRate: 16000, channels: 2 });

  t.equal((await upload(s, admin.cookie, url, stereo16k, null)).statusCode, 403, 'no CSRF header → refused');
  t.equal((await upload(s, admin.cookie, url, stereo16k, 'forged')).statusCode, 403);
  t.equal((await upload(s, installer.cookie, url, stereo16k, installer.csrf)).statusCode, 403, 'installer refused');
  t.equal(s.repos.mailboxes.get('500')!.greetingFile, null);

  const notWav = await upload(s, admin.cookie, url, Buffer.from('ID3 this is an mp3, honest'), admin.csrf, 'hello.mp3');
  t.equal(notWav.statusCode, 400);
  t.match(notWav.json(), { error: { message: /^hello\.mp3: not a WAV file \(RIFF header missing\): upload a WAV, PCM 8–48 kHz/ } });
  const tooLong = await upload(s, admin.cookie, url, makeToneWav({ hz: 440, durationMs: 121_000 }), admin.csrf);
  t.equal(tooLong.statusCode, 400);
  t.match(tooLong.json(), { error: { message: /longer than the 120 s allowed/ } });

  const ok = await upload(s, admin.cookie, url, stereo16k, admin.csrf);
  t.equal(ok.statusCode, 200);
  t.match(ok.json(), { converted: true, message: /converted from 16000 Hz stereo to 8 kHz mono/ });
  t.equal(s.repos.mailboxes.get('500')!.greetingFile, 'greetings/500.wav');

  const page = await admin.get('/admin/mailboxes/500');
  t.match(page.body, /<audio controls preload="none" src="\/admin\/mailboxes\/500\/greeting\/audio">/);
  const audio = await admin.get('/admin/mailboxes/500/greeting/audio');
  t.equal(audio.statusCode, 200);
  t.equal(audio.headers['content-type'], 'audio/wav');
  t.equal(audio.rawPayload.readUInt32LE(24), 8000, 'served at 8 kHz');
  t.equal(audio.rawPayload.readUInt16LE(22), 1, 'mono');
  t.equal((await s.app.inject({ method: 'GET', url: '/admin/mailboxes/500/greeting/audio', headers: { accept: 'application/json' } })).statusCode, 401, 'not without a session');
  t.equal((await installer.get('/admin/mailboxes/500/greeting/audio')).statusCode, 403);
  t.ok(s.repos.audit.recent(10).find((e) => e.action === 'mailbox.greeting' && e.actor === 'user:anna'));

  await admin.post('/admin/mailboxes/500/greeting/delete', {});
  t.equal(s.repos.mailboxes.get('500')!.greetingFile, null);
  t.equal((await admin.get('/admin/mailboxes/500/greeting/audio')).statusCode, 404);
});

t.test('messages: list with playback and per-recipient e-mail status; failures on the dashboard; delete refused while undelivered', async (t) => {
  const { s, admin } = await adminAndInstaller(t);
  await admin.post('/admin/mailboxes', { box: '500', name: 'Biuro', emails: 'biuro@example.com, szef@example.com' });
  const store = createVoicemailStore({ repos: s.repos, dataDir: s.dataDir, logger: silentLogger() });
  const { message, outbox } = await store.deposit({ box: '500', callerNumber: '48221234567', callerName: 'Klient', durationMs: 1200, wavBuffer: makeToneWav({ hz: 600, durationMs: 1200 }) });
  s.repos.mailOutbox.markSent(outbox[0]!.id, Date.now());
  s.repos.mailOutbox.beginAttempt(outbox[1]!.id, Date.now());
  s.repos.mailOutbox.markFailed(outbox[1]!.id, '550 mailbox unavailable');

  const page = await admin.get('/admin/mailboxes/500');
  t.match(page.body, /48221234567 Klient/);
  t.match(page.body, new RegExp(`src="/admin/mailboxes/500/messages/${message.id}/audio"`));
  t.match(page.body, /biuro@example.com <span class="badge sent">sent<\/span>/);
  t.match(page.body, /szef@example.com <span class="badge failed">failed<\/span> <span class="muted">550 mailbox unavailable<\/span>/);
  const audio = await admin.get(`/admin/mailboxes/500/messages/${message.id}/audio`);
  t.equal(audio.statusCode, 200);
  t.equal(audio.headers['content-type'], 'audio/wav');
  t.equal(audio.rawPayload.subarray(0, 4).toString(), 'RIFF');
  t.equal((await admin.get(`/admin/mailboxes/501/messages/${message.id}/audio`)).statusCode, 404, 'a message only through its own box');

  const dash = await admin.get('/admin');
  t.match(dash.body, /id="outbox-problems"/);
  t.match(dash.body, /szef@example.com<\/td>\s*<td><span class="badge failed">failed/);

  const refused = await admin.post('/admin/mailboxes/500/delete', {});
  t.equal(refused.statusCode, 409);
  t.match(refused.body, /still has 1 undelivered e-mail/);
  t.ok(s.repos.mailboxes.get('500'));
});

t.test('business hours: create with weekly hours and holidays, open/closed now with the next change, errors at the field', async (t) => {
  // Wednesday 2026-11-25 10:00 in Warsaw (UTC+1).
  const { s, admin, installer } = await adminAndInstaller(t, Date.parse('2026-11-25T09:00:00Z'));
  const base = {
    number: '100', name: 'Office hours', timeZone: 'Europe/Warsaw',
    hours_monday: '08:00-16:00', hours_tuesday: '08:00-16:00', hours_wednesday: '08:00-16:00', hours_thursday: '08:00-16:00', hours_friday: '08:00-14:00',
    holidays: '12-25 Christmas\n2026-12-24 08:00-12:00 Christmas Eve', inHoursKind: 'extension', inHoursTarget: '101', afterHoursKind: 'voicemail', afterHoursTarget: '101',
  };
  t.equal((await installer.post('/admin/entry-numbers', base)).statusCode, 403);

  const badHours = await admin.post('/admin/entry-numbers', { ...base, hours_tuesday: '8-16' });
  t.equal(badHours.statusCode, 400);
  t.match(badHours.body, /id="hours_tuesday"[^>]*aria-invalid="true"/);
  t.match(badHours.body, /id="hours_tuesday-error">[^<]*tuesday interval &quot;8-16&quot; is not HH:MM-HH:MM/);
  const badZone = await admin.post('/admin/entry-numbers', { ...base, timeZone: 'Mars/Olympus' });
  t.match(badZone.body, /id="timeZone-error">[^<]*not a known IANA time zone/);
  const badHoliday = await admin.post('/admin/entry-numbers', { ...base, holidays: '2026-02-30 Nope' });
  t.match(badHoliday.body, /id="holidays-error">[^<]*not a real date/);
  const badDest = await admin.post('/admin/entry-numbers', { ...base, afterHoursTarget: '999' });
  t.match(badDest.body, /id="afterHoursTarget-error">[^<]*mailbox 999 does not exist/);
  const clash = await admin.post('/admin/entry-numbers', { ...base, number: '102' });
  t.match(clash.body, /id="number-error">[^<]*already an extension/);
  t.same(s.repos.entryNumbers.list(), [], 'nothing stored while invalid');

  const created = await admin.post('/admin/entry-numbers', base);
  t.equal(created.statusCode, 303);
  const stored = s.repos.entryNumbers.get('100')!;
  t.same(stored.definition, {
    schedule: {
      name: 'Office hours', timeZone: 'Europe/Warsaw',
      weekly: { monday: ['08:00-16:00'], tuesday: ['08:00-16:00'], wednesday: ['08:00-16:00'], thursday: ['08:00-16:00'], friday: ['08:00-14:00'] },
      holidays: [{ date: '12-25', name: 'Christmas' }, { date: '2026-12-24', intervals: ['08:00-12:00'], name: 'Christmas Eve' }],
    },
    inHours: { kind: 'extension', number: '101' }, afterHours: { kind: 'voicemail', box: '101' },
  });
  t.equal((await admin.post('/admin/entry-numbers', base)).statusCode, 409, 'a second create of the same number is a conflict');

  const open = await admin.get('/admin/entry-numbers/100');
  t.match(open.body, /open now, closes Wed 25 Nov 16:00 \(Europe\/Warsaw\)/);
  t.match(open.body, /12-25 Christmas\n2026-12-24 08:00-12:00 Christmas Eve/, 'holidays shown as typed');
  s.clock.now = Date.parse('2026-11-27T15:00:00Z'); // Friday 16:00 local: closed since 14:00
  const later = (await login(s.app, 'anna')).session!; // two days on, the old session has expired
  const list = await later.get('/admin/entry-numbers');
  t.match(list.body, /closed now, opens Mon 30 Nov 08:00 \(Europe\/Warsaw\)/);
  t.match(list.body, /extension 101/);

  const saved = await later.post('/admin/entry-numbers/100', { ...base, number: 'ignored', hours_saturday: '09:00-12:00' });
  t.equal(saved.statusCode, 200);
  t.same((s.repos.entryNumbers.get('100')!.definition as { schedule: { weekly: Record<string, string[]> } }).schedule.weekly.saturday, ['09:00-12:00']);
  const actions = s.repos.audit.recent(10).map((e) => e.action);
  t.ok(actions.includes('entry-number.create') && actions.includes('entry-number.update'));
  t.equal((await later.post('/admin/entry-numbers/100/delete', {})).statusCode, 200);
  t.equal(s.repos.entryNumbers.get('100'), undefined);
});
