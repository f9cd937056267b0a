/**
 * Framing for stream transports (TCP/TLS): finds where the first message in a receive
 * buffer ends. Content-Length is mandatory on streams (RFC 3261 §18.3), so without it the
 * connection cannot be resynchronised and the caller must close it.
 */
import type { StreamFrame } from './types.js';
import { DEFAULT_LIMITS, type SipParseLimits } from './parse.js';

const CRLFCRLF = Buffer.from('\r\n\r\n');
const CR = 0x0d;
const LF = 0x0a;

export function frameStream(buf: Buffer, limits?: Partial<SipParseLimits>): StreamFrame {
  const effective: SipParseLimits = { ...DEFAULT_LIMITS, ...limits };
  if (buf.length === 0) return { kind: 'incomplete' };
  // RFC 5626 keep-alives: CRLFCRLF is a ping (answer CRLF); a lone CRLF is a pong to skip.
  if (buf[0] === CR || buf[0] === LF) {
    if (buf[0] === LF) return { kind: 'keepalive', length: 1 };
    if (buf.length < 2) return { kind: 'incomplete' };
    if (buf[1] !== LF) return { kind: 'error', error: 'stray CR at the start of a message' };
    if (buf.length >= 4 && buf[2] === CR && buf[3] === LF) return { kind: 'keepalive', length: 4 };
    if (buf.length === 2 || (buf.length === 3 && buf[2] === CR)) return { kind: 'incomplete' };
    return { kind: 'keepalive', length: 2 };
  }
  const headerEnd = buf.indexOf(CRLFCRLF);
  if (headerEnd === -1) {
    if (buf.length > effective.maxBytes) {
      return { kind: 'error', error: `no end of headers within ${effective.maxBytes} bytes` };
    }
    const firstLf = buf.indexOf(LF);
    if ((firstLf === -1 ? buf.length : firstLf) > effective.maxLineLength) {
      return { kind: 'error', error: `start line longer than ${effective.maxLineLength} bytes` };
    }
    return { kind: 'incomplete' };
  }
  const bodyStart = headerEnd + 4;
  if (bodyStart > effective.maxBytes) {
    return { kind: 'error', error: `header block of ${bodyStart} bytes exceeds the limit of ${effective.maxBytes}` };
  }
  const contentLength = findContentLength(buf.toString('latin1', 0, headerEnd));
  if (typeof contentLength === 'string') return { kind: 'error', error: contentLength };
  const total = bodyStart + contentLength;
  if (total > effective.maxBytes) {
    return { kind: 'error', error: `message of ${total} bytes exceeds the limit of ${effective.maxBytes}` };
  }
  if (buf.length < total) return { kind: 'incomplete' };
  return { kind: 'message', length: total };
}

/** Content-Length (or compact "l") from a header block; an error text when missing or bad. */
function findContentLength(headerBlock: string): number | string {
  // Unfold first so a folded Content-Length value is still found.
  const lines = headerBlock.replace(/\r\n[ \t]+/g, ' ').split('\r\n');
  let found: number | null = null;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name !== 'content-length' && name !== 'l') continue;
    const value = line.slice(colon + 1).trim();
    if (!/^\d{1,10}$/.test(value)) return `Content-Length ${JSON.stringify(value.slice(0, 40))} is not a non-negative number`;
    if (found !== null && found !== Number(value)) return 'conflicting Content-Length headers';
    found = Number(value);
  }
  return found ?? 'Content-Length header is mandatory on stream transports';
}
