/** Building responses (RFC 3261 §8.2.6) and the random identifiers SIP needs. */
import { randomBytes } from 'node:crypto';
import type { SipHeader, SipRequest, SipResponse } from './types.js';
import { canonicalHeaderName, headerKey } from './headers.js';
import { getTag } from './values.js';

const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Trying', 180: 'Ringing', 181: 'Call Is Being Forwarded', 182: 'Queued',
  183: 'Session Progress', 199: 'Early Dialog Terminated',
  200: 'OK', 202: 'Accepted', 204: 'No Notification',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Moved Temporarily', 305: 'Use Proxy',
  380: 'Alternative Service',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden',
  404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable',
  407: 'Proxy Authentication Required', 408: 'Request Timeout', 409: 'Conflict', 410: 'Gone',
  411: 'Length Required', 412: 'Conditional Request Failed', 413: 'Request Entity Too Large',
  414: 'Request-URI Too Long', 415: 'Unsupported Media Type', 416: 'Unsupported URI Scheme',
  417: 'Unknown Resource-Priority', 420: 'Bad Extension', 421: 'Extension Required',
  422: 'Session Interval Too Small', 423: 'Interval Too Brief', 424: 'Bad Location Information',
  428: 'Use Identity Header', 429: 'Provide Referrer Identity', 430: 'Flow Failed',
  433: 'Anonymity Disallowed', 436: 'Bad Identity-Info', 437: 'Unsupported Certificate',
  438: 'Invalid Identity Header', 439: 'First Hop Lacks Outbound Support', 440: 'Max-Breadth Exceeded',
  469: 'Bad Info Package', 470: 'Consent Needed',
  480: 'Temporarily Unavailable', 481: 'Call/Transaction Does Not Exist', 482: 'Loop Detected',
  483: 'Too Many Hops', 484: 'Address Incomplete', 485: 'Ambiguous', 486: 'Busy Here',
  487: 'Request Terminated', 488: 'Not Acceptable Here', 489: 'Bad Event', 491: 'Request Pending',
  493: 'Undecipherable', 494: 'Security Agreement Required',
  500: 'Server Internal Error', 501: 'Not Implemented', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Server Time-out', 505: 'Version Not Supported',
  513: 'Message Too Large', 555: 'Push Notification Service Not Supported', 580: 'Precondition Failure',
  600: 'Busy Everywhere', 603: 'Decline', 604: 'Does Not Exist Anywhere', 606: 'Not Acceptable',
  607: 'Unwanted', 608: 'Rejected',
};

/** Standard reason phrase; unknown codes fall back to their class (RFC 3261 §21). */
export function reasonPhrase(status: number): string {
  const known = REASON_PHRASES[status];
  if (known !== undefined) return known;
  const fallback: Record<number, string> = { 1: 'Trying', 2: 'OK', 3: 'Multiple Choices', 4: 'Bad Request', 5: 'Server Internal Error', 6: 'Busy Everywhere' };
  return fallback[Math.floor(status / 100)] ?? 'Unknown';
}

/** Headers copied from the request into every response, in this order. */
const COPIED = new Set(['via', 'from', 'to', 'call-id', 'cseq']);

export interface ResponseOptions {
  /** Added to To when the request's To has no tag yet. */
  toTag?: string;
  headers?: SipHeader[];
  body?: Buffer;
}

export function createResponse(req: SipRequest, status: number, reason?: string, opts: ResponseOptions = {}): SipResponse {
  const headers: SipHeader[] = [];
  for (const wanted of ['via', 'from', 'to', 'call-id', 'cseq']) {
    for (const header of req.headers) {
      if (headerKey(header.name) !== wanted) continue;
      let value = header.value;
      if (wanted === 'to' && opts.toTag !== undefined && getTag(value) === null) value = `${value};tag=${opts.toTag}`;
      headers.push({ name: canonicalHeaderName(header.name), value });
    }
  }
  for (const extra of opts.headers ?? []) {
    if (!COPIED.has(headerKey(extra.name))) headers.push({ ...extra });
  }
  return { kind: 'response', status, reason: reason ?? reasonPhrase(status), headers, body: opts.body ?? Buffer.alloc(0) };
}

// Random identifiers come from a pooled buffer: one randomBytes call per 256 ids keeps
// the hot path (several ids per transaction) cheap without losing unpredictability.
let pool = Buffer.alloc(0);
let poolOffset = 0;
function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    pool = randomBytes(Math.max(4096, bytes));
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

/** RFC 3261 §8.1.1.7: branch starts with the magic cookie z9hG4bK. */
export function generateBranch(): string {
  return 'z9hG4bK' + randomHex(10);
}

export function generateTag(): string {
  return randomHex(8);
}

export function generateCallId(): string {
  return randomHex(16);
}
