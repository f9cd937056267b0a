import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseWav, makeToneWav } from '../helpers/audio.js';
import { bindPeer, connectedPair, sleep, testEngine, waitFor } from './fixtures/endpoints.js';
import { buildRtp } from '../../src/media/rtp-packet.js';
import { encodeG711 } from '../../src/media/g711.js';
import { sineWave } from '../../src/media/tones.js';

const engine = testEngine();
t.teardown(() => engine.close());

t.test('recording ends on # and keeps what came before it', async (t) => {
  const dir = t.testdir();
  const [caller, voicemail] = await connectedPair(engine);
  const file = join(dir, 'msg.wav');
  writeFileSync(join(dir, 'voice.wav'), makeToneWav({ hz: 700, durationMs: 400 }));
  const recording = voicemail.record({ file, maxDurationMs: 10_000, stopOnDtmf: '#' });
  await caller.play(join(dir, 'voice.wav')).done;
  caller.sendDtmf('#');
  const result = await recording;
  t.equal(result.endedBy, 'dtmf');
  t.equal(result.file, file);
  const analysis = analyseWav(file);
  t.equal(analysis.dominantHz, 700);
  t.ok(analysis.activeMs >= 360, `the message before # is kept (${analysis.activeMs} ms)`);
  t.ok(result.durationMs < 1500, `ends promptly after # (${result.durationMs} ms)`);
  await Promise.all([caller.close(), voicemail.close()]);
});

t.test('recording ends at its maximum length', async (t) => {
  const [caller, voicemail] = await connectedPair(engine);
  caller.play({ tone: 'busy', durationMs: 5000 });
  const result = await voicemail.record({ file: join(t.testdir(), 'max.wav'), maxDurationMs: 500 });
  t.equal(result.endedBy, 'max-duration');
  t.equal(result.durationMs, 500);
  t.equal(analyseWav(result.file).durationMs, 500);
  await Promise.all([caller.close(), voicemail.close()]);
});

t.test('recording ends on long silence and trims most of it', async (t) => {
  const [caller, voicemail] = await connectedPair(engine);
  caller.play([{ tone: 'beep', durationMs: 300 }, { silenceMs: 3000 }]);
  const started = Date.now();
  const result = await voicemail.record({ file: join(t.testdir(), 'quiet.wav'), maxDurationMs: 5000, silence: { thresholdDb: -40, durationMs: 400 } });
  t.equal(result.endedBy, 'silence');
  t.ok(Date.now() - started < 1500, 'ends well before the maximum');
  const analysis = analyseWav(result.file);
  t.equal(analysis.dominantHz, 1000);
  t.ok(analysis.durationMs >= 300 && analysis.durationMs <= 800, `speech plus ~300 ms of silence kept (${analysis.durationMs} ms)`);
  await Promise.all([caller.close(), voicemail.close()]);
});

t.test('recording ends on silence when the phone stops sending altogether', async (t) => {
  const [caller, voicemail] = await connectedPair(engine);
  await caller.close(); // no more packets at all
  const result = await voicemail.record({ file: join(t.testdir(), 'none.wav'), maxDurationMs: 5000, silence: { thresholdDb: -40, durationMs: 300 } });
  t.equal(result.endedBy, 'silence');
  t.equal(analyseWav(result.file).durationMs, result.durationMs);
  await voicemail.close();
});

t.test('hang-up ends the recording and a second recording at once is refused', async (t) => {
  const [caller, voicemail] = await connectedPair(engine);
  caller.play({ tone: 'ringback' }, { loop: true });
  const recording = voicemail.record({ file: join(t.testdir(), 'hangup.wav'), maxDurationMs: 10_000 });
  await t.rejects(voicemail.record({ file: join(t.testdir(), 'other.wav'), maxDurationMs: 1000 }), /already recording/);
  await sleep(300);
  await voicemail.close();
  const result = await recording;
  t.equal(result.endedBy, 'hangup');
  t.ok(result.durationMs >= 200, `kept what was said (${result.durationMs} ms)`);
  await t.rejects(voicemail.record({ file: join(t.testdir(), 'late.wav'), maxDurationMs: 1000 }), /is closed/);
  await caller.close();
});

t.test('a recording that cannot be written rejects with the file and reason', async (t) => {
  const [caller, voicemail] = await connectedPair(engine);
  const bad = join(t.testdir(), 'missing-dir', 'x.wav');
  const recording = voicemail.record({ file: bad, maxDurationMs: 100 });
  await t.rejects(recording, new RegExp(`${bad}: recording could not be written \\(ENOENT\\)`));
  await Promise.all([caller.close(), voicemail.close()]);
});

t.test('packets arriving out of order are recorded in order, with silence for the lost one', async (t) => {
  const endpoint = await engine.openEndpoint();
  const phone = await bindPeer();
  t.teardown(() => phone.close());
  endpoint.setRemote({ payloadType: 8, codec: 'PCMA', ptimeMs: 20, dtmfPayloadType: null, direction: 'sendrecv', remote: { address: '127.0.0.1', port: phone.address().port } });
  const recording = endpoint.record({ file: join(t.testdir(), 'reordered.wav'), maxDurationMs: 5000 });
  const tone = encodeG711('PCMA', sineWave(600, 20));
  const base = 0xffffff00; // the timestamps wrap past 2^32 during the call
  for (const frame of [0, 2, 1, 4]) { // frame 3 never arrives
    phone.send(buildRtp({ payloadType: 8, marker: frame === 0, sequenceNumber: 0xfffe + frame, timestamp: (base + frame * 160) >>> 0, ssrc: 1234, payload: tone }), endpoint.local.port, '127.0.0.1');
    await sleep(5);
  }
  await waitFor(() => endpoint.stats().packetsReceived === 4, 2000, 'four packets');
  await endpoint.close();
  const result = await recording;
  t.equal(result.durationMs, 100, 'five 20 ms frames: four received plus one filled');
  const samples = analyseWav(result.file);
  t.equal(samples.activeMs, 80, 'the lost frame is silence');
  t.equal(samples.dominantHz, 600);
  t.equal(endpoint.stats().late, 0);
});
