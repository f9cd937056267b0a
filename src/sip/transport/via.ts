/**
 * Top-Via helpers shared by the transport and transaction layers. They work on the header list
 * directly so that only the first Via value is parsed (a proxied request may carry many).
 */
import { formatVia, parseVia } from '../message/index.js';
import type { SipHeader, SipMessage, Via } from '../message/types.js';
import type { HostPort } from './types.js';

export function isViaName(name: string): boolean {
  return name.length === 3 ? name.toLowerCase() === 'via' : name === 'v' || name === 'V';
}

/** Index of the first character after the first Via value (a top-level comma), or -1. */
function firstValueEnd(value: string): number {
  let inQuotes = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 34 /* " */) inQuotes = !inQuotes;
    else if (c === 92 /* \ */ && inQuotes) i++;
    else if (c === 44 /* , */ && !inQuotes) return i;
  }
  return -1;
}

export interface TopViaLocation {
  headerIndex: number;
  /** The first Via value text. */
  value: string;
  /** Remaining values in the same header line, after the comma ('' if none). */
  rest: string;
}

export function locateTopVia(headers: SipHeader[]): TopViaLocation | null {
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (!isViaName(h.name)) continue;
    const end = firstValueEnd(h.value);
    if (end < 0) return { headerIndex: i, value: h.value.trim(), rest: '' };
    return { headerIndex: i, value: h.value.slice(0, end).trim(), rest: h.value.slice(end + 1).trim() };
  }
  return null;
}

/** Parses a Via value, returning null instead of throwing on malformed input. */
export function safeParseVia(value: string): Via | null {
  try {
    return parseVia(value) ?? null;
  } catch {
    return null;
  }
}

export function parseTopVia(msg: SipMessage): Via | null {
  const loc = locateTopVia(msg.headers);
  return loc ? safeParseVia(loc.value) : null;
}

/** Replaces the first Via value in place, keeping any further values on the same line. */
export function replaceTopVia(headers: SipHeader[], loc: TopViaLocation, via: Via): void {
  const text = formatVia(via);
  const header = headers[loc.headerIndex]!;
  headers[loc.headerIndex] = { name: header.name, value: loc.rest ? `${text}, ${loc.rest}` : text };
}

/** Puts a new Via value on top of the list (as its own header line). */
export function prependVia(headers: SipHeader[], via: Via): SipHeader[] {
  return [{ name: 'Via', value: formatVia(via) }, ...headers];
}

function normaliseHost(host: string): string {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return h.toLowerCase();
}

/**
 * RFC 3261 §18.2.1 + RFC 3581 §4: record where a request really came from in its top Via.
 * `received` is added when the sent-by host differs from the source address, and always when
 * the client asked for `rport` (then `rport` gets the source port). Returns the (possibly
 * updated) parsed Via, or null if the request has no parseable Via.
 */
export function stampReceived(msg: SipMessage, source: HostPort): Via | null {
  const loc = locateTopVia(msg.headers);
  if (!loc) return null;
  const via = safeParseVia(loc.value);
  if (!via) return null;
  const params = via.params;
  const wantsRport = 'rport' in params && (params.rport === null || params.rport === '');
  const hostDiffers = normaliseHost(via.host) !== source.address.toLowerCase();
  if (!wantsRport && !hostDiffers) return via;
  const updated: Via = { ...via, params: { ...params } };
  // RFC 3261 wants a bare IPv6 address here, but our parser (and some others) only read a
  // bracketed one back; brackets are the form every parser accepts. responseDestination strips them.
  if (hostDiffers || wantsRport) updated.params.received = source.address.includes(':') ? `[${source.address}]` : source.address;
  if (wantsRport) updated.params.rport = String(source.port);
  replaceTopVia(msg.headers, loc, updated);
  return updated;
}
