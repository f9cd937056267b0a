/**
 * Test helper: baresip phones registered as extensions through the PBX, and what they heard.
 * Shared by the flow tests that check real audio (calls, transfers, queues, business hours).
 */
import { readFileSync } from 'node:fs';
import wavefile from 'wavefile';
import { startBaresip, type Baresip } from '../sip/baresip.js';
import { goertzelPower } from '../audio.js';
import type { Teardownable } from '../srf.js';
import { password } from './calls.js';

/** Starts baresip as `ext` (password from calls.ts), sending a `toneHz` sine, and waits for its REGISTER 200. */
export async function registeredBaresip(
  t: Teardownable, pbx: { sipPort: number }, ext: string, opts: { toneHz: number; autoAnswer?: boolean },
): Promise<Baresip> {
  const ua = await startBaresip({
    user: ext, toneHz: opts.toneHz, autoAnswer: opts.autoAnswer ?? true,
    register: { registrar: `127.0.0.1:${pbx.sipPort}`, password: password(ext), regint: 600 },
    teardown: (fn) => t.teardown(fn),
  });
  await ua.waitEvent('REGISTER_OK', 15_000);
  return ua;
}

/** The WAV of the last call the phone received audio in. */
export function lastReceived(ua: Baresip): string {
  const wavs = ua.recordedWavs().received;
  if (wavs.length === 0) throw new Error(`${ua.user} recorded no audio`);
  return wavs[wavs.length - 1]!;
}

/** Goertzel power of each frequency over the last `seconds` of a WAV file. */
export function tonePowersAtEnd(path: string, seconds: number, freqs: number[]): Record<number, number> {
  const wav = new wavefile.WaveFile(readFileSync(path));
  const rate = (wav.fmt as { sampleRate: number }).sampleRate;
  wav.toBitDepth('32f');
  const samples = wav.getSamples(false, Float64Array) as unknown as Float64Array;
  const tail = samples.subarray(Math.max(0, samples.length - Math.round(seconds * rate)));
  return Object.fromEntries(freqs.map((hz) => [hz, goertzelPower(tail, rate, hz)]));
}

/** Goertzel power of each frequency over the last `seconds` of the phone's received audio. */
export function heardAtEnd(ua: Baresip, seconds: number, freqs: number[]): Record<number, number> {
  return tonePowersAtEnd(lastReceived(ua), seconds, freqs);
}

/** Matches a NOTIFY on `callId` whose sipfrag carries `status` (REFER progress). */
export const notifyOn = (callId: string, status: number) => (r: { method: string; callId: string; text: string }) =>
  r.method === 'NOTIFY' && r.callId === callId && r.text.includes(`SIP/2.0 ${status}`);
