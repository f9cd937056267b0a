/**
 * Turning received bytes into messages: parse, validate the headers every layer above relies
 * on, and build the `400 Bad Request` the transport sends itself for malformed requests.
 */
import { generateTag, parseMessage } from '../message/index.js';
import type { ParseLimits, SipHeader, SipMessage } from '../message/types.js';

export type InboundParse =
  | { ok: true; message: SipMessage }
  | { ok: false; error: string; badRequest: Buffer | null };

/**
 * Parses one whole message. On failure, `badRequest` is the serialized 400 to send back when the
 * input was recognisably a request (not an ACK) with at least a Via; null means drop.
 */
export function parseInbound(raw: Buffer, limits: ParseLimits, serverName: string): InboundParse {
  let result;
  try {
    result = parseMessage(raw, limits);
  } catch (err) {
    // The parser should return errors, but a bug there must not take the socket down.
    return { ok: false, error: `parser failure: ${(err as Error).message}`, badRequest: null };
  }
  // The parser already enforces the mandatory headers (Via, From, To, Call-ID, CSeq).
  if (result.ok) return { ok: true, message: result.message };
  const partial = result.partial;
  const answerable = partial !== null && partial.method !== null && partial.method !== 'ACK';
  return {
    ok: false,
    error: result.error,
    badRequest: answerable ? buildBadRequest(partial.headers, result.error, serverName) : null,
  };
}

const COPIED = new Set(['via', 'v', 'from', 'f', 'to', 't', 'call-id', 'i', 'cseq']);

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

/**
 * A 400 built from whatever headers could be salvaged: Via (all), From, To (+ tag), Call-ID,
 * CSeq, and a Warning carrying the parser's message. Null when there is no Via to answer to.
 */
export function buildBadRequest(headers: SipHeader[], error: string, serverName: string): Buffer | null {
  const lines: string[] = ['SIP/2.0 400 Bad Request'];
  let hasVia = false;
  for (const h of headers) {
    const lower = h.name.toLowerCase();
    if (!COPIED.has(lower)) continue;
    let value = oneLine(h.value);
    if (lower === 'via' || lower === 'v') hasVia = true;
    if ((lower === 'to' || lower === 't') && !/;\s*tag\s*=/i.test(value)) value += `;tag=${generateTag()}`;
    lines.push(`${h.name}: ${value}`);
  }
  if (!hasVia) return null;
  const warning = oneLine(error).replace(/["\\]/g, "'").slice(0, 200);
  lines.push(`Warning: 399 ${serverName} "${warning}"`, 'Content-Length: 0', '', '');
  return Buffer.from(lines.join('\r\n'), 'utf8');
}
