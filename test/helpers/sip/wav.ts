/**
 * Writes test WAV files (16-bit PCM mono). Reading and analysis live in test/helpers/audio.ts.
 */
import { writeFileSync } from 'node:fs';

/** A sine tone of `seconds` at `hz`, amplitude 0..1 of full scale. */
export function toneSamples(seconds: number, hz = 440, sampleRate = 8000, amplitude = 0.3): Int16Array {
  const samples = new Int16Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < samples.length; i++) {
    samples[i] = Math.round(Math.sin((2 * Math.PI * hz * i) / sampleRate) * amplitude * 32767);
  }
  return samples;
}

export function wavBytes(samples: Int16Array, sampleRate = 8000): Buffer {
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);          // fmt chunk size
  header.writeUInt16LE(1, 20);           // PCM
  header.writeUInt16LE(1, 22);           // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);           // block align
  header.writeUInt16LE(16, 34);          // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

export function writeToneWav(path: string, seconds: number, hz = 440, sampleRate = 8000): void {
  writeFileSync(path, wavBytes(toneSamples(seconds, hz, sampleRate), sampleRate));
}

/**
 * A sine tone as a G.711 mu-law WAV (format 7), the form SIPp's rtp_stream plays as PCMU
 * (payload type 0) without transcoding.
 */
export function writeMulawToneWav(path: string, seconds: number, hz: number, encode: (samples: Int16Array) => Uint8Array): void {
  const data = Buffer.from(encode(toneSamples(seconds, hz)));
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(7, 20);           // mu-law
  header.writeUInt16LE(1, 22);           // mono
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(8000, 28);        // one byte per sample
  header.writeUInt16LE(1, 32);
  header.writeUInt16LE(8, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  writeFileSync(path, Buffer.concat([header, data]));
}
