/**
 * Real phones (baresip) and a ring-all queue: both agents ring, 102 answers, 101 stops ringing;
 * the caller and 102 then hear each other's tone (the queue's music is gone). A caller's key
 * press while waiting reaches the queue's media endpoint as RFC 4733.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import wavefile from 'wavefile';
import { type Baresip } from '../helpers/sip/baresip.js';
import { analyseWav } from '../helpers/audio.js';
import { delay, type Teardownable } from '../helpers/srf.js';
import { startQueueStack, type QueueStack } from '../helpers/pbx/queue-stack.js';
import { lastReceived, registeredBaresip, tonePowersAtEnd } from '../helpers/pbx/phones.js';

async function phone(t: Teardownable, qs: QueueStack, ext: string, toneHz: number, autoAnswer: boolean): Promise<Baresip> {
  return registeredBaresip(t, qs, ext, { toneHz: toneHz, autoAnswer: autoAnswer });
}

/** RMS of seconds [from, to) of a recording (full scale = 1). */
function rmsBetween(path: string, from: number, to: number): number {
  const wav = new wavefile.WaveFile(readFileSync(path));
  const rate = (wav.fmt as { sampleRate: number }).sampleRate;
  wav.toBitDepth('32f');
  const samples = (wav.getSamples(false, Float64Array) as unknown as Float64Array).subarray(Math.round(from * rate), Math.round(to * rate));
  let sum = 0;
  for (const v of samples) sum += v * v;
  return samples.length === 0 ? 0 : Math.sqrt(sum / samples.length);
}

t.test('ring-all: two agents ring, 102 answers; caller and agent hear each other', async (t) => {
  const qs = await startQueueStack(t, {
    extensions: ['100', '101', '102'],
    queues: [{ number: '30', strategy: 'ring-all', ringTimeoutS: 100, maxWaitS: 600, overflow: '500', members: ['101', '102'] }],
  });
  const idle = await phone(t, qs, '101', 700, false);
  const agent = await phone(t, qs, '102', 1000, false);
  const caller = await phone(t, qs, '100', 440, false);
  t.ok((await caller.dial(`sip:30@127.0.0.1:${qs.sipPort}`)).ok);
  await caller.waitEvent('CALL_ESTABLISHED', 15_000);
  await idle.waitEvent('CALL_INCOMING', 15_000);
  await agent.waitEvent('CALL_INCOMING', 15_000);
  t.same((await qs.waitEvent('ringing')).agents, ['101', '102'], 'both agents ring at once');
  await delay(1000);   // the caller hears the queue for a moment
  await agent.answer();
  const connected = await qs.waitEvent('connected', 10_000);
  t.equal(connected.agent, '102');
  await idle.waitEvent('CALL_CLOSED', 10_000);
  t.pass('101 stopped ringing when 102 answered');
  await delay(2500);
  t.equal(qs.engine.stats().openEndpoints, 0, "the queue's endpoint is closed once the agent talks");
  await caller.hangup();
  await agent.waitEvent('CALL_CLOSED', 10_000);
  t.same(await qs.settled(), { legs: 0, waiting: 0, endpoints: 0, ports: 0 });
  const callerHears = tonePowersAtEnd(lastReceived(caller), 1.5, [1000, 440]);
  t.ok(callerHears[1000]! > 10 * callerHears[440]!, `the caller hears 102's 1000 Hz at the end (${JSON.stringify(callerHears)})`);
  const onHold = rmsBetween(lastReceived(caller), 0.2, 1.0);
  t.ok(onHold > 0.01, `while waiting the caller hears the queue's prompt/music (rms ${onHold.toFixed(3)})`);
  t.equal(analyseWav(lastReceived(agent)).dominantHz, 440, "102 hears the caller's 440 Hz");
  t.match(qs.stack.repos.queues.get('30')!.members, [{ extension: '101', callsTaken: 0 }, { extension: '102', callsTaken: 1 }]);
});

t.test('a key pressed while waiting reaches the queue endpoint (RFC 4733)', async (t) => {
  const qs = await startQueueStack(t, {
    extensions: ['100', '101'],
    queues: [{ number: '30', ringTimeoutS: 100, maxWaitS: 600, overflow: '500', members: ['101'] }],
  });
  await phone(t, qs, '101', 700, false);
  const caller = await phone(t, qs, '100', 440, false);
  await caller.dial(`sip:30@127.0.0.1:${qs.sipPort}`);
  await caller.waitEvent('CALL_ESTABLISHED', 15_000);
  await qs.waitEvent('joined');
  await delay(500);
  t.ok((await caller.command('sndcode', '5')).ok, 'baresip sends 5');
  const dtmf = await qs.waitEvent('dtmf', 5000);
  t.match(dtmf, { queue: '30', caller: '100', digit: '5' });
  await caller.hangup();
  await qs.waitEvent('abandoned', 5000);
  t.same(await qs.settled(), { legs: 0, waiting: 0, endpoints: 0, ports: 0 });
});
