/**
 * What the server accepts from apps (drachtio header policy, protocol notes §4.2–4.3):
 * transport-level headers are the server's business, everything else passes through.
 */
import { canonicalHeaderName, getHeader, headerKey } from '../message/index.js';
import type { SipHeader, SipMessage } from '../message/types.js';

/** The stack owns these; an app's copies would break routing or framing. */
const DISCARDED = new Set(['via', 'route', 'record-route', 'rseq', 'content-length']);
/** Headers whose SIP URIs may name `localhost`, meaning "this server". */
const LOCALHOST_REWRITTEN = new Set(['from', 'to', 'contact', 'p-asserted-identity']);

export interface HostPortText {
  host: string;
  port: number;
}

/** App headers minus the discarded ones, with well-known names in their usual spelling. */
export function filterAppHeaders(headers: SipHeader[], self: HostPortText): SipHeader[] {
  const kept: SipHeader[] = [];
  for (const header of headers) {
    const key = headerKey(header.name);
    if (DISCARDED.has(key)) continue;
    // X- headers keep the app's spelling (apps match on it); others get the canonical form.
    const name = /^x-/i.test(header.name) ? header.name : canonicalHeaderName(header.name);
    const value = LOCALHOST_REWRITTEN.has(key) ? rewriteLocalhost(header.value, self) : header.value;
    kept.push({ name, value });
  }
  return kept;
}

/** `sip:alice@localhost` → `sip:alice@<host>:<port>`; `localhost` means the server. */
export function rewriteLocalhost(value: string, self: HostPortText): string {
  const host = self.host.includes(':') ? `[${self.host}]` : self.host;
  return value.replace(/(sips?:(?:[^@<>;\s]*@)?)localhost(?::\d+)?(?![\w.-])/gi, `$1${host}:${self.port}`);
}

export type ContentTypeCheck = { ok: true } | { ok: false; error: string };

/**
 * A body needs a Content-Type; SDP is recognised by its first line so apps may omit it.
 * Mutates `msg` (adds the header) when it can infer one.
 */
export function ensureContentType(msg: SipMessage): ContentTypeCheck {
  if (msg.body.length === 0 || getHeader(msg, 'Content-Type') !== undefined) return { ok: true };
  if (msg.body.subarray(0, 3).toString('latin1') === 'v=0') {
    msg.headers.push({ name: 'Content-Type', value: 'application/sdp' });
    return { ok: true };
  }
  return { ok: false, error: 'missing content-type' };
}

export function formatContact(self: HostPortText, protocol: string): string {
  const host = self.host.includes(':') ? `[${self.host}]` : self.host;
  const transport = protocol === 'udp' ? '' : `;transport=${protocol}`;
  return `<sip:${host}:${self.port}${transport}>`;
}
