/**
 * drachtio control-protocol framing: `<N>#<payload>` where N is the decimal UTF-8 byte
 * length of payload. Frames arrive back to back and TCP may split or merge them, so the
 * decoder keeps a byte buffer and yields only complete payloads.
 */

export interface FrameDecoderOptions {
  /** Largest payload accepted; bigger prefixes are a protocol error (closes the connection). */
  maxFrameBytes: number;
}

export type DecodeResult =
  | { ok: true; frames: string[] }
  | { ok: false; frames: string[]; error: string };

const HASH = 0x23;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

export interface FrameDecoder {
  /** Feed bytes; returns the payloads completed by them, or an error after which the stream is unusable. */
  push(chunk: Buffer): DecodeResult;
  /** Bytes held while waiting for the rest of a frame. */
  buffered(): number;
}

export function createFrameDecoder(opts: FrameDecoderOptions): FrameDecoder {
  const maxDigits = String(opts.maxFrameBytes).length;
  let buffer: Buffer = Buffer.alloc(0);
  let failed: string | null = null;

  function push(chunk: Buffer): DecodeResult {
    if (failed) return { ok: false, frames: [], error: failed };
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    const frames: string[] = [];
    // Each iteration consumes one whole frame, so the loop is bounded by the buffer size.
    while (buffer.length > 0) {
      const header = readLengthPrefix(buffer, maxDigits);
      if (header.kind === 'incomplete') break;
      if (header.kind === 'error') {
        failed = header.error;
        buffer = Buffer.alloc(0);
        return { ok: false, frames, error: failed };
      }
      if (header.length > opts.maxFrameBytes) {
        failed = `frame of ${header.length} bytes exceeds the limit of ${opts.maxFrameBytes}`;
        buffer = Buffer.alloc(0);
        return { ok: false, frames, error: failed };
      }
      const end = header.payloadStart + header.length;
      if (buffer.length < end) break;
      frames.push(buffer.toString('utf8', header.payloadStart, end));
      buffer = buffer.subarray(end);
    }
    return { ok: true, frames };
  }

  return { push, buffered: () => buffer.length };
}

type PrefixResult =
  | { kind: 'ok'; length: number; payloadStart: number }
  | { kind: 'incomplete' }
  | { kind: 'error'; error: string };

function readLengthPrefix(buf: Buffer, maxDigits: number): PrefixResult {
  let length = 0;
  for (let i = 0; i < buf.length; i++) {
    const byte = buf[i]!;
    if (byte === HASH) {
      if (i === 0) return { kind: 'error', error: 'frame has an empty length prefix' };
      if (length === 0) return { kind: 'error', error: 'frame declares a zero length' };
      return { kind: 'ok', length, payloadStart: i + 1 };
    }
    if (byte < DIGIT_0 || byte > DIGIT_9) {
      return { kind: 'error', error: 'frame length prefix is not a decimal number' };
    }
    if (i >= maxDigits) return { kind: 'error', error: 'frame length prefix is too long' };
    length = length * 10 + (byte - DIGIT_0);
  }
  return { kind: 'incomplete' };
}

/** The frame as text (`<N>#<payload>`), for writers that batch several frames into one write. */
export function frameText(payload: string): string {
  return `${Buffer.byteLength(payload, 'utf8')}#${payload}`;
}

export function encodeFrame(payload: string): Buffer {
  const body = Buffer.from(payload, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}#`, 'ascii'), body]);
}
