import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPlayback } from '../../src/media/player.js';
import { loadAudio } from '../../src/media/audio-file.js';
import { generateTone } from '../../src/media/tones.js';
import { dominantFrequency, makeToneWav } from '../helpers/audio.js';


function drain(playback: { readInto(out: Int16Array): boolean; ended: boolean }, frames: number): Int16Array {
  const out = new Int16Array(frames * 160);
  const frame = new Int16Array(160);
  for (let i = 0; i < frames && !playback.ended; i++) {
    playback.readInto(frame);
    out.set(frame, i * 160);
  }
  return out;
}

t.test('a list plays in order, pads the last frame with silence and reports finished', async (t) => {
  const dir = t.testdir();
  writeFileSync(join(dir, 'a.wav'), makeToneWav({ hz: 400, durationMs: 100 }));
  const playback = createPlayback([join(dir, 'a.wav'), { silenceMs: 50 }, { samples: Int16Array.from({ length: 90 }, () => 1000) }], {}, loadAudio);
  let doneEvents = 0;
  playback.on('done', () => doneEvents++);
  await playback.ready;
  const out = drain(playback, 10);
  t.equal(dominantFrequency(Float64Array.from(out.subarray(0, 800), (v) => v / 32768), 8000), 400, 'file first');
  t.ok(out.subarray(800, 1200).every((v) => v === 0), 'then 50 ms of silence');
  t.ok(out.subarray(1200, 1290).every((v) => v === 1000), 'then the raw samples');
  t.ok(out.subarray(1290, 1440).every((v) => v === 0), 'last frame padded with silence');
  t.same(await playback.done, { reason: 'finished' });
  t.equal(doneEvents, 1);
});

t.test('loop repeats until stopped (music on hold)', async (t) => {
  const playback = createPlayback({ tone: 'beep' }, { loop: true }, loadAudio);
  await playback.ready;
  const out = drain(playback, 60); // 1.2 s from a 0.4 s tone
  t.ok(out.subarray(9000, 9100).some((v) => v !== 0), 'still playing after three cycles');
  t.notOk(playback.ended);
  playback.stop();
  t.same(await playback.done, { reason: 'stopped' });
  t.equal(playback.readInto(new Int16Array(160)), false);
});

t.test('a file that cannot be played ends the playback with the reason', async (t) => {
  const dir = t.testdir();
  writeFileSync(join(dir, 'greeting.mp3'), 'ID3 not a wav');
  const playback = createPlayback([{ tone: 'beep' }, join(dir, 'greeting.mp3')], {}, loadAudio);
  const result = await playback.done;
  t.equal(result.reason, 'error');
  t.match(result.error, /greeting.mp3: not a WAV file \(RIFF header missing\)/);
});

t.test('tones: Polish ringback 425 Hz 1 s on / 4 s off, busy 0.5/0.5, beep 1 kHz 0.4 s', async (t) => {
  const ringback = generateTone('ringback');
  t.equal(ringback.length, 5 * 8000);
  const ringbackHz = dominantFrequency(Float64Array.from(ringback.subarray(0, 8000), (v) => v / 32768), 8000);
  t.ok(Math.abs(ringbackHz - 425) <= 5, `425 Hz (measured ${ringbackHz} at 10 Hz resolution)`);
  t.ok(ringback.subarray(8000).every((v) => v === 0), '4 s of silence');
  const busy = generateTone('busy', 2000);
  t.equal(busy.length, 16000);
  t.ok(busy.subarray(4000, 8000).every((v) => v === 0) && busy.subarray(8000, 12000).some((v) => v !== 0), 'on/off every 0.5 s');
  const beep = generateTone('beep');
  t.equal(beep.length, 3200);
  t.equal(dominantFrequency(Float64Array.from(beep, (v) => v / 32768), 8000), 1000);
  t.equal(generateTone('beep'), beep, 'generated once and shared');
  const empty = createPlayback({ samples: new Int16Array(0) }, { loop: true }, loadAudio);
  t.same(await empty.done, { reason: 'finished' }, 'an empty looping source ends instead of spinning');
});
