/**
 * Registrar behaviour over the wire with a scripted UDP phone: stale nonces, removing
 * bindings, several contacts, persistence, expiry on an injected clock, lock-out, OPTIONS.
 */
import t from 'tap';
import { startPbxStack } from '../helpers/pbx/stack.js';
import { authorization } from '../helpers/pbx/stack.js';
import { createRegisterClient } from '../helpers/pbx/register-client.js';
import { createUdpPeer, udpRequest } from '../helpers/srf.js';
import { createLogger } from '../../src/log.js';

const PASSWORD = 'secret-102';

t.test('an expired nonce is refused with stale=true, and a fresh one then works', async (t) => {
  const stack = await startPbxStack(t, { pbx: { nonceTtlS: 30 } });
  const phone = await createRegisterClient(t, stack.sut.sipPort);
  const first = await phone.register({ expires: 600 });
  t.equal(first.status, 401);
  t.notMatch(first.header('WWW-Authenticate')!, /stale/);
  t.match(first.header('WWW-Authenticate')!, /realm="pbx\.test".*algorithm=MD5.*qop="auth"/);
  stack.advance(31_000);
  const uri = `sip:127.0.0.1:${stack.sut.sipPort}`;
  const late = await phone.register({ expires: 600, authorization: authorization({ user: '102', password: PASSWORD, uri, challenge: first.header('WWW-Authenticate')! }) });
  t.equal(late.status, 401, 'expired nonce is challenged again');
  t.match(late.header('WWW-Authenticate')!, /stale=true/);
  t.same(stack.repos.registrations.live('102', stack.now()), [], 'nothing stored on a stale nonce');
  const fresh = await phone.register({ expires: 600, authorization: authorization({ user: '102', password: PASSWORD, uri, challenge: late.header('WWW-Authenticate')! }) });
  t.equal(fresh.status, 200);
});

t.test('a replayed Authorization (same nonce and nc) is refused as stale', async (t) => {
  const stack = await startPbxStack(t);
  const phone = await createRegisterClient(t, stack.sut.sipPort);
  const first = await phone.register({ expires: 600 });
  const auth = authorization({ user: '102', password: PASSWORD, uri: `sip:127.0.0.1:${stack.sut.sipPort}`, challenge: first.header('WWW-Authenticate')! });
  t.equal((await phone.register({ expires: 600, authorization: auth })).status, 200);
  const replay = await phone.register({ expires: 600, authorization: auth });
  t.equal(replay.status, 401);
  t.match(replay.header('WWW-Authenticate')!, /stale=true/);
});

t.test('several contacts, Expires: 0 for one, then Contact: * removes all', async (t) => {
  const stack = await startPbxStack(t);
  const phone = await createRegisterClient(t, stack.sut.sipPort);
  const desk = '<sip:102@192.168.1.20:5060>';
  const soft = '<sip:102@192.168.1.30:5062;transport=tcp>;expires=120';
  const ok = await phone.registerWithAuth({ password: PASSWORD, contacts: [desk, soft], expires: 600 });
  t.equal(ok.status, 200);
  t.match(ok.text, /<sip:102@192\.168\.1\.20:5060>;expires=600/);
  t.match(ok.text, /<sip:102@192\.168\.1\.30:5062;transport=tcp>;expires=120/, 'per-contact expires wins');
  t.same(stack.pbx.findContacts('102').map((c) => c.uri).sort(), ['sip:102@192.168.1.20:5060', 'sip:102@192.168.1.30:5062;transport=tcp']);
  for (const c of stack.pbx.findContacts('102')) {
    t.equal(c.proxy, `sip:127.0.0.1:${phone.port};transport=udp`, 'reached via the address the REGISTER came from');
  }

  const removeOne = await phone.registerWithAuth({ password: PASSWORD, contacts: [desk], expires: 0 });
  t.equal(removeOne.status, 200);
  t.same(stack.pbx.findContacts('102').map((c) => c.uri), ['sip:102@192.168.1.30:5062;transport=tcp']);
  t.match(removeOne.text, /Contact: <sip:102@192\.168\.1\.30:5062;transport=tcp>;expires=1[12]\d/, '200 lists the remaining binding');

  await phone.registerWithAuth({ password: PASSWORD, contacts: [desk], expires: 600 });
  t.equal(stack.pbx.findContacts('102').length, 2);
  const wildcard = await phone.registerWithAuth({ password: PASSWORD, contacts: ['*'], expires: 0 });
  t.equal(wildcard.status, 200);
  t.equal(wildcard.header('Contact'), undefined, 'no bindings left to list');
  t.same(stack.pbx.findContacts('102'), []);

  const badWildcard = await phone.register({ contacts: ['*'], expires: 600 });
  t.equal(badWildcard.status, 400, 'Contact: * without Expires: 0 is a bad request');
});

t.test('a REGISTER without Contact lists the current bindings', async (t) => {
  const stack = await startPbxStack(t);
  const phone = await createRegisterClient(t, stack.sut.sipPort);
  await phone.registerWithAuth({ password: PASSWORD, expires: 600 });
  const query = await phone.registerWithAuth({ password: PASSWORD, contacts: [] });
  t.equal(query.status, 200);
  t.match(query.header('Contact')!, new RegExp(`<sip:102@127\\.0\\.0\\.1:${phone.port}>;expires=\\d+`));
});

t.test('an extension may only register itself', async (t) => {
  const stack = await startPbxStack(t, { extensions: [{ number: '102', password: PASSWORD }, { number: '103', password: 'secret-103' }] });
  const phone = await createRegisterClient(t, stack.sut.sipPort, '103');
  const first = await phone.register({ expires: 600 });
  const auth = authorization({ user: '102', password: PASSWORD, uri: `sip:127.0.0.1:${stack.sut.sipPort}`, challenge: first.header('WWW-Authenticate')! });
  const other = await phone.register({ expires: 600, authorization: auth });
  t.equal(other.status, 403);
  t.same(stack.repos.registrations.live('103', stack.now()), []);
});

t.test('bindings survive reopening the database; expired ones vanish on read and in the sweep', async (t) => {
  const stack = await startPbxStack(t, { pbx: { minExpiresS: 60 } });
  const phone = await createRegisterClient(t, stack.sut.sipPort);
  t.equal((await phone.registerWithAuth({ password: PASSWORD, expires: 120 })).status, 200);
  await stack.restart();
  const after = stack.pbx.findContacts('102');
  t.equal(after.length, 1, 'binding still there after a restart');
  t.equal(after[0]!.proxy, `sip:127.0.0.1:${phone.port};transport=udp`);

  stack.advance(119_000);
  t.equal(stack.pbx.findContacts('102').length, 1, 'still live just before expiry');
  stack.advance(2_000);
  t.same(stack.pbx.findContacts('102'), [], 'filtered on read once expired');
  t.equal(stack.pbx.sweepRegistrations(), 1, 'the sweep deletes it');
  t.equal(stack.pbx.sweepRegistrations(), 0);
});

t.test('a reordered REGISTER (lower CSeq, same Call-ID) does not overwrite a newer one', async (t) => {
  const stack = await startPbxStack(t);
  const phone = await createRegisterClient(t, stack.sut.sipPort);
  t.equal((await phone.registerWithAuth({ password: PASSWORD, expires: 600 })).status, 200); // CSeq 1, 2
  const first = await phone.register({ expires: 300, cseq: 10 });
  const newer = await phone.register({ expires: 300, cseq: 11, authorization: authorization({ user: '102', password: PASSWORD, uri: `sip:127.0.0.1:${stack.sut.sipPort}`, challenge: first.header('WWW-Authenticate')! }) });
  t.equal(newer.status, 200);
  const second = await phone.register({ expires: 900, cseq: 12 });
  const older = await phone.register({ expires: 900, cseq: 5, authorization: authorization({ user: '102', password: PASSWORD, uri: `sip:127.0.0.1:${stack.sut.sipPort}`, challenge: second.header('WWW-Authenticate')! }) });
  t.equal(older.status, 500, 'out-of-order REGISTER refused');
  const stored = stack.repos.registrations.live('102', stack.now())[0]!;
  t.equal(stored.cseq, 11, 'the newer binding stays');
  t.ok(stored.expiresAt <= stack.now() + 300_000);
});

t.test('lock-out: N failures from one address → 403 for a while, then challenged again', async (t) => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (s: string) => { lines.push(s); return true; } } as unknown as NodeJS.WritableStream });
  const stack = await startPbxStack(t, { logger, pbx: { lockout: { maxFailures: 3, windowS: 60, blockS: 30 } } });
  const phone = await createRegisterClient(t, stack.sut.sipPort);
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) statuses.push((await phone.registerWithAuth({ password: 'wrong-password', expires: 600 })).status);
  t.same(statuses, [401, 401, 403], 'the third failure starts the block');
  const blocked = await phone.registerWithAuth({ password: PASSWORD, expires: 600 });
  t.equal(blocked.status, 403, 'even the right password is refused while blocked');
  t.same(stack.repos.registrations.live('102', stack.now()), []);
  const blockLogs = lines.filter((l) => l.includes('failed authentications from 127.0.0.1'));
  t.equal(blockLogs.length, 1, 'the block is logged once, not per refused request');
  t.notOk(lines.some((l) => l.includes('wrong-password') || l.includes(PASSWORD)), 'no password in any log line');
  stack.advance(31_000);
  const later = await phone.registerWithAuth({ password: PASSWORD, expires: 600 });
  t.equal(later.status, 200, 'block expired');
});

t.test('OPTIONS keep-alives get 200', async (t) => {
  const stack = await startPbxStack(t);
  const peer = await createUdpPeer(t, stack.sut.sipPort);
  peer.send(udpRequest('OPTIONS', `sip:127.0.0.1:${stack.sut.sipPort}`, { callId: 'ka-1', cseq: 1, branch: 'z9hG4bKka1' }));
  const reply = await peer.next(/^SIP\/2\.0 \d{3}/);
  t.match(reply, /^SIP\/2\.0 200/);
});
