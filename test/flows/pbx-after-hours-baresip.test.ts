/**
 * Business hours with real phones: baresip 101 dials the office number 20. The PBX clock (the
 * stack's, injected) decides: in hours the day desk 102 rings and answers, after hours the
 * night desk 103 does, and the other desk never rings. Each phone sends its own tone, so the
 * recordings show who the caller really talked to.
 */
import t, { type Test } from 'tap';
import { type Baresip } from '../helpers/sip/baresip.js';
import { analyseWav } from '../helpers/audio.js';
import { delay, type Teardownable } from '../helpers/srf.js';
import { startCallStack, type CallStack } from '../helpers/pbx/calls.js';
import { lastReceived, registeredBaresip } from '../helpers/pbx/phones.js';

const TONES: Record<string, number> = { '101': 440, '102': 1000, '103': 700 };

async function phone(t: Teardownable, cs: CallStack, ext: string, autoAnswer: boolean): Promise<Baresip> {
  return registeredBaresip(t, cs, ext, { toneHz: TONES[ext]!, autoAnswer: autoAnswer });
}

/** Moves the PBX clock to an instant (the stack's clock only moves by offsets). */
function setClock(cs: CallStack, iso: string): void {
  cs.stack.advance(Date.parse(iso) - cs.stack.now());
}

async function callEntry(t: Test, cs: CallStack, caller: Baresip, desk: Baresip, idle: Baresip): Promise<void> {
  const incomingBefore = idle.events.filter((e) => e.type === 'CALL_INCOMING').length;
  t.ok((await caller.dial(`sip:20@127.0.0.1:${cs.sipPort}`)).ok, '101 dials 20');
  const atDesk = await desk.waitEvent('CALL_ESTABLISHED', 15_000);
  t.match(atDesk.peeruri, /^sip:101@/, `${desk.user} answered 101`);
  await caller.waitEvent('CALL_ESTABLISHED', 15_000);
  await delay(1500);
  await caller.hangup();
  await desk.waitEvent('CALL_CLOSED', 10_000);
  await caller.waitEvent('CALL_CLOSED', 10_000);
  t.equal(await cs.settled(), 0, 'no legs left');
  t.equal(idle.events.filter((e) => e.type === 'CALL_INCOMING').length, incomingBefore, `${idle.user} never rang`);
  const heardByCaller = analyseWav(lastReceived(caller));
  const heardByDesk = analyseWav(lastReceived(desk));
  t.ok(heardByCaller.rms > 0.05, `101's recording is not silent (rms ${heardByCaller.rms.toFixed(3)})`);
  t.equal(heardByCaller.dominantHz, TONES[desk.user], `101 hears ${desk.user}'s ${TONES[desk.user]} Hz`);
  t.ok(heardByDesk.rms > 0.05, `${desk.user}'s recording is not silent`);
  t.equal(heardByDesk.dominantHz, 440, `${desk.user} hears 101's 440 Hz`);
}

t.test('entry number 20: baresip reaches the day desk in hours and the night desk after hours', async (t) => {
  const cs = await startCallStack(t, { extensions: ['101', '102', '103'] });
  cs.stack.pbx.schedules.saveEntry({
    number: '20',
    schedule: {
      name: 'office', timeZone: 'Europe/Warsaw',
      weekly: { monday: ['08:00-16:00'], tuesday: ['08:00-16:00'], wednesday: ['08:00-16:00'], thursday: ['08:00-16:00'], friday: ['08:00-16:00'] },
    },
    inHours: { kind: 'extension', number: '102' },
    afterHours: { kind: 'extension', number: '103' },
  });
  // Bindings and nonces follow the PBX clock, so the phones register at the latest instant
  // and the clock then moves back: a binding registered "on Saturday" is still valid on Monday.
  setClock(cs, '2026-11-28T10:00:00Z'); // Saturday 11:00 in Warsaw: closed all day
  const caller = await phone(t, cs, '101', false);
  const day = await phone(t, cs, '102', true);
  const night = await phone(t, cs, '103', true);
  await t.test('Saturday 11:00: closed, 103 answers', (t) => callEntry(t, cs, caller, night, day));

  setClock(cs, '2026-11-24T08:30:00Z'); // Tuesday 09:30 in Warsaw (CET, UTC+1)
  await t.test('Tuesday 09:30: in hours, 102 answers', (t) => callEntry(t, cs, caller, day, night));

  setClock(cs, '2026-11-23T19:30:00Z'); // Monday 20:30 in Warsaw
  await t.test('Monday 20:30: after hours, 103 answers', (t) => callEntry(t, cs, caller, night, day));

  const records = cs.stack.repos.cdr.list();
  t.equal(records.length, 3, 'one call record per call');
  t.same(records.map((r) => [r.callee, r.disposition]).sort(), [['20', 'answered'], ['20', 'answered'], ['20', 'answered']],
    `every call to 20 answered: ${JSON.stringify(records.map((r) => ({ callee: r.callee, disposition: r.disposition })))}`);
});
