import alawmulaw from 'alawmulaw';

/** The two codecs every SIP phone speaks; both are 8 kHz, one byte per sample. */
export type G711Codec = 'PCMU' | 'PCMA';

export const SAMPLE_RATE = 8000;
export const SAMPLES_PER_MS = SAMPLE_RATE / 1000;

/** Static RTP payload types from RFC 3551. */
export const STATIC_PAYLOAD_TYPES: Readonly<Record<G711Codec, number>> = { PCMU: 0, PCMA: 8 };

export const DEFAULT_DTMF_PAYLOAD_TYPE = 101;

export function codecForStaticPayloadType(payloadType: number): G711Codec | null {
  if (payloadType === 0) return 'PCMU';
  if (payloadType === 8) return 'PCMA';
  return null;
}

interface CodecTables {
  /** Indexed by the 16-bit sample + 32768: 64 KiB, turns per-sample arithmetic into one load. */
  encode: Uint8Array;
  decode: Int16Array;
}

const tables: Partial<Record<G711Codec, CodecTables>> = {};

/** Built on first use from alawmulaw (the reference), so the tables cannot disagree with it. */
function tablesFor(codec: G711Codec): CodecTables {
  let built = tables[codec];
  if (!built) {
    const law = codec === 'PCMU' ? alawmulaw.mulaw : alawmulaw.alaw;
    const everySample = new Int16Array(65536);
    for (let i = 0; i < 65536; i++) everySample[i] = i - 32768;
    const everyByte = new Uint8Array(256);
    for (let i = 0; i < 256; i++) everyByte[i] = i;
    built = { encode: law.encode(everySample), decode: law.decode(everyByte) };
    tables[codec] = built;
  }
  return built;
}

export function encodeG711(codec: G711Codec, samples: Int16Array): Uint8Array {
  const table = tablesFor(codec).encode;
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = table[samples[i]! + 32768]!;
  return out;
}

export function decodeG711(codec: G711Codec, payload: Uint8Array): Int16Array {
  const table = tablesFor(codec).decode;
  const out = new Int16Array(payload.length);
  for (let i = 0; i < payload.length; i++) out[i] = table[payload[i]!]!;
  return out;
}

/** The byte that decodes to (near) zero: what a silent frame carries on the wire. */
export function silenceByte(codec: G711Codec): number {
  return codec === 'PCMU' ? 0xff : 0xd5;
}
