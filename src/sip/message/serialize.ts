/** SipMessage → wire bytes. Content-Length always reflects the body's byte length. */
import type { SipMessage } from './types.js';
import { headerKey } from './headers.js';

export function serializeMessage(msg: SipMessage): Buffer {
  let head = msg.kind === 'request'
    ? `${msg.method} ${msg.uri} SIP/2.0\r\n`
    : `SIP/2.0 ${msg.status} ${msg.reason}\r\n`;
  for (const header of msg.headers) {
    // a stale or char-counted Content-Length (drachtio apps send one) must never reach the wire
    if (headerKey(header.name) === 'content-length') continue;
    // a CR or LF inside a value would inject a header line; fold it to a space instead
    const value = /[\r\n]/.test(header.value) ? header.value.replace(/[\r\n]+/g, ' ') : header.value;
    head += `${header.name}: ${value}\r\n`;
  }
  head += `Content-Length: ${msg.body.length}\r\n\r\n`;
  const headBytes = Buffer.from(head, 'utf8');
  return msg.body.length === 0 ? headBytes : Buffer.concat([headBytes, msg.body], headBytes.length + msg.body.length);
}
