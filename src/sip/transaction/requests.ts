/**
 * Requests the transaction layer builds itself: our top Via, the ACK for a non-2xx final
 * response (RFC 3261 §17.1.1.3) and CANCEL (§9.1).
 */
import { formatVia, generateBranch, getHeader, parseCSeq } from '../message/index.js';
import type { CSeq, SipHeader, SipRequest, SipResponse, Via } from '../message/types.js';
import type { Destination, TransportLayer } from '../transport/types.js';

export const MAGIC_COOKIE = 'z9hG4bK';

/** Header names whose every value is copied into ACK/CANCEL (§17.1.1.3, §9.1). */
function isRoute(name: string): boolean {
  return name.length === 5 && name.toLowerCase() === 'route';
}

export function requireCSeq(req: SipRequest): CSeq {
  const text = getHeader(req, 'CSeq');
  const cseq = text === undefined ? null : parseCSeq(text);
  if (!cseq) throw new Error(`request ${req.method} has no valid CSeq header`);
  return cseq;
}

/**
 * A copy of `request` with our Via on top: `SIP/2.0/<UDP|TCP> <sent-by>;branch=…;rport`.
 * The header array is new; header objects and the body are shared (never mutated here).
 */
export function withOurVia(
  request: SipRequest, dest: Destination, transport: TransportLayer, branch?: string,
): { request: SipRequest; branch: string } {
  const useBranch = branch ?? generateBranch();
  if (!useBranch.startsWith(MAGIC_COOKIE)) throw new Error(`branch ${useBranch} lacks the ${MAGIC_COOKIE} magic cookie`);
  const sentBy = transport.sentBy(dest);
  const via: Via = {
    transport: dest.protocol.toUpperCase(),
    host: sentBy.host,
    port: sentBy.port,
    params: { branch: useBranch, rport: null },
  };
  const headers: SipHeader[] = [{ name: 'Via', value: formatVia(via) }, ...request.headers];
  return { request: { kind: 'request', method: request.method, uri: request.uri, headers, body: request.body }, branch: useBranch };
}

/** Headers shared by ACK and CANCEL: our top Via, Max-Forwards, From, Call-ID, Route set. */
function commonHeaders(sent: SipRequest, to: string, cseq: string): SipHeader[] {
  const out: SipHeader[] = [sent.headers[0]!, { name: 'Max-Forwards', value: '70' }];
  out.push({ name: 'From', value: getHeader(sent, 'From') ?? '' });
  out.push({ name: 'To', value: to });
  out.push({ name: 'Call-ID', value: getHeader(sent, 'Call-ID') ?? '' });
  out.push({ name: 'CSeq', value: cseq });
  for (const h of sent.headers) if (isRoute(h.name)) out.push({ name: 'Route', value: h.value });
  return out;
}

const EMPTY = Buffer.alloc(0);

/** ACK for a non-2xx final response to `sent` (the INVITE as sent, our Via on top). */
export function buildNon2xxAck(sent: SipRequest, seq: number, response: SipResponse): SipRequest {
  const to = getHeader(response, 'To') ?? getHeader(sent, 'To') ?? '';
  return { kind: 'request', method: 'ACK', uri: sent.uri, headers: commonHeaders(sent, to, `${seq} ACK`), body: EMPTY };
}

/** CANCEL for the INVITE `sent`: same Request-URI, top Via, From, To, Call-ID, CSeq number, Route. */
export function buildCancel(sent: SipRequest, seq: number, extraHeaders: SipHeader[] = []): SipRequest {
  const headers = commonHeaders(sent, getHeader(sent, 'To') ?? '', `${seq} CANCEL`);
  for (const h of extraHeaders) headers.push({ name: h.name, value: h.value });
  return { kind: 'request', method: 'CANCEL', uri: sent.uri, headers, body: EMPTY };
}
