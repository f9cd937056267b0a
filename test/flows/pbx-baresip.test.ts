/**
 * Real user agents (baresip) registered as extensions with digest auth, calling through the
 * PBX: a call with audio both ways, a rejected (busy) call, an unanswered one, and a blind
 * transfer after which the transferee hears the new party (each phone sends its own tone).
 */
import t from 'tap';
import { type Baresip } from '../helpers/sip/baresip.js';
import { analyseWav } from '../helpers/audio.js';
import { delay, type Teardownable } from '../helpers/srf.js';
import { startCallStack, type CallStack } from '../helpers/pbx/calls.js';
import { lastReceived, registeredBaresip, tonePowersAtEnd } from '../helpers/pbx/phones.js';

const EXTENSIONS = ['101', '102', '103'];

async function phone(t: Teardownable, cs: CallStack, ext: string, toneHz: number, autoAnswer: boolean): Promise<Baresip> {
  return registeredBaresip(t, cs, ext, { toneHz: toneHz, autoAnswer: autoAnswer });
}

t.test('baresip 101 calls baresip 102 through the PBX; both hear each other', async (t) => {
  const cs = await startCallStack(t, { extensions: EXTENSIONS });
  const a = await phone(t, cs, '101', 440, false);
  const b = await phone(t, cs, '102', 1000, true);
  t.ok((await a.dial(`sip:102@127.0.0.1:${cs.sipPort}`)).ok);
  const atB = await b.waitEvent('CALL_ESTABLISHED', 15_000);
  t.match(atB.peeruri, /^sip:101@/, '102 sees 101 calling');
  await a.waitEvent('CALL_ESTABLISHED', 15_000);
  await delay(2000);
  await a.hangup();
  await b.waitEvent('CALL_CLOSED', 10_000);
  t.equal(await cs.settled(), 0, 'both legs gone');
  const heardByB = analyseWav(lastReceived(b));
  const heardByA = analyseWav(lastReceived(a));
  t.ok(heardByB.rms > 0.05, `102 heard audio (rms ${heardByB.rms.toFixed(3)})`);
  t.equal(heardByB.dominantHz, 440, "102 heard 101's 440 Hz");
  t.equal(heardByA.dominantHz, 1000, "101 heard 102's 1000 Hz");
  t.match(cs.stack.repos.cdr.list()[0], { caller: '101', callee: '102', disposition: 'answered' });
});

t.test('102 rejects the call: 101 is told busy; 103 never answers: 480 after the ring time', async (t) => {
  const cs = await startCallStack(t, { extensions: EXTENSIONS, ringSecondMs: 100, defaultRingTimeoutS: 10 });
  const a = await phone(t, cs, '101', 440, false);
  const b = await phone(t, cs, '102', 1000, false);
  const c = await phone(t, cs, '103', 700, false);
  await a.dial(`sip:102@127.0.0.1:${cs.sipPort}`);
  await b.waitEvent('CALL_INCOMING', 15_000);
  await b.hangup();
  const busy = await a.waitEvent('CALL_CLOSED', 10_000);
  t.match(String(busy.param), /486|600|603/, `101's call closed busy (${busy.param})`);
  await a.dial(`sip:103@127.0.0.1:${cs.sipPort}`);
  await c.waitEvent('CALL_INCOMING', 15_000);
  const unanswered = await a.waitEvent('CALL_CLOSED', 10_000);
  t.match(String(unanswered.param), /480/, `101's call closed 480 after ~1 s (${unanswered.param})`);
  t.same(cs.stack.repos.cdr.list().map((r) => r.disposition), ['no-answer', 'busy']);
});

t.test('blind transfer: 102 transfers 101 to 103; 101 then hears 103', async (t) => {
  const cs = await startCallStack(t, { extensions: EXTENSIONS });
  const a = await phone(t, cs, '101', 440, false);
  const b = await phone(t, cs, '102', 1000, true);
  const c = await phone(t, cs, '103', 700, true);
  await a.dial(`sip:102@127.0.0.1:${cs.sipPort}`);
  await b.waitEvent('CALL_ESTABLISHED', 15_000);
  await a.waitEvent('CALL_ESTABLISHED', 15_000);
  await delay(500);
  t.ok((await b.transfer(`sip:103@127.0.0.1:${cs.sipPort}`)).ok, '102: transfer accepted');
  const atC = await c.waitEvent('CALL_ESTABLISHED', 15_000);
  t.match(atC.peeruri, /^sip:101@/, '103 sees the transferee 101 calling');
  await b.waitEvent('CALL_CLOSED', 15_000);
  await delay(3000);
  t.notOk(a.events.some((e) => e.type === 'CALL_CLOSED'), "101's call survived the transfer");
  await a.hangup();
  await c.waitEvent('CALL_CLOSED', 10_000);
  t.equal(await cs.settled(), 0, 'no legs left');
  const power = tonePowersAtEnd(lastReceived(a), 2, [700, 1000]);
  t.ok(power[700]! > 10 * power[1000]!, `101 hears 103's 700 Hz after the transfer, not 102's 1000 Hz (${JSON.stringify(power)})`);
  t.ok(analyseWav(lastReceived(a)).rms > 0.05, "101's recording is not silent");
  t.equal(analyseWav(lastReceived(c)).dominantHz, 440, '103 hears 101');
  const [record] = cs.stack.repos.cdr.list();
  t.match(record?.events, [{ kind: 'transfer', type: 'blind', by: '102', transferee: '101', target: '103', result: 'completed' }]);
  t.equal(record?.disposition, 'answered');
});

t.test("the caller hangs up while both of 102's phones ring: every leg is cancelled", async (t) => {
  const cs = await startCallStack(t, { extensions: EXTENSIONS });
  const a = await phone(t, cs, '101', 440, false);
  const b1 = await phone(t, cs, '102', 1000, false);
  const b2 = await phone(t, cs, '102', 1000, false);
  t.equal(cs.stack.pbx.findContacts('102').length, 2, '102 has two phones');
  await a.dial(`sip:102@127.0.0.1:${cs.sipPort}`);
  await b1.waitEvent('CALL_INCOMING', 15_000);
  await b2.waitEvent('CALL_INCOMING', 15_000);
  await a.hangup();
  await b1.waitEvent('CALL_CLOSED', 10_000);
  await b2.waitEvent('CALL_CLOSED', 10_000);
  t.pass('both ringing phones stopped');
  await delay(300);
  t.match(cs.stack.repos.cdr.list()[0], { caller: '101', callee: '102', disposition: 'cancelled', answeredAt: null });
});
