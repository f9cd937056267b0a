/**
 * The SIP message model shared by every layer of the bundled SIP server.
 * Header entries keep wire order and the name as received; lookups are
 * case-insensitive and understand compact forms (see headers.ts).
 */
export interface SipHeader {
  name: string;   // as received or as set, e.g. "Via", "v", "call-id"
  value: string;  // raw value, folded lines joined with a single space, trimmed
}

interface SipMessageBase {
  headers: SipHeader[];
  /** Body bytes exactly (Content-Length counts bytes, not characters). */
  body: Buffer;
}

export interface SipRequest extends SipMessageBase {
  kind: 'request';
  method: string;   // upper-case token, e.g. "INVITE"
  uri: string;      // Request-URI as text
}

export interface SipResponse extends SipMessageBase {
  kind: 'response';
  status: number;   // 100..699
  reason: string;
}

export type SipMessage = SipRequest | SipResponse;

export interface SipUri {
  scheme: 'sip' | 'sips' | 'tel';
  user: string | null;          // unescaped
  password: string | null;
  host: string;                 // IPv6 without brackets
  port: number | null;
  params: Record<string, string | null>;   // ;transport=tcp;lr  (names lower-cased)
  headers: Record<string, string>;         // ?Replaces=...  (unescaped values)
}

export interface NameAddr {
  displayName: string | null;   // unquoted
  uri: string;                  // the URI text inside <> (or the addr-spec)
  params: Record<string, string | null>;   // ;tag=abc;expires=60 (names lower-cased)
}

export interface Via {
  transport: string;            // "UDP", "TCP", "TLS", "WS"...
  host: string;
  port: number | null;
  params: Record<string, string | null>;   // branch, received, rport (null = present without value)
}

export interface CSeq {
  seq: number;
  method: string;
}

/** Limits applied by the parser (a message over a limit is an error, not a crash). */
export interface ParseLimits {
  maxBytes: number;     // whole message incl. body
  maxHeaders: number;   // header lines
}

export type ParseResult =
  | { ok: true; message: SipMessage }
  | {
      ok: false;
      /** Human-readable: what was wrong and where (line number / header name). */
      error: string;
      /**
       * What could be salvaged, enough for the transport to answer 400 to a request
       * (needs Via, From, To, Call-ID, CSeq) or null when nothing usable was found.
       */
      partial: { method: string | null; headers: SipHeader[] } | null;
    };

/** Result of looking for one complete message at the start of a TCP stream buffer. */
export type StreamFrame =
  | { kind: 'message'; length: number }     // bytes [0, length) are one whole message
  | { kind: 'keepalive'; length: number }   // CRLF / CRLFCRLF keep-alive (RFC 5626) of that length
  | { kind: 'incomplete' }                  // need more bytes
  | { kind: 'error'; error: string };       // unrecoverable framing error: close the connection
