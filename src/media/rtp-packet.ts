/** RFC 3550 fixed header: what we need to send and receive G.711 and RFC 4733 events. */
export interface RtpPacket {
  payloadType: number;
  marker: boolean;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  payload: Uint8Array;
}

export type RtpParseResult = { ok: true; packet: RtpPacket } | { ok: false; reason: string };

const FIXED_HEADER_BYTES = 12;

/** Parses one datagram; never throws, so a malformed packet can be counted and dropped. */
export function parseRtp(datagram: Uint8Array): RtpParseResult {
  if (datagram.length < FIXED_HEADER_BYTES) {
    return { ok: false, reason: `${datagram.length} bytes is shorter than the 12-byte RTP header` };
  }
  const first = datagram[0]!;
  const version = first >> 6;
  if (version !== 2) return { ok: false, reason: `RTP version ${version}, expected 2` };
  const hasPadding = (first & 0x20) !== 0;
  const hasExtension = (first & 0x10) !== 0;
  const csrcCount = first & 0x0f;
  const second = datagram[1]!;
  const payloadType = second & 0x7f;
  // 72–76 are RTCP packet types (SR/RR/SDES/BYE/APP) arriving on the RTP port (rtcp-mux).
  if (payloadType >= 72 && payloadType <= 76) return { ok: false, reason: `RTCP packet type ${payloadType + 128} on the RTP port` };
  const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  let offset = FIXED_HEADER_BYTES + csrcCount * 4;
  if (offset > datagram.length) return { ok: false, reason: `CSRC count ${csrcCount} runs past the end of a ${datagram.length}-byte packet` };
  if (hasExtension) {
    if (offset + 4 > datagram.length) return { ok: false, reason: 'header extension runs past the end of the packet' };
    const extensionWords = view.getUint16(offset + 2);
    offset += 4 + extensionWords * 4;
    if (offset > datagram.length) return { ok: false, reason: `header extension of ${extensionWords} words runs past the end of the packet` };
  }
  let end = datagram.length;
  if (hasPadding) {
    const paddingBytes = datagram[datagram.length - 1]!;
    if (paddingBytes === 0 || end - paddingBytes < offset) return { ok: false, reason: `padding of ${paddingBytes} bytes is invalid` };
    end -= paddingBytes;
  }
  return {
    ok: true,
    packet: {
      payloadType,
      marker: (second & 0x80) !== 0,
      sequenceNumber: view.getUint16(2),
      timestamp: view.getUint32(4),
      ssrc: view.getUint32(8),
      payload: datagram.subarray(offset, end),
    },
  };
}

export function buildRtp(packet: RtpPacket): Buffer {
  const datagram = Buffer.allocUnsafe(FIXED_HEADER_BYTES + packet.payload.length);
  datagram[0] = 0x80;
  datagram[1] = (packet.marker ? 0x80 : 0) | (packet.payloadType & 0x7f);
  datagram.writeUInt16BE(packet.sequenceNumber & 0xffff, 2);
  datagram.writeUInt32BE(packet.timestamp >>> 0, 4);
  datagram.writeUInt32BE(packet.ssrc >>> 0, 8);
  datagram.set(packet.payload, FIXED_HEADER_BYTES);
  return datagram;
}

/** Signed distance a→b on the 16-bit sequence circle (positive when b is newer). */
export function sequenceDelta(a: number, b: number): number {
  const delta = (b - a) & 0xffff;
  return delta >= 0x8000 ? delta - 0x10000 : delta;
}

/** Signed distance a→b on the 32-bit timestamp circle. */
export function timestampDelta(a: number, b: number): number {
  return ((b - a) | 0);
}

export function randomUint32(): number {
  return (Math.random() * 0x100000000) >>> 0;
}
