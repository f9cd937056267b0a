/**
 * Transfers through the PBX with the transferor scripted over raw SIP (test/helpers/pbx/
 * scripted-ua.ts: baresip cannot send Replaces) and baresip phones as the other parties, so
 * the audio after the transfer is real: attended transfer joins the held party and the
 * consultation party; a failed blind transfer leaves the original call up.
 */
import t from 'tap';
import { type Baresip } from '../helpers/sip/baresip.js';
import { delay, type Teardownable } from '../helpers/srf.js';
import { password, startCallStack, type CallStack } from '../helpers/pbx/calls.js';
import { createScriptedUa, referToWithReplaces } from '../helpers/pbx/scripted-ua.js';
import { heardAtEnd, notifyOn, registeredBaresip } from '../helpers/pbx/phones.js';

const EXTENSIONS = ['101', '102', '103', '104'];

async function phone(t: Teardownable, cs: CallStack, ext: string, toneHz: number, autoAnswer = true): Promise<Baresip> {
  return registeredBaresip(t, cs, ext, { toneHz: toneHz, autoAnswer: autoAnswer });
}

t.test('attended transfer: 102 talks to 101, consults 103, REFERs with Replaces; 101 and 103 are joined', async (t) => {
  const cs = await startCallStack(t, { extensions: EXTENSIONS });
  const a = await phone(t, cs, '101', 440);
  const c = await phone(t, cs, '103', 700);
  const b = await createScriptedUa(t, cs.sipPort, '102', password('102'));
  const held = await b.invite('101');
  await a.waitEvent('CALL_ESTABLISHED', 15_000);
  const consultation = await b.invite('103');
  await c.waitEvent('CALL_ESTABLISHED', 15_000);
  await delay(300);
  const status = await b.request(held, 'REFER', [
    `Refer-To: ${referToWithReplaces(`sip:103@127.0.0.1:${cs.sipPort}`, consultation)}`,
    `Referred-By: <sip:102@127.0.0.1>`,
  ]);
  t.equal(status, 202, 'REFER accepted');
  await b.waitFor(notifyOn(held.callId, 100));
  await b.waitFor(notifyOn(held.callId, 200));
  t.pass('NOTIFY sipfrag 100 then 200 on the REFER dialog');
  await b.waitFor((r) => r.method === 'BYE' && r.callId === held.callId);
  await b.waitFor((r) => r.method === 'BYE' && r.callId === consultation.callId);
  t.pass("the PBX released both of 102's legs");
  await delay(2500);
  t.notOk(a.events.some((e) => e.type === 'CALL_CLOSED'), "101's call is still up");
  t.notOk(c.events.some((e) => e.type === 'CALL_CLOSED'), "103's call is still up");
  await a.hangup();
  await c.waitEvent('CALL_CLOSED', 10_000);
  t.equal(await cs.settled(), 0, 'no legs left');
  const atA = heardAtEnd(a, 1.5, [700, 440]);
  const atC = heardAtEnd(c, 1.5, [440, 700]);
  t.ok(atA[700]! > 0.01 && atA[700]! > 10 * atA[440]!, `101 hears 103's 700 Hz (${JSON.stringify(atA)})`);
  t.ok(atC[440]! > 0.01 && atC[440]! > 10 * atC[700]!, `103 hears 101's 440 Hz (${JSON.stringify(atC)})`);
  const records = cs.stack.repos.cdr.list();
  t.equal(records.length, 2, 'two calls recorded');
  for (const record of records) {
    t.match(record.events, [{ kind: 'transfer', type: 'attended', by: '102', transferee: '101', target: '103', result: 'completed' }]);
    t.equal(record.disposition, 'answered');
  }
});

t.test('failed blind transfer (target not registered): NOTIFY 480, the original call survives', async (t) => {
  const cs = await startCallStack(t, { extensions: EXTENSIONS });
  const a = await phone(t, cs, '101', 440);
  const b = await createScriptedUa(t, cs.sipPort, '102', password('102'));
  const call = await b.invite('101');
  await a.waitEvent('CALL_ESTABLISHED', 15_000);
  t.equal(await b.request(call, 'REFER', [`Refer-To: <sip:104@127.0.0.1:${cs.sipPort}>`]), 202);
  await b.waitFor(notifyOn(call.callId, 100));
  const failure = await b.waitFor(notifyOn(call.callId, 480));
  t.match(failure, /Subscription-State: (terminated|active;expires=0)/i, 'the final NOTIFY ends the subscription');
  await delay(500);
  t.notOk(a.events.some((e) => e.type === 'CALL_CLOSED'), "101's call survived");
  t.notOk(b.received.some((r) => r.method === 'BYE'), '102 was not hung up');
  t.equal(await b.request(call, 'BYE', []), 200, '102 takes the call back, then ends it');
  await a.waitEvent('CALL_CLOSED', 10_000);
  t.match(cs.stack.repos.cdr.list()[0]?.events, [{ kind: 'transfer', type: 'blind', target: '104', result: 'failed', status: 480 }]);
});

t.test('blind transfer to a busy phone: NOTIFY 486 Busy Here, the transferee stays with 102', async (t) => {
  const cs = await startCallStack(t, { extensions: EXTENSIONS });
  const a = await phone(t, cs, '101', 440);
  const c = await phone(t, cs, '103', 700, false);
  const b = await createScriptedUa(t, cs.sipPort, '102', password('102'));
  const call = await b.invite('101');
  await a.waitEvent('CALL_ESTABLISHED', 15_000);
  t.equal(await b.request(call, 'REFER', [`Refer-To: <sip:103@127.0.0.1:${cs.sipPort}>`]), 202);
  await c.waitEvent('CALL_INCOMING', 15_000);
  await c.hangup();
  const busy = await b.waitFor(notifyOn(call.callId, 486));
  t.match(busy, /SIP\/2\.0 486 Busy Here/);
  await delay(300);
  t.notOk(a.events.some((e) => e.type === 'CALL_CLOSED'), "101's call survived");
  t.equal(await b.request(call, 'BYE', []), 200, '102 still holds the call and ends it');
  await a.waitEvent('CALL_CLOSED', 10_000);
  t.equal(await cs.settled(), 0);
});

t.test('REFER with Replaces naming no known call: NOTIFY 481, nothing changes', async (t) => {
  const cs = await startCallStack(t, { extensions: EXTENSIONS });
  const a = await phone(t, cs, '101', 440);
  const b = await createScriptedUa(t, cs.sipPort, '102', password('102'));
  const call = await b.invite('101');
  await a.waitEvent('CALL_ESTABLISHED', 15_000);
  const bogus = { ...call, callId: 'nope', localTag: 'x', remoteTag: 'y' };
  t.equal(await b.request(call, 'REFER', [`Refer-To: ${referToWithReplaces(`sip:103@127.0.0.1:${cs.sipPort}`, bogus)}`]), 202);
  await b.waitFor(notifyOn(call.callId, 481));
  t.pass('NOTIFY 481');
  t.equal(await b.request(call, 'BYE', []), 200);
  await a.waitEvent('CALL_CLOSED', 10_000);
  t.equal(await cs.settled(), 0);
});

t.test('hold and resume: the re-INVITE is relayed to the other phone and its answer comes back', async (t) => {
  const cs = await startCallStack(t, { extensions: EXTENSIONS });
  const a = await phone(t, cs, '101', 440);
  const b = await createScriptedUa(t, cs.sipPort, '102', password('102'));
  const call = await b.invite('101');
  await a.waitEvent('CALL_ESTABLISHED', 15_000);
  const hold = b.sdp.replace('a=sendrecv', 'a=sendonly').replace('o=- 7 7', 'o=- 7 8');
  t.equal(await b.request(call, 'INVITE', [], hold), 200, 'hold re-INVITE answered');
  t.match(b.lastResponse(), /a=recvonly/, "101's answer to the hold (recvonly) came back through the PBX");
  const resume = b.sdp.replace('o=- 7 7', 'o=- 7 9');
  t.equal(await b.request(call, 'INVITE', [], resume), 200, 'resume answered');
  t.match(b.lastResponse(), /a=sendrecv/);
  t.equal(await b.request(call, 'BYE', []), 200);
  await a.waitEvent('CALL_CLOSED', 10_000);
});

t.test('blind transfer to an extension with forwarding follows its rules', async (t) => {
  const cs = await startCallStack(t, { extensions: EXTENSIONS });
  cs.setForwarding('104', { unavailable: { kind: 'extension', number: '103' } });
  const a = await phone(t, cs, '101', 440);
  const c = await phone(t, cs, '103', 700);
  const b = await createScriptedUa(t, cs.sipPort, '102', password('102'));
  const call = await b.invite('101');
  await a.waitEvent('CALL_ESTABLISHED', 15_000);
  t.equal(await b.request(call, 'REFER', [`Refer-To: <sip:104@127.0.0.1:${cs.sipPort}>`]), 202);
  await b.waitFor(notifyOn(call.callId, 200));
  const atC = await c.waitEvent('CALL_ESTABLISHED', 15_000);
  t.match(atC.peeruri, /^sip:101@/, '104 is not registered, so its unavailable rule rang 103 with 101 as the caller');
  await b.waitFor((r) => r.method === 'BYE' && r.callId === call.callId);
  await delay(1500);
  await a.hangup();
  await c.waitEvent('CALL_CLOSED', 10_000);
  t.equal(await cs.settled(), 0);
  const power = heardAtEnd(a, 1, [700, 440]);
  t.ok(power[700]! > 0.01, `101 hears 103 (${JSON.stringify(power)})`);
});
