/**
 * SIP text written by apps (drachtio-srf's stringifier) is not a wire message: it lacks
 * Via, may lack From/To/Call-ID/CSeq, and its Content-Length counts JavaScript characters.
 * This lenient reader takes start line, headers and the bytes after the blank line, and
 * drops anything that could smuggle header lines.
 */
import type { SipHeader, SipMessage } from '../message/types.js';

export type AppMessageResult = { ok: true; message: SipMessage } | { ok: false; error: string };

const REQUEST_LINE = /^([A-Za-z][A-Za-z0-9._!%*+`'~-]*) (\S+) SIP\/2\.0$/;
const STATUS_LINE = /^SIP\/2\.0 ([1-6]\d\d)(?: (.*))?$/;

export function parseAppMessage(text: string): AppMessageResult {
  const blank = findBlankLine(text);
  const head = blank === -1 ? text : text.slice(0, blank.index);
  const bodyText = blank === -1 ? '' : text.slice(blank.index + blank.length);
  const lines = head.split(/\r?\n/);
  const startLine = (lines.shift() ?? '').trim();
  const headers: SipHeader[] = [];
  for (const line of lines) {
    if (line.length === 0) continue;
    if ((line.startsWith(' ') || line.startsWith('\t')) && headers.length > 0) {
      headers[headers.length - 1]!.value += ' ' + line.trim();   // obsolete line folding
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return { ok: false, error: `malformed header line "${line.slice(0, 40)}"` };
    const name = line.slice(0, colon).trim();
    if (!/^[A-Za-z0-9._!%*+`'~-]+$/.test(name)) return { ok: false, error: `invalid header name "${name.slice(0, 40)}"` };
    headers.push({ name, value: line.slice(colon + 1).trim() });
  }
  const body = Buffer.from(bodyText, 'utf8');
  const status = STATUS_LINE.exec(startLine);
  if (status) {
    return { ok: true, message: { kind: 'response', status: Number(status[1]), reason: status[2] ?? '', headers, body } };
  }
  const request = REQUEST_LINE.exec(startLine);
  if (request) {
    return { ok: true, message: { kind: 'request', method: request[1]!.toUpperCase(), uri: request[2]!, headers, body } };
  }
  return { ok: false, error: `invalid start line "${startLine.slice(0, 60)}"` };
}

function findBlankLine(text: string): { index: number; length: number } | -1 {
  const crlf = text.indexOf('\r\n\r\n');
  const lf = text.indexOf('\n\n');
  if (crlf === -1 && lf === -1) return -1;
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return { index: crlf, length: 4 };
  return { index: lf, length: 2 };
}
