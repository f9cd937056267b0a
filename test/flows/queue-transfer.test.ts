/**
 * Transfers into a queue. Blind: 102 REFERs 101 to the queue number; 101 waits in the queue and
 * is connected to agent 103. Attended: 102 holds 101 and calls the queue itself; 101 then takes
 * 102's place in the queue (the queue's replace(), which the REFER-with-Replaces handler calls).
 * 102 is scripted over raw SIP (REFER, Replaces); 101 and 103 are baresip, so audio is real.
 */
import t from 'tap';
import { type Baresip } from '../helpers/sip/baresip.js';
import { delay, type Teardownable } from '../helpers/srf.js';
import { password } from '../helpers/pbx/calls.js';
import { createScriptedUa } from '../helpers/pbx/scripted-ua.js';
import { startQueueStack, type QueueStack } from '../helpers/pbx/queue-stack.js';
import { heardAtEnd, notifyOn, registeredBaresip } from '../helpers/pbx/phones.js';

async function phone(t: Teardownable, qs: QueueStack, ext: string, toneHz: number, autoAnswer: boolean): Promise<Baresip> {
  return registeredBaresip(t, qs, ext, { toneHz: toneHz, autoAnswer: autoAnswer });
}

const QUEUE = { number: '30', ringTimeoutS: 100, maxWaitS: 600, overflow: '104', members: ['103'] };
const EXTENSIONS = ['101', '102', '103', '104'];

t.test('blind transfer to the queue number: the transferee waits, then talks to the agent', async (t) => {
  const qs = await startQueueStack(t, { extensions: EXTENSIONS, queues: [QUEUE] });
  const transferee = await phone(t, qs, '101', 440, true);
  const agent = await phone(t, qs, '103', 700, false);
  const transferor = await createScriptedUa(t, qs.sipPort, '102', password('102'));
  const call = await transferor.invite('101');
  await transferee.waitEvent('CALL_ESTABLISHED', 15_000);
  await delay(300);
  t.equal(await transferor.request(call, 'REFER', [`Refer-To: <sip:30@127.0.0.1:${qs.sipPort}>`, 'Referred-By: <sip:102@127.0.0.1>']), 202);
  await transferor.waitFor(notifyOn(call.callId, 200));
  await transferor.waitFor((r) => r.method === 'BYE' && r.callId === call.callId);
  t.pass('the transferor is told 200 and let go');
  t.match(await qs.waitEvent('joined'), { queue: '30', caller: '101', position: 1 });
  await agent.waitEvent('CALL_INCOMING', 15_000);
  await delay(500);
  await agent.answer();
  t.match(await qs.waitEvent('connected', 10_000), { caller: '101', agent: '103' });
  await delay(2500);
  await transferee.hangup();
  await agent.waitEvent('CALL_CLOSED', 10_000);
  t.same(await qs.settled(), { legs: 0, waiting: 0, endpoints: 0, ports: 0 });
  const atTransferee = heardAtEnd(transferee, 1.5, [700, 440]);
  const atAgent = heardAtEnd(agent, 1.5, [440, 700]);
  t.ok(atTransferee[700]! > 10 * atTransferee[440]!, `101 hears the agent's 700 Hz (${JSON.stringify(atTransferee)})`);
  t.ok(atAgent[440]! > 10 * atAgent[700]!, `the agent hears 101's 440 Hz (${JSON.stringify(atAgent)})`);
  t.match(qs.stack.repos.cdr.list(), [{ caller: '102', callee: '101', disposition: 'answered' }], 'transferred into the queue and answered by the agent');
});

t.test('attended transfer into the queue: a REFER with Replaces puts 101 in the place of 102 waiting in the queue', async (t) => {
  // 102 talks to 101, holds it, calls the queue itself (a call the queue's media holds, with no
  // partner on the switchboard), then REFERs 101 with Replaces naming that queue call.
  const qs = await startQueueStack(t, { extensions: EXTENSIONS, queues: [QUEUE] });
  const transferee = await phone(t, qs, '101', 440, true);
  const agent = await phone(t, qs, '103', 700, false);
  const transferor = await createScriptedUa(t, qs.sipPort, '102', password('102'));
  const held = await transferor.invite('101');
  await transferee.waitEvent('CALL_ESTABLISHED', 15_000);
  const consultation = await transferor.invite('30');
  await qs.waitEvent('joined', 5000, (e) => e.caller === '102');
  await agent.waitEvent('CALL_INCOMING', 15_000);
  t.equal(await qs.queues.replace('no-such-call', ['x'], qs.calls.switchboard.findByDialog(held.callId, [held.localTag, held.remoteTag])!.partner!), false,
    'an unknown call is not replaced');
  const replaces = encodeURIComponent(`${consultation.callId};to-tag=${consultation.remoteTag};from-tag=${consultation.localTag}`);
  t.equal(await transferor.request(held, 'REFER', [
    `Refer-To: <sip:30@127.0.0.1:${qs.sipPort}?Replaces=${replaces}>`, 'Referred-By: <sip:102@127.0.0.1>',
  ]), 202);
  await transferor.waitFor(notifyOn(held.callId, 200));
  t.pass('the transferor is told 200');
  t.match(await qs.waitEvent('replaced', 10_000), { queue: '30', caller: '101', by: '102' });
  await transferor.waitFor((r) => r.method === 'BYE' && r.callId === held.callId);
  await transferor.waitFor((r) => r.method === 'BYE' && r.callId === consultation.callId);
  t.pass("both of 102's calls were released");
  t.same(qs.queues.liveState()[0]!.waiting.map((w) => w.caller), ['101'], "101 waits in 102's place");
  // The agent's first ring (offering 102's audio) was cancelled; the next one is for 101.
  await agent.waitEvent('CALL_CLOSED', 10_000);
  await agent.waitEvent('CALL_INCOMING', 15_000);
  await delay(300);
  await agent.answer();
  t.match(await qs.waitEvent('connected', 10_000), { caller: '101', agent: '103' });
  await delay(2500);
  await agent.hangup();
  await transferee.waitEvent('CALL_CLOSED', 10_000);
  t.same(await qs.settled(), { legs: 0, waiting: 0, endpoints: 0, ports: 0 });
  const atTransferee = heardAtEnd(transferee, 1.5, [700, 440]);
  t.ok(atTransferee[700]! > 10 * atTransferee[440]!, `101 hears the agent's 700 Hz (${JSON.stringify(atTransferee)})`);
  // 102 left its own call into the queue on purpose (handing its place over): cancelled, not abandoned.
  // 101's call (102 → 101) waited in the queue and was answered by the agent.
  t.same(qs.stack.repos.cdr.list().map((r) => [r.callee, r.disposition, r.answeredAt === null]).sort(),
    [['101', 'answered', false], ['30', 'cancelled', true]]);
});
