/**
 * Header access on a SipMessage: case-insensitive, compact-form aware, wire order kept.
 * Values are stored raw; splitting comma lists happens only when a caller asks.
 */
import type { SipHeader, SipMessage } from './types.js';

/** RFC 3261 §7.3.3 and later RFCs' single-letter names, mapped to the lower-cased long name. */
const COMPACT_FORMS: Readonly<Record<string, string>> = {
  i: 'call-id', m: 'contact', e: 'content-encoding', l: 'content-length', f: 'from',
  t: 'to', v: 'via', s: 'subject', k: 'supported', c: 'content-type', o: 'event',
  u: 'allow-events', r: 'refer-to', b: 'referred-by', x: 'session-expires',
  y: 'identity', a: 'accept-contact', d: 'request-disposition', j: 'reject-contact',
  n: 'identity-info',
};

/** Names whose conventional spelling is not plain Word-Word capitalisation. */
const SPECIAL_CASE: Readonly<Record<string, string>> = {
  'call-id': 'Call-ID', cseq: 'CSeq', 'www-authenticate': 'WWW-Authenticate',
  'mime-version': 'MIME-Version', rack: 'RAck', rseq: 'RSeq', 'sip-etag': 'SIP-ETag',
  'sip-if-match': 'SIP-If-Match', 'min-se': 'Min-SE', 'p-asserted-identity': 'P-Asserted-Identity',
  'p-preferred-identity': 'P-Preferred-Identity', 'identity-info': 'Identity-Info',
  'content-id': 'Content-ID', 'call-info': 'Call-Info', 'alert-info': 'Alert-Info',
  'error-info': 'Error-Info', 'user-to-user': 'User-to-User',
};

/**
 * Headers whose grammar is a comma-separated list (RFC 3261 §7.3.1), so several values may
 * share one line. Deliberately excludes WWW-Authenticate, Authorization, Date and friends,
 * whose values contain commas that are not separators.
 */
const LIST_HEADERS: ReadonlySet<string> = new Set([
  'via', 'route', 'record-route', 'contact', 'allow', 'supported', 'require', 'proxy-require',
  'unsupported', 'accept', 'accept-encoding', 'accept-language', 'allow-events',
  'content-encoding', 'content-language', 'in-reply-to', 'alert-info', 'call-info',
  'error-info', 'warning', 'path', 'service-route', 'p-asserted-identity',
  'p-preferred-identity', 'history-info', 'reason', 'accept-contact', 'reject-contact',
  'request-disposition', 'security-client', 'security-server', 'security-verify', 'privacy',
]);

/** Lower-cased long name for any spelling, e.g. "V" → "via", "Call-Id" → "call-id". */
export function headerKey(name: string): string {
  const lower = name.toLowerCase();
  return lower.length === 1 ? (COMPACT_FORMS[lower] ?? lower) : lower;
}

/** "call-id" → "Call-ID", "v" → "Via", "x-foo-bar" → "X-Foo-Bar". */
export function canonicalHeaderName(name: string): string {
  const key = headerKey(name.trim());
  const special = SPECIAL_CASE[key];
  if (special !== undefined) return special;
  return key
    .split('-')
    .map((word) => (word.length === 0 ? word : word[0]!.toUpperCase() + word.slice(1)))
    .join('-');
}

export function isListHeader(name: string): boolean {
  return LIST_HEADERS.has(headerKey(name));
}

/** True when the stored header name means the same header as `key` (already a headerKey). */
function sameHeader(storedName: string, key: string): boolean {
  if (storedName.length === 1) return (COMPACT_FORMS[storedName.toLowerCase()] ?? storedName.toLowerCase()) === key;
  return storedName.length === key.length && storedName.toLowerCase() === key;
}

/** Raw value of the first occurrence, or undefined. */
export function getHeader(msg: { headers: SipHeader[] }, name: string): string | undefined {
  const key = headerKey(name);
  for (const header of msg.headers) {
    if (sameHeader(header.name, key)) return header.value;
  }
  return undefined;
}

export function hasHeader(msg: { headers: SipHeader[] }, name: string): boolean {
  return getHeader(msg, name) !== undefined;
}

/** Number of header lines carrying this header (not the number of list values). */
export function countHeader(msg: { headers: SipHeader[] }, name: string): number {
  const key = headerKey(name);
  let count = 0;
  for (const header of msg.headers) if (sameHeader(header.name, key)) count++;
  return count;
}

/**
 * Every value in wire order. For list headers, each line is split on top-level commas
 * (outside quotes and <>), so "Via: a, b" plus "Via: c" gives [a, b, c].
 */
export function getHeaderValues(msg: { headers: SipHeader[] }, name: string): string[] {
  const key = headerKey(name);
  const split = LIST_HEADERS.has(key);
  const values: string[] = [];
  for (const header of msg.headers) {
    if (!sameHeader(header.name, key)) continue;
    if (split) values.push(...splitTopLevelCommas(header.value));
    else values.push(header.value);
  }
  return values;
}

/** Replaces every occurrence with one header at the position of the first (or at the end). */
export function setHeader(msg: SipMessage, name: string, value: string): void {
  const key = headerKey(name);
  const index = msg.headers.findIndex((h) => sameHeader(h.name, key));
  const header = { name: canonicalHeaderName(name), value };
  if (index === -1) {
    msg.headers.push(header);
    return;
  }
  msg.headers = msg.headers.filter((h, i) => i < index || !sameHeader(h.name, key));
  msg.headers.splice(index, 0, header);
}

export function appendHeader(msg: SipMessage, name: string, value: string): void {
  msg.headers.push({ name: canonicalHeaderName(name), value });
}

/**
 * Inserts before the first occurrence of the same header (e.g. a new top Via), or at the
 * top of the header list when there is none.
 */
export function prependHeader(msg: SipMessage, name: string, value: string): void {
  const key = headerKey(name);
  const index = msg.headers.findIndex((h) => sameHeader(h.name, key));
  msg.headers.splice(index === -1 ? 0 : index, 0, { name: canonicalHeaderName(name), value });
}

/** Removes every occurrence; returns how many lines were removed. */
export function removeHeader(msg: SipMessage, name: string): number {
  const key = headerKey(name);
  const before = msg.headers.length;
  msg.headers = msg.headers.filter((h) => !sameHeader(h.name, key));
  return before - msg.headers.length;
}

/**
 * Splits on commas that are not inside a quoted string (with \-escapes) or <...>.
 * Empty pieces are dropped; pieces are trimmed.
 */
export function splitTopLevelCommas(value: string): string[] {
  if (value.indexOf(',') === -1) {
    const trimmed = value.trim();
    return trimmed.length === 0 ? [] : [trimmed];
  }
  const parts: string[] = [];
  let start = 0;
  let inQuotes = false;
  let angleDepth = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value.charCodeAt(i);
    if (inQuotes) {
      if (ch === 0x5c) i++; // backslash escapes the next character
      else if (ch === 0x22) inQuotes = false;
    } else if (ch === 0x22) inQuotes = true;
    else if (ch === 0x3c) angleDepth++;
    else if (ch === 0x3e && angleDepth > 0) angleDepth--;
    else if (ch === 0x2c && angleDepth === 0) {
      const piece = value.slice(start, i).trim();
      if (piece.length > 0) parts.push(piece);
      start = i + 1;
    }
  }
  const last = value.slice(start).trim();
  if (last.length > 0) parts.push(last);
  return parts;
}
