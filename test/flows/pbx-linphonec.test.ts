/**
 * Attended transfer from a real client that sends Replaces (linphonec as the transferor,
 * registered with digest), with baresip phones as the transferee and the target.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import wavefile from 'wavefile';
import { goertzelPower } from '../helpers/audio.js';
import { startBaresip, type Baresip } from '../helpers/sip/baresip.js';
import { delay, type Teardownable } from '../helpers/srf.js';
import { password, startCallStack, type CallStack } from '../helpers/pbx/calls.js';
import { startLinphonec } from '../helpers/pbx/linphonec.js';

async function phone(t: Teardownable, cs: CallStack, ext: string, toneHz: number): Promise<Baresip> {
  const ua = await startBaresip({
    user: ext, toneHz, autoAnswer: true,
    register: { registrar: `127.0.0.1:${cs.sipPort}`, password: password(ext), regint: 600 },
    teardown: (fn) => t.teardown(fn),
  });
  await ua.waitEvent('REGISTER_OK', 15_000);
  return ua;
}

/** Goertzel power of each frequency over the last `seconds` of the phone's received audio. */
function heardAtEnd(ua: Baresip, seconds: number, freqs: number[]): Record<number, number> {
  const wavs = ua.recordedWavs().received;
  if (wavs.length === 0) throw new Error(`${ua.user} recorded no audio`);
  const wav = new wavefile.WaveFile(readFileSync(wavs[wavs.length - 1]!));
  const rate = (wav.fmt as { sampleRate: number }).sampleRate;
  wav.toBitDepth('32f');
  const samples = wav.getSamples(false, Float64Array) as unknown as Float64Array;
  const tail = samples.subarray(Math.max(0, samples.length - Math.round(seconds * rate)));
  return Object.fromEntries(freqs.map((hz) => [hz, goertzelPower(tail, rate, hz)]));
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
  // Only 103's side is asserted here: 101's baresip stops its received-audio dump at
  // linphonec's hold re-INVITE (its file ends ~0.4 s in), so its recording cannot show the
  // join. Both directions after an attended transfer are asserted in pbx-transfer.test.ts.
  const atC = heardAtEnd(c, 1, [440, 1000]);
  t.ok(atC[440]! > 0.01 && atC[440]! > 10 * atC[1000]!, `103 hears 101's 440 Hz, not 102 (${JSON.stringify(atC)})`);
});
