import { readFileSync } from 'node:fs';
import wavefile from 'wavefile';

export interface WavAnalysis {
  sampleRate: number;
  channels: number;
  durationMs: number;
  /** Root mean square of the first channel, 0..1 of full scale. */
  rms: number;
  /** Strongest frequency (10 Hz resolution, 50 Hz–Nyquist) by Goertzel over the loudest second. */
  dominantHz: number;
  /** Time in 10 ms blocks louder than -40 dBFS: how long something audible lasts. */
  activeMs: number;
}

/** Power of one frequency in a block of samples (Goertzel): cheap single-bin DFT. */
export function goertzelPower(samples: ArrayLike<number>, sampleRate: number, hz: number): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * hz) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < samples.length; i++) {
    const s0 = samples[i]! + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - coefficient * s1 * s2;
}

/** Reads a WAV (any PCM format wavefile understands) and describes it for assertions. */
export function analyseWav(path: string): WavAnalysis {
  const wav = new wavefile.WaveFile(readFileSync(path));
  // Copy the format out first: toBitDepth rebuilds wav.fmt, leaving the old object blank.
  const fmt = { ...(wav.fmt as { sampleRate: number; numChannels: number }) };
  wav.toBitDepth('32f');
  const raw = wav.getSamples(false, Float64Array) as unknown as Float64Array | Float64Array[];
  const first: Float64Array = fmt.numChannels > 1 ? (raw as Float64Array[])[0]! : (raw as Float64Array);
  let sum = 0;
  for (const v of first) sum += v * v;
  const rms = first.length ? Math.sqrt(sum / first.length) : 0;
  return {
    sampleRate: fmt.sampleRate,
    channels: fmt.numChannels,
    durationMs: Math.round((first.length / fmt.sampleRate) * 1000),
    rms,
    dominantHz: dominantFrequency(first, fmt.sampleRate),
    activeMs: activeDuration(first, fmt.sampleRate),
  };
}

export function activeDuration(samples: Float64Array, sampleRate: number, thresholdDb = -40): number {
  const block = Math.round(sampleRate / 100);
  const threshold = Math.pow(10, thresholdDb / 20);
  let active = 0;
  for (let start = 0; start + block <= samples.length; start += block) {
    let sum = 0;
    for (let i = start; i < start + block; i++) sum += samples[i]! * samples[i]!;
    if (Math.sqrt(sum / block) >= threshold) active += 10;
  }
  return active;
}

export function dominantFrequency(samples: Float64Array, sampleRate: number): number {
  if (samples.length === 0) return 0;
  // The loudest one-second window, so leading/trailing silence does not dilute the estimate.
  const window = Math.min(samples.length, sampleRate);
  const step = Math.max(1, Math.floor(sampleRate / 10));
  let bestStart = 0;
  let bestEnergy = -1;
  for (let start = 0; start + window <= samples.length; start += step) {
    let energy = 0;
    for (let i = start; i < start + window; i += 4) energy += samples[i]! * samples[i]!;
    if (energy > bestEnergy) { bestEnergy = energy; bestStart = start; }
  }
  const block = samples.subarray(bestStart, bestStart + window);
  let bestHz = 0;
  let bestPower = -1;
  const nyquist = Math.min(sampleRate / 2, 4000);
  for (let hz = 50; hz < nyquist; hz += 10) {
    const power = goertzelPower(block, sampleRate, hz);
    if (power > bestPower) { bestPower = power; bestHz = hz; }
  }
  return bestHz;
}

/** Writes a test tone WAV in any format, for conversion tests and as a known source. */
export function makeToneWav(opts: { hz: number; durationMs: number; sampleRate?: number; channels?: number; bitDepth?: string; amplitude?: number }): Uint8Array {
  const sampleRate = opts.sampleRate ?? 8000;
  const channels = opts.channels ?? 1;
  const amplitude = opts.amplitude ?? 0.5;
  const count = Math.round((opts.durationMs / 1000) * sampleRate);
  const tone = new Float64Array(count);
  for (let i = 0; i < count; i++) tone[i] = Math.sin((2 * Math.PI * opts.hz * i) / sampleRate) * amplitude;
  const wav = new wavefile.WaveFile();
  wav.fromScratch(channels, sampleRate, '32f', channels === 1 ? tone : Array.from({ length: channels }, () => tone));
  wav.toBitDepth(opts.bitDepth ?? '16');
  return wav.toBuffer();
}
