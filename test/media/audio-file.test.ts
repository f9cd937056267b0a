import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { checkAudioFile, encodeWav, loadAudio } from '../../src/media/audio-file.js';
import { dominantFrequency, makeToneWav } from '../helpers/audio.js';

function toFloat(samples: Int16Array): Float64Array {
  return Float64Array.from(samples, (v) => v / 32768);
}

t.test('8 kHz mono 16-bit passes through untouched', async (t) => {
  const result = checkAudioFile(makeToneWav({ hz: 500, durationMs: 250 }), 'greeting.wav');
  t.ok(result.ok);
  if (!result.ok) return;
  t.equal(result.samples.length, 2000);
  t.same(result.info, { sampleRate: 8000, channels: 1, bitDepth: '16', durationMs: 250, converted: false });
});

t.test('other rates, depths and stereo are converted to 8 kHz mono keeping the pitch', async (t) => {
  const cases = [
    { sampleRate: 44100, channels: 2, bitDepth: '16' },
    { sampleRate: 48000, channels: 1, bitDepth: '24' },
    { sampleRate: 16000, channels: 2, bitDepth: '32f' },
    { sampleRate: 8000, channels: 1, bitDepth: '8' },
    { sampleRate: 22050, channels: 1, bitDepth: '32' },
  ];
  for (const c of cases) {
    const result = checkAudioFile(makeToneWav({ hz: 800, durationMs: 500, ...c }), 'upload.wav');
    t.ok(result.ok, `${JSON.stringify(c)} accepted`);
    if (!result.ok) continue;
    t.ok(Math.abs(result.samples.length - 4000) <= 8, `${c.sampleRate} Hz → 8 kHz keeps the length (${result.samples.length})`);
    t.equal(dominantFrequency(toFloat(result.samples), 8000), 800, 'pitch survives');
    t.equal(result.info.converted, true);
    t.equal(result.info.sampleRate, c.sampleRate);
  }
});

t.test('G.711 WAVs are decoded', async (t) => {
  const wav = new wavefile.WaveFile(makeToneWav({ hz: 600, durationMs: 200 }));
  wav.toMuLaw();
  const result = checkAudioFile(wav.toBuffer(), 'mulaw.wav');
  t.ok(result.ok && result.samples.length === 1600 && dominantFrequency(toFloat(result.samples), 8000) === 600);
});

t.test('refusals say what was wrong and what to upload', async (t) => {
  const requirement = 'upload a WAV, PCM 8–48 kHz, mono or stereo; it is converted to 8 kHz mono';
  const mp3 = Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00garbage-mp3-data');
  const cases: [Uint8Array, string, string][] = [
    [mp3, 'greeting.mp3', `greeting.mp3: not a WAV file (RIFF header missing): ${requirement}`],
    [Buffer.from('RIFF\x00\x00\x00\x00AVI LIST'), 'clip.avi', `clip.avi: a RIFF file but not WAVE audio: ${requirement}`],
    [makeToneWav({ hz: 440, durationMs: 100, sampleRate: 96000 }), 'hires.wav', `hires.wav: sample rate 96000 Hz is outside 8–48 kHz: ${requirement}`],
    [makeToneWav({ hz: 440, durationMs: 100, channels: 4 }), 'quad.wav', `quad.wav: 4 channels is not supported: ${requirement}`],
    [Buffer.from(makeToneWav({ hz: 440, durationMs: 100 })).subarray(0, 30), 'cut.wav', 'cut.wav: damaged WAV file'],
    [makeToneWav({ hz: 440, durationMs: 0 }), 'empty.wav', `empty.wav: the WAV file contains no audio: ${requirement}`],
  ];
  for (const [buffer, name, message] of cases) {
    const result = checkAudioFile(buffer, name);
    t.notOk(result.ok, `${name} refused`);
    if (!result.ok) t.match(result.message, message.includes('damaged') ? new RegExp(`^${message}`) : message);
  }
  const long = checkAudioFile(makeToneWav({ hz: 440, durationMs: 2000 }), 'long.wav', { maxDurationMs: 1000 });
  t.notOk(long.ok);
  if (!long.ok) t.match(long.message, /long.wav: 2 s is longer than the 1 s allowed/);
  const adpcm = Buffer.from(makeToneWav({ hz: 440, durationMs: 100 }));
  adpcm.writeUInt16LE(85, 20); // format code 85 = MP3 inside a WAV
  const refused = checkAudioFile(adpcm, 'mp3-in-wav.wav');
  t.notOk(refused.ok);
  if (!refused.ok) t.match(refused.message, /compressed WAV \(MP3\) is not supported/);
});

t.test('loadAudio reads, converts and reports bad files with their path', async (t) => {
  const dir = t.testdir();
  writeFileSync(join(dir, 'ok.wav'), makeToneWav({ hz: 300, durationMs: 100, sampleRate: 16000 }));
  writeFileSync(join(dir, 'bad.mp3'), 'not audio');
  const samples = await loadAudio(join(dir, 'ok.wav'));
  t.ok(Math.abs(samples.length - 800) <= 4);
  await t.rejects(loadAudio(join(dir, 'bad.mp3')), { message: `${join(dir, 'bad.mp3')}: not a WAV file (RIFF header missing): upload a WAV, PCM 8–48 kHz, mono or stereo; it is converted to 8 kHz mono` });
  await t.rejects(loadAudio(join(dir, 'nope.wav')), /nope.wav: cannot read audio file \(ENOENT\)/);
});

t.test('encodeWav writes a canonical 8 kHz mono 16-bit file', async (t) => {
  const wav = new wavefile.WaveFile(encodeWav(Int16Array.from([1, -2, 3])));
  t.same({ ...(wav.fmt as object) }, { ...(wav.fmt as object), sampleRate: 8000, numChannels: 1, bitsPerSample: 16, audioFormat: 1 });
  t.same([...(wav.getSamples(false, Int16Array) as unknown as Int16Array)], [1, -2, 3]);
});

t.test('shipped prompts are 8 kHz mono 16-bit, complete, and fit in 2 MB', async (t) => {
  const { readdirSync, readFileSync, statSync } = await import('node:fs');
  const root = new URL('../../assets/prompts/', import.meta.url).pathname;
  const names = ['voicemail-greeting', 'beep', 'enter-pin', 'wrong-pin', 'you-have', 'new-messages', 'no-messages', 'message-deleted', 'next-message', 'goodbye', 'queue-please-hold', 'queue-your-position', ...Array.from({ length: 10 }, (_, d) => `digits/${d}`)];
  let total = 0;
  for (const lang of ['en', 'pl']) {
    for (const name of names) {
      const path = join(root, lang, `${name}.wav`);
      const result = checkAudioFile(readFileSync(path), path);
      t.ok(result.ok && !result.info.converted && result.info.durationMs > 200, `${lang}/${name}.wav is ready to play`);
      total += statSync(path).size;
    }
  }
  const moh = checkAudioFile(readFileSync(join(root, 'moh.wav')), 'moh.wav');
  t.ok(moh.ok && !moh.info.converted && Math.abs(moh.info.durationMs - 30_000) < 100, 'music on hold: 30 s, no conversion');
  total += statSync(join(root, 'moh.wav')).size;
  t.ok(total <= 2 * 1024 * 1024, `total ${Math.round(total / 1024)} KiB ≤ 2 MiB`);
  t.ok(readdirSync(root).includes('README.md'), 'README says how they were made');
});
