/**
 * Calls through the PBX end to end on 127.0.0.1: embedded SIP server, the PBX's drachtio-srf
 * apps (registrar + call handling), SQLite, and SIPp phones registered as extensions. Covers
 * answer with caller id, busy, no answer (short ring time), unavailable, forwarding of each,
 * loops, the parallel fork, star codes and the call records.
 */
import t from 'tap';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeSipp, runSipp } from '../helpers/sip/sipp.js';
import { password, scriptedInvite, startCallStack, type CallStack } from '../helpers/pbx/calls.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const scenario = (name: string) => join(HERE, '..', 'pbx', 'call', 'sipp', name);
const EXTENSIONS = ['101', '102', '103'];

/** SIPp as extension 101 ("Anna Nowak") calling `dialled`, hanging up 0.5 s after the answer. */
function callFrom101(cs: CallStack, dialled: string) {
  return runSipp({
    scenario: scenario('uac-auth-call.xml'), remote: `127.0.0.1:${cs.sipPort}`, service: dialled,
    authUser: '101', authPassword: password('101'),
    keys: { caller: '101', caller_name: 'Anna Nowak' }, timeoutMs: 20_000,
    // SIPp's digest uri defaults to host:port; the PBX (rightly) wants the Request-URI.
    extraArgs: ['-auth_uri', `${dialled}@127.0.0.1:${cs.sipPort}`],
  });
}

t.test('101 calls 102: caller id preserved, both ends complete, one answered call record', async (t) => {
  const cs = await startCallStack(t, { extensions: EXTENSIONS });
  const callee = await cs.sippPhone(t, '102', scenario('uas-answer.xml'));
  const caller = await callFrom101(cs, '102');
  t.equal(caller.exitCode, 0, `caller: ${describeSipp(caller)}`);
  const calleeResult = await callee.done;
  t.equal(calleeResult.exitCode, 0, `callee saw "Anna Nowak" <sip:101@…> and the BYE: ${describeSipp(calleeResult)}`);
  t.equal(await cs.settled(), 0, 'no call legs left');
  const [record] = cs.stack.repos.cdr.list();
  t.match(record, { caller: '101', callee: '102', disposition: 'answered' });
  t.ok(record?.answeredAt && record.endedAt, 'answer and end times recorded');
});

t.test('busy callee without forwarding: the caller gets 486, the record says busy', async (t) => {
  const cs = await startCallStack(t, { extensions: EXTENSIONS });
  const callee = await cs.sippPhone(t, '102', 'uas-busy.xml');
  const result = await scriptedInvite(t, cs.sipPort, '101', '102');
  t.equal(result.status, 486);
  t.equal((await callee.done).exitCode, 0, 'callee ran its busy scenario');
  t.match(cs.stack.repos.cdr.list()[0], { caller: '101', callee: '102', disposition: 'busy', answeredAt: null });
});

t.test('busy → forwarded to 103, who answers', async (t) => {
  const cs = await startCallStack(t, { extensions: EXTENSIONS });
  cs.setForwarding('102', { busy: { kind: 'extension', number: '103' } });
  const busy = await cs.sippPhone(t, '102', 'uas-busy.xml');
  const other = await cs.sippPhone(t, '103', scenario('uas-answer.xml'));
  const caller = await callFrom101(cs, '102');
  t.equal(caller.exitCode, 0, `caller connected: ${describeSipp(caller)}`);
  t.equal((await busy.done).exitCode, 0);
  t.equal((await other.done).exitCode, 0, '103 answered with the original caller id');
  const [record] = cs.stack.repos.cdr.list();
  t.equal(record?.disposition, 'answered');
  t.match(record?.events, [{ kind: 'forward', outcome: 'busy', path: ['102'] }]);
});

t.test('no answer within the ring time (1 s) → CANCEL to 102, forwarded to 103', async (t) => {
  const cs = await startCallStack(t, { extensions: EXTENSIONS, ringSecondMs: 200 });
  cs.setForwarding('102', { noAnswer: { after: 5, to: { kind: 'extension', number: '103' } } });
  const ringing = await cs.sippPhone(t, '102', 'uas-cancelled.xml');
  const other = await cs.sippPhone(t, '103', scenario('uas-answer.xml'));
  const started = Date.now();
  const caller = await callFrom101(cs, '102');
  t.equal(caller.exitCode, 0, `caller connected to 103: ${describeSipp(caller)}`);
  t.ok(Date.now() - started >= 1000, 'rang at least the 1 s ring time first');
  t.equal((await ringing.done).exitCode, 0, '102 rang and was cancelled');
  t.equal((await other.done).exitCode, 0);
  t.match(cs.stack.repos.cdr.list()[0]?.events, [{ kind: 'forward', outcome: 'no-answer' }]);
});

t.test('no answer and no forwarding: 480 after the ring time', async (t) => {
  const cs = await startCallStack(t, { extensions: EXTENSIONS, ringSecondMs: 100, defaultRingTimeoutS: 10 });
  const ringing = await cs.sippPhone(t, '102', 'uas-cancelled.xml');
  const result = await scriptedInvite(t, cs.sipPort, '101', '102');
  t.equal(result.status, 480);
  t.match(result.header('Warning'), /did not answer within 10 s/);
  t.equal((await ringing.done).exitCode, 0);
  t.equal(cs.stack.repos.cdr.list()[0]?.disposition, 'no-answer');
});

t.test('unavailable (not registered) → forwarded to 103; without a rule → 480', async (t) => {
  const cs = await startCallStack(t, { extensions: EXTENSIONS });
  const plain = await scriptedInvite(t, cs.sipPort, '101', '102');
  t.equal(plain.status, 480, 'nobody registered as 102');
  t.match(plain.header('Warning'), /not registered/);
  cs.setForwarding('102', { unavailable: { kind: 'extension', number: '103' } });
  const other = await cs.sippPhone(t, '103', scenario('uas-answer.xml'));
  const caller = await callFrom101(cs, '102');
  t.equal(caller.exitCode, 0, describeSipp(caller));
  t.equal((await other.done).exitCode, 0);
  t.same(cs.stack.repos.cdr.list().map((r) => r.disposition), ['answered', 'unavailable']);
});

t.test('a forwarding loop is refused with 482 naming the path; unknown numbers get 404', async (t) => {
  const cs = await startCallStack(t, { extensions: EXTENSIONS });
  cs.setForwarding('102', { always: { kind: 'extension', number: '103' } });
  cs.setForwarding('103', { always: { kind: 'extension', number: '102' } });
  const loop = await scriptedInvite(t, cs.sipPort, '101', '102');
  t.equal(loop.status, 482);
  t.match(loop.header('Warning'), /102 → 103 → 102/);
  const unknown = await scriptedInvite(t, cs.sipPort, '101', '999');
  t.equal(unknown.status, 404);
});

t.test('INVITEs are authenticated: a wrong password is challenged again and nothing rings', async (t) => {
  const cs = await startCallStack(t, { extensions: EXTENSIONS });
  const result = await scriptedInvite(t, cs.sipPort, '101', '102', { password: 'wrong' });
  t.equal(result.status, 407);
  t.same(cs.stack.repos.cdr.list(), [], 'no call record for an unauthenticated INVITE');
});

t.test('parallel fork: two phones on 102, the answering one wins and the other is cancelled', async (t) => {
  const cs = await startCallStack(t, { extensions: EXTENSIONS });
  const ringsOnly = await cs.sippPhone(t, '102', 'uas-cancelled.xml');
  const answers = await cs.sippPhone(t, '102', scenario('uas-answer.xml'));
  t.equal(cs.stack.pbx.findContacts('102').length, 2, 'two bindings');
  const caller = await callFrom101(cs, '102');
  t.equal(caller.exitCode, 0, describeSipp(caller));
  t.equal((await answers.done).exitCode, 0, 'one phone answered');
  t.equal((await ringsOnly.done).exitCode, 0, 'the other got CANCEL once the first answered');
});

t.test('star codes set and clear forwarding of the dialling extension', async (t) => {
  const cs = await startCallStack(t, { extensions: EXTENSIONS });
  const set = await scriptedInvite(t, cs.sipPort, '101', '*72103');
  t.equal(set.status, 603);
  t.match(set.text, /^SIP\/2\.0 603 Forwarding Set/);
  t.match(set.header('Warning'), /all calls forward to extension 103/);
  t.same(cs.stack.pbx.forwarding.getForwarding('101'), { always: { kind: 'extension', number: '103' } });
  const bad = await scriptedInvite(t, cs.sipPort, '101', '*72999');
  t.equal(bad.status, 484);
  t.match(bad.header('Warning'), /999 is not an extension/);
  const cleared = await scriptedInvite(t, cs.sipPort, '101', '*73');
  t.equal(cleared.status, 603);
  t.same(cs.stack.pbx.forwarding.getForwarding('101') ?? {}, {});
});
