import { SAMPLES_PER_MS } from './g711.js';

export type ToneName = 'beep' | 'ringback' | 'busy';

interface Cadence {
  hz: number;
  onMs: number;
  offMs: number;
}

/** Polish (and most of Europe's) call-progress tones: 425 Hz; ringback 1 s on/4 s off, busy 0.5/0.5. */
const CADENCES: Record<ToneName, Cadence> = {
  beep: { hz: 1000, onMs: 400, offMs: 0 },
  ringback: { hz: 425, onMs: 1000, offMs: 4000 },
  busy: { hz: 425, onMs: 500, offMs: 500 },
};

const TONE_AMPLITUDE = 0.3 * 0x7fff;

export function sineWave(hz: number, durationMs: number, amplitude = TONE_AMPLITUDE): Int16Array {
  const samples = new Int16Array(Math.round(durationMs * SAMPLES_PER_MS));
  const step = (2 * Math.PI * hz) / (SAMPLES_PER_MS * 1000);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(Math.sin(i * step) * amplitude);
  return samples;
}

/** Tones are the same for every call: music-on-hold-style ringback to 200 callers is one buffer. */
const generated = new Map<string, Int16Array>();
const MAX_CACHED_TONES = 32;

/** One cadence cycle, or as many cycles as fit in durationMs when given. Callers must not modify it. */
export function generateTone(name: ToneName, durationMs?: number): Int16Array {
  const key = `${name}:${durationMs ?? 'cycle'}`;
  let samples = generated.get(key);
  if (!samples) {
    samples = synthesise(name, durationMs);
    if (generated.size >= MAX_CACHED_TONES) generated.clear();
    generated.set(key, samples);
  }
  return samples;
}

function synthesise(name: ToneName, durationMs?: number): Int16Array {
  const cadence = CADENCES[name];
  const on = sineWave(cadence.hz, cadence.onMs);
  const cycle = new Int16Array(on.length + cadence.offMs * SAMPLES_PER_MS);
  cycle.set(on);
  if (durationMs === undefined) return cycle;
  const total = new Int16Array(Math.round(durationMs * SAMPLES_PER_MS));
  for (let offset = 0; offset < total.length; offset += cycle.length) {
    total.set(cycle.subarray(0, Math.min(cycle.length, total.length - offset)), offset);
  }
  return total;
}
