import { readFile, rename, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { basename } from 'node:path';
import wavefile from 'wavefile';
import { ValidationError } from '../errors.js';
import { SAMPLE_RATE } from './g711.js';

/** What every refusal ends with, so whoever uploads knows what to send instead. */
export const AUDIO_REQUIREMENTS = 'upload a WAV, PCM 8–48 kHz, mono or stereo; it is converted to 8 kHz mono';

const MIN_RATE = 8000;
const MAX_RATE = 48000;
const DEFAULT_MAX_DURATION_MS = 15 * 60 * 1000;

export interface AudioInfo {
  sampleRate: number;
  channels: number;
  bitDepth: string;
  durationMs: number;
  /** True when the file was not already 8 kHz mono 16-bit and had to be converted. */
  converted: boolean;
}

export type AudioCheckResult =
  | { ok: true; samples: Int16Array; info: AudioInfo }
  | { ok: false; message: string };

interface WavFormat {
  audioFormat: number;
  numChannels: number;
  sampleRate: number;
  bitsPerSample: number;
}

const FORMAT_NAMES: Record<number, string> = { 2: 'MS ADPCM', 17: 'IMA ADPCM', 49: 'GSM 6.10', 80: 'MPEG', 85: 'MP3' };

function refuse(name: string, what: string): AudioCheckResult {
  return { ok: false, message: `${name}: ${what}: ${AUDIO_REQUIREMENTS}` };
}

function floatToInt16(samples: ArrayLike<number>): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]!));
    out[i] = v < 0 ? Math.round(v * 0x8000) : Math.round(v * 0x7fff);
  }
  return out;
}

/**
 * Validates an audio upload and converts it to what the media engine plays: 8 kHz mono 16-bit.
 * Never throws; the refusal message names the file, what was wrong and what is accepted.
 */
export function checkAudioFile(buffer: Uint8Array, name: string, opts: { maxDurationMs?: number } = {}): AudioCheckResult {
  if (buffer.length < 12 || String.fromCharCode(...buffer.subarray(0, 4)) !== 'RIFF') {
    return refuse(name, 'not a WAV file (RIFF header missing)');
  }
  if (String.fromCharCode(...buffer.subarray(8, 12)) !== 'WAVE') {
    return refuse(name, 'a RIFF file but not WAVE audio');
  }
  const wav = new wavefile.WaveFile();
  try {
    wav.fromBuffer(buffer);
  } catch (err) {
    return refuse(name, `damaged WAV file (${(err as Error).message})`);
  }
  // A copy: conversions rebuild wav.fmt and blank the object we would otherwise hold.
  const fmt = { ...(wav.fmt as WavFormat) };
  const { sampleRate, numChannels: channels } = fmt;
  if (fmt.audioFormat !== 1 && fmt.audioFormat !== 3 && fmt.audioFormat !== 6 && fmt.audioFormat !== 7 && fmt.audioFormat !== 0xfffe) {
    const label = FORMAT_NAMES[fmt.audioFormat] ?? `format code ${fmt.audioFormat}`;
    return refuse(name, `compressed WAV (${label}) is not supported`);
  }
  if (channels < 1 || channels > 2) return refuse(name, `${channels} channels is not supported`);
  if (sampleRate < MIN_RATE || sampleRate > MAX_RATE) return refuse(name, `sample rate ${sampleRate} Hz is outside 8–48 kHz`);
  const bytesPerFrame = Math.max(1, (fmt.bitsPerSample / 8) * channels);
  const dataBytes = (wav.data as { samples: Uint8Array }).samples.length;
  const frames = Math.floor(dataBytes / bytesPerFrame);
  if (frames === 0) return refuse(name, 'the WAV file contains no audio');
  const sourceDurationMs = (frames / sampleRate) * 1000;
  const maxDurationMs = opts.maxDurationMs ?? DEFAULT_MAX_DURATION_MS;
  if (sourceDurationMs > maxDurationMs) {
    return refuse(name, `${Math.round(sourceDurationMs / 1000)} s is longer than the ${Math.round(maxDurationMs / 1000)} s allowed`);
  }
  const bitDepth = wav.bitDepth;
  try {
    if (fmt.audioFormat === 6) wav.fromALaw();
    if (fmt.audioFormat === 7) wav.fromMuLaw();
    if (wav.bitDepth === '16' && channels === 1 && sampleRate === SAMPLE_RATE) {
      const samples = wav.getSamples(false, Int16Array) as unknown as Int16Array;
      return { ok: true, samples, info: { sampleRate, channels, bitDepth, durationMs: (samples.length / SAMPLE_RATE) * 1000, converted: fmt.audioFormat !== 1 } };
    }
    wav.toBitDepth('32f');
    let mono: Float64Array;
    if (channels === 1) {
      mono = wav.getSamples(false, Float64Array) as Float64Array;
    } else {
      const [left, right] = wav.getSamples(false, Float64Array) as unknown as [Float64Array, Float64Array];
      mono = new Float64Array(left.length);
      for (let i = 0; i < left.length; i++) mono[i] = (left[i]! + right[i]!) / 2;
    }
    if (sampleRate !== SAMPLE_RATE) {
      const resampler = new wavefile.WaveFile();
      resampler.fromScratch(1, sampleRate, '32f', mono);
      resampler.toSampleRate(SAMPLE_RATE, { method: 'sinc', LPF: true });
      mono = resampler.getSamples(false, Float64Array) as Float64Array;
    }
    const samples = floatToInt16(mono);
    return { ok: true, samples, info: { sampleRate, channels, bitDepth, durationMs: (samples.length / SAMPLE_RATE) * 1000, converted: true } };
  } catch (err) {
    return refuse(name, `could not be converted (${(err as Error).message})`);
  }
}

/** Reads a WAV file as 8 kHz mono samples; throws ValidationError with the reason when it cannot. */
export async function loadAudio(path: string): Promise<Int16Array> {
  let buffer: Buffer;
  try {
    buffer = await readFile(path);
  } catch (err) {
    throw new ValidationError(`${path}: cannot read audio file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'file');
  }
  const result = checkAudioFile(buffer, basename(path));
  if (!result.ok) throw new ValidationError(result.message.replace(basename(path), path), 'file');
  return result.samples;
}

/** 8 kHz mono 16-bit PCM WAV: the canonical 44-byte header, written by hand because it is fixed. */
export function encodeWav(samples: Int16Array, sampleRate = SAMPLE_RATE): Buffer {
  const dataBytes = samples.length * 2;
  const out = Buffer.alloc(44 + dataBytes);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + dataBytes, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(dataBytes, 40);
  if (endianness() === 'LE') {
    // WAV is little-endian like the machine: copy the sample bytes in one go (recordings are long).
    out.set(new Uint8Array(samples.buffer, samples.byteOffset, dataBytes), 44);
  } else {
    for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i]!, 44 + i * 2);
  }
  return out;
}

/** Writes via a temporary name and rename, so a reader never sees half a recording. */
export async function writeWav(path: string, samples: Int16Array): Promise<void> {
  const temporary = `${path}.part`;
  await writeFile(temporary, encodeWav(samples));
  await rename(temporary, path);
}
