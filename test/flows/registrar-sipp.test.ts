/**
 * The registrar through the full stack: SIPp (a SIP client nobody here wrote) → embedded SIP
 * server → drachtio-srf → PBX registrar → SQLite.
 */
import t from 'tap';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSipp, describeSipp } from '../helpers/sip/sipp.js';
import { startPbxStack } from '../helpers/pbx/stack.js';

const scenario = (name: string) => join(dirname(fileURLToPath(import.meta.url)), '..', 'pbx', 'sipp', name);

t.test('SIPp registers with digest auth: 200 and a stored binding with the NAT address', async (t) => {
  const stack = await startPbxStack(t);
  const result = await runSipp({
    scenario: scenario('register-auth.xml'), remote: `127.0.0.1:${stack.sut.sipPort}`, service: '102',
    authUser: '102', authPassword: 'secret-102', keys: { expires: '600' }, timeoutMs: 10_000,
  });
  t.equal(result.exitCode, 0, describeSipp(result));
  const bindings = stack.repos.registrations.live('102', stack.now());
  t.equal(bindings.length, 1, 'one binding stored');
  const b = bindings[0]!;
  t.equal(b.contact, `sip:102@127.0.0.1:${result.localPort};transport=UDP`);
  t.equal(b.receivedAddress, '127.0.0.1');
  t.equal(b.receivedPort, result.localPort, 'received port is where the REGISTER came from');
  t.equal(b.transport, 'udp');
  t.equal(b.userAgent, 'SIPp');
  t.ok(Math.abs(b.expiresAt - (stack.now() + 600_000)) < 1000, 'expires as asked (600 s)');
  t.match(result.messages, /SIP\/2\.0 200[\s\S]*Contact: <sip:102@127\.0\.0\.1:\d+;transport=UDP>;expires=(600|599)/);
  t.same(stack.pbx.findContacts('102').map((c) => c.proxy), [`sip:127.0.0.1:${result.localPort};transport=udp`]);
});

t.test('a wrong password is challenged again and stores nothing', async (t) => {
  const stack = await startPbxStack(t);
  const result = await runSipp({
    scenario: scenario('register-auth-wrong.xml'), remote: `127.0.0.1:${stack.sut.sipPort}`, service: '102',
    authUser: '102', authPassword: 'not-the-password', keys: { expires: '600' }, timeoutMs: 10_000,
  });
  t.equal(result.exitCode, 0, describeSipp(result));
  t.same(stack.repos.registrations.live('102', stack.now()), []);
});

t.test('an expiry below the minimum gets 423 with Min-Expires, and nothing is stored', async (t) => {
  const stack = await startPbxStack(t, { pbx: { minExpiresS: 60 } });
  const result = await runSipp({
    scenario: scenario('register-auth-too-brief.xml'), remote: `127.0.0.1:${stack.sut.sipPort}`, service: '102',
    authUser: '102', authPassword: 'secret-102', keys: { expires: '30' }, timeoutMs: 10_000,
  });
  t.equal(result.exitCode, 0, describeSipp(result));
  t.match(result.messages, /SIP\/2\.0 423 Interval Too Brief[\s\S]*Min-Expires: 60/);
  t.same(stack.repos.registrations.live('102', stack.now()), []);
});

t.test('a long expiry is clamped to the maximum and the 200 says so', async (t) => {
  const stack = await startPbxStack(t, { pbx: { maxExpiresS: 1800 } });
  const result = await runSipp({
    scenario: scenario('register-auth.xml'), remote: `127.0.0.1:${stack.sut.sipPort}`, service: '102',
    authUser: '102', authPassword: 'secret-102', keys: { expires: '7200' }, timeoutMs: 10_000,
  });
  t.equal(result.exitCode, 0, describeSipp(result));
  t.match(result.messages, /SIP\/2\.0 200[\s\S]*;expires=1800/);
  t.ok(stack.repos.registrations.live('102', stack.now())[0]!.expiresAt <= stack.now() + 1_800_000);
});

t.test('over TCP the binding records transport tcp and the proxy says so', async (t) => {
  const stack = await startPbxStack(t);
  const result = await runSipp({
    scenario: scenario('register-auth.xml'), remote: `127.0.0.1:${stack.sut.sipPort}`, service: '102', transport: 'tcp',
    authUser: '102', authPassword: 'secret-102', keys: { expires: '600' }, timeoutMs: 10_000,
  });
  t.equal(result.exitCode, 0, describeSipp(result));
  const [contact] = stack.pbx.findContacts('102');
  t.equal(contact?.transport, 'tcp');
  t.match(contact?.proxy, /^sip:127\.0\.0\.1:\d+;transport=tcp$/);
});
