/**
 * Attended transfer from a real client that sends Replaces (linphonec as the transferor,
 * registered with digest), with baresip phones as the transferee and the target.
 */
import t from 'tap';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { analyseWav } from '../helpers/audio.js';
import { type Baresip } from '../helpers/sip/baresip.js';
import { delay, type Teardownable } from '../helpers/srf.js';
import { password, startCallStack, type CallStack } from '../helpers/pbx/calls.js';
import { startLinphonec } from '../helpers/pbx/linphonec.js';
import { heardAtEnd, registeredBaresip, tonePowersAtEnd } from '../helpers/pbx/phones.js';

async function phone(t: Teardownable, cs: CallStack, ext: string, toneHz: number): Promise<Baresip> {
  return registeredBaresip(t, cs, ext, { toneHz: toneHz, autoAnswer: true });
}

/** Waits (bounded) until `condition` holds. */
async function waitFor(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await delay(50);
  }
}

t.test('linphonec 102: calls 101, calls 103, transfer 1 --to-call 2 joins 101 and 103', async (t) => {
  const cs = await startCallStack(t, { extensions: ['101', '102', '103'] });
  const a = await phone(t, cs, '101', 440);
  const c = await phone(t, cs, '103', 700);
  const b = await startLinphonec(t, { toneHz: 1000 });
  const pbx = `127.0.0.1:${cs.sipPort}`;
  await b.register(`sip:102@${pbx}`, `sip:${pbx}`, password('102'));
  t.equal(cs.stack.pbx.findContacts('102').length, 1, 'linphonec registered as 102');
  b.send(`call sip:101@${pbx}`);
  await a.waitEvent('CALL_ESTABLISHED', 15_000);
  await delay(500);
  // Like a phone's "hold, then dial the consultation": linphonec will not place a second call otherwise.
  b.send('pause 1');
  await delay(1000);
  b.send(`call sip:103@${pbx}`);
  await c.waitEvent('CALL_ESTABLISHED', 15_000);
  await delay(1000);
  b.send('transfer 1 --to-call 2');
  const deadline = Date.now() + 10_000;
  const transferred = () => cs.stack.repos.cdr.list().some((r) => r.events.some((e) => e.kind === 'transfer'));
  while (!transferred() && Date.now() < deadline) await delay(100);
  const events = cs.stack.repos.cdr.list().flatMap((r) => r.events);
  t.match(events, [{ kind: 'transfer', type: 'attended', by: '102', transferee: '101', target: '103', result: 'completed' }],
    `transfer recorded; linphonec said:\n${b.output().split('\n').filter((l) => !/soundcard|alsa/i.test(l)).slice(-30).join('\n')}`);
  await delay(1500);
  t.notOk(a.events.some((e) => e.type === 'CALL_CLOSED'), "101's call is up");
  t.notOk(c.events.some((e) => e.type === 'CALL_CLOSED'), "103's call is up");
  await a.hangup();
  await c.waitEvent('CALL_CLOSED', 10_000);
  t.equal(await cs.settled(), 0, 'no legs left');
  // Only 103's side is asserted here: 101's baresip stops decoding at linphonec's a=sendonly
  // hold, so its recording cannot show the join. The next test has a recording linphonec as 101.
  const atC = heardAtEnd(c, 1, [440, 1000]);
  t.ok(atC[440]! > 0.01 && atC[440]! > 10 * atC[1000]!, `103 hears 101's 440 Hz, not 102 (${JSON.stringify(atC)})`);
});

/**
 * The held party's side of the same flow. A baresip transferee cannot show it: baresip 1.0
 * stops decoding for good once it has answered the transferor's a=sendonly hold with
 * a=recvonly (see pbx-transfer-spa112.test.ts). A second linphonec as 101 can: with the file
 * "soundcard", `record` writes what it plays, i.e. exactly the audio it receives.
 */
t.test('attended transfer by linphonec: the held party 101 then hears 103', async (t) => {
  const cs = await startCallStack(t, { extensions: ['101', '102', '103'] });
  const pbx = `127.0.0.1:${cs.sipPort}`;
  const recordDir = t.testdir();
  const heardByA = join(recordDir, 'a-received.wav');
  const a = await startLinphonec(t, { toneHz: 440, recordTo: heardByA, autoAnswer: true });
  await a.register(`sip:101@${pbx}`, `sip:${pbx}`, password('101'));
  const c = await phone(t, cs, '103', 700);
  const b = await startLinphonec(t, { toneHz: 1000 });
  await b.register(`sip:102@${pbx}`, `sip:${pbx}`, password('102'));
  b.send(`call sip:101@${pbx}`);
  await waitFor(() => cs.calls.activeLegs() >= 2, 15_000, 'the call 102 → 101 to be up');
  await delay(1000);
  b.send('pause 1');
  await delay(1000);
  b.send(`call sip:103@${pbx}`);
  await c.waitEvent('CALL_ESTABLISHED', 15_000);
  await delay(1000);
  b.send('transfer 1 --to-call 2');
  const transferred = () => cs.stack.repos.cdr.list().some((r) => r.events.some((e) => e.kind === 'transfer' && e['result'] === 'completed'));
  await waitFor(transferred, 10_000, 'the transfer to complete');
  await delay(2500);
  t.notOk(c.events.some((e) => e.type === 'CALL_CLOSED'), "103's call is up");
  await c.hangup();
  await waitFor(() => cs.calls.activeLegs() === 0, 10_000, 'every leg to end');
  await waitFor(() => existsSync(heardByA) && statSync(heardByA).size > 44, 5000, "101's recording to be written");
  await delay(500);   // linphonec finalises the WAV header when the call ends
  const heard = analyseWav(heardByA);
  const tail = tonePowersAtEnd(heardByA, 1.5, [700, 1000, 440]);
  t.ok(heard.rms > 0.01, `101's recording is not silent (rms ${heard.rms.toFixed(3)}, ${heard.durationMs} ms)`);
  t.ok(tail[700]! > 0.01 && tail[700]! > 10 * tail[1000]! && tail[700]! > 10 * tail[440]!,
    `at the end 101 hears 103's 700 Hz, not 102's 1000 Hz (${JSON.stringify(tail)})`);
});
