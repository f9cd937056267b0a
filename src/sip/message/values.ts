/**
 * Parsers for structured header values: name-addr (From/To/Contact/Route...), Via, CSeq,
 * Digest challenge/credentials. All return null on malformed input and never throw.
 */
import type { CSeq, NameAddr, Via } from './types.js';
import { looksLikeAbsoluteUri } from './uri.js';

/** RFC 3261 token characters: alphanum and -.!%*_+`'~ */
export function isTokenChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) ||
    code === 0x2d || code === 0x2e || code === 0x21 || code === 0x25 || code === 0x2a ||
    code === 0x5f || code === 0x2b || code === 0x60 || code === 0x27 || code === 0x7e
  );
}

export function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) if (!isTokenChar(text.charCodeAt(i))) return false;
  return true;
}

const isWhitespace = (code: number): boolean => code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a;

/** A tiny cursor over a header value; every read method checks bounds. */
class Cursor {
  pos = 0;
  constructor(readonly text: string) {}
  get done(): boolean { return this.pos >= this.text.length; }
  peek(): number { return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : -1; }
  skipWhitespace(): number {
    const start = this.pos;
    while (this.pos < this.text.length && isWhitespace(this.text.charCodeAt(this.pos))) this.pos++;
    return this.pos - start;
  }
  token(): string {
    const start = this.pos;
    while (this.pos < this.text.length && isTokenChar(this.text.charCodeAt(this.pos))) this.pos++;
    return this.text.slice(start, this.pos);
  }
  /** Reads a quoted string starting at '"'; returns its raw text including quotes, or null. */
  quoted(): string | null {
    if (this.peek() !== 0x22) return null;
    const start = this.pos;
    for (let i = this.pos + 1; i < this.text.length; i++) {
      const ch = this.text.charCodeAt(i);
      if (ch === 0x5c) i++;
      else if (ch === 0x22) {
        this.pos = i + 1;
        return this.text.slice(start, this.pos);
      }
    }
    return null;
  }
  /** A generic-param value: token, quoted string or [IPv6]. */
  paramValue(): string | null {
    const ch = this.peek();
    if (ch === 0x22) return this.quoted();
    if (ch === 0x5b) {
      const close = this.text.indexOf(']', this.pos);
      if (close === -1) return null;
      const value = this.text.slice(this.pos, close + 1);
      this.pos = close + 1;
      return value;
    }
    const value = this.token();
    return value.length > 0 ? value : null;
  }
  /** Reads *( SWS ";" SWS name [ SWS "=" SWS value ] ) up to the end; null on a syntax error. */
  params(): Record<string, string | null> | null {
    const params: Record<string, string | null> = {};
    for (;;) {
      this.skipWhitespace();
      if (this.done) return params;
      if (this.peek() !== 0x3b) return null;
      this.pos++;
      this.skipWhitespace();
      const name = this.token();
      if (name.length === 0) return null;
      this.skipWhitespace();
      if (this.peek() === 0x3d) {
        this.pos++;
        this.skipWhitespace();
        const value = this.paramValue();
        if (value === null) return null;
        params[name.toLowerCase()] = value;
      } else {
        params[name.toLowerCase()] = null;
      }
    }
  }
}

/** "\"a \\\"b\\\"\"" → 'a "b"' */
export function unquote(raw: string): string {
  if (raw.length < 2 || raw[0] !== '"' || raw[raw.length - 1] !== '"') return raw;
  return raw.slice(1, -1).replace(/\\(.)/gs, '$1');
}

export function quote(text: string): string {
  return '"' + text.replace(/[\\"]/g, (ch) => '\\' + ch) + '"';
}

function formatParams(params: Record<string, string | null>): string {
  let out = '';
  for (const [name, value] of Object.entries(params)) out += value === null ? `;${name}` : `;${name}=${value}`;
  return out;
}

/**
 * name-addr or addr-spec with header params. Param values are kept raw (quoted strings keep
 * their quotes) so formatting gives back what was received.
 */
export function parseNameAddr(text: string): NameAddr | null {
  try {
    return parseNameAddrUnguarded(text);
  } catch {
    return null;
  }
}

function parseNameAddrUnguarded(text: string): NameAddr | null {
  const cursor = new Cursor(text);
  cursor.skipWhitespace();
  let displayName: string | null = null;
  if (cursor.peek() === 0x22) {
    const raw = cursor.quoted();
    if (raw === null) return null; // unterminated quoted display name
    displayName = unquote(raw);
    cursor.skipWhitespace();
    if (cursor.peek() !== 0x3c) return null;
  }
  const lt = text.indexOf('<', cursor.pos);
  if (cursor.peek() === 0x3c || (displayName === null && lt !== -1)) {
    if (displayName === null && lt > cursor.pos) {
      // token display name: tokens separated by whitespace only (no commas etc.)
      const words = text.slice(cursor.pos, lt).trim().split(/[ \t]+/);
      if (!words.every(isToken)) return null;
      displayName = words.join(' ');
    }
    const gt = text.indexOf('>', lt);
    if (gt === -1) return null;
    const uri = text.slice(lt + 1, gt);
    if (!looksLikeAbsoluteUri(uri)) return null; // also rejects spaces inside <>
    cursor.pos = gt + 1;
    const params = cursor.params();
    if (params === null) return null;
    return { displayName, uri, params };
  }
  // addr-spec without <>: any ;params belong to the header, and ',' '?' are ambiguous (RFC 3261 §20)
  const start = cursor.pos;
  while (!cursor.done && cursor.peek() !== 0x3b && !isWhitespace(cursor.peek())) cursor.pos++;
  const uri = text.slice(start, cursor.pos);
  if (!looksLikeAbsoluteUri(uri) || uri.includes(',') || uri.includes('?')) return null;
  const params = cursor.params();
  if (params === null) return null;
  return { displayName: null, uri, params };
}

export function formatNameAddr(nameAddr: NameAddr): string {
  const display = nameAddr.displayName !== null && nameAddr.displayName.length > 0 ? quote(nameAddr.displayName) + ' ' : '';
  return `${display}<${nameAddr.uri}>${formatParams(nameAddr.params)}`;
}

/** The tag parameter of a From/To value, or null when absent or unparsable. */
export function getTag(nameAddrText: string): string | null {
  const nameAddr = parseNameAddr(nameAddrText);
  const tag = nameAddr?.params['tag'];
  return typeof tag === 'string' && tag.length > 0 ? tag : null;
}

/** One via-parm, e.g. "SIP / 2.0 / UDP host:5060;branch=z9hG4bK1;rport". */
export function parseVia(text: string): Via | null {
  try {
    const cursor = new Cursor(text);
    cursor.skipWhitespace();
    const protocol = cursor.token();
    if (protocol.toUpperCase() !== 'SIP') return null;
    const parts: string[] = [];
    for (let i = 0; i < 2; i++) {
      cursor.skipWhitespace();
      if (cursor.peek() !== 0x2f) return null;
      cursor.pos++;
      cursor.skipWhitespace();
      const part = cursor.token();
      if (part.length === 0) return null;
      parts.push(part);
    }
    if (parts[0] !== '2.0') return null;
    if (cursor.skipWhitespace() === 0) return null;
    let host: string;
    if (cursor.peek() === 0x5b) {
      const close = text.indexOf(']', cursor.pos);
      if (close === -1) return null;
      host = text.slice(cursor.pos + 1, close);
      if (!/^[0-9A-Fa-f:.]+$/.test(host)) return null;
      cursor.pos = close + 1;
    } else {
      host = cursor.token();
      if (host.length === 0 || !/^[A-Za-z0-9.-]+$/.test(host)) return null;
    }
    let port: number | null = null;
    cursor.skipWhitespace();
    if (cursor.peek() === 0x3a) {
      cursor.pos++;
      cursor.skipWhitespace();
      const digits = cursor.token();
      if (!/^\d{1,5}$/.test(digits) || Number(digits) > 65535) return null;
      port = Number(digits);
    }
    const params = cursor.params();
    if (params === null) return null;
    return { transport: parts[1]!.toUpperCase(), host, port, params };
  } catch {
    return null;
  }
}

export function formatVia(via: Via): string {
  const host = via.host.indexOf(':') !== -1 ? `[${via.host}]` : via.host;
  const port = via.port !== null ? `:${via.port}` : '';
  return `SIP/2.0/${via.transport} ${host}${port}${formatParams(via.params)}`;
}

/** "4711 INVITE" → { seq, method }; seq must be below 2^31 (RFC 3261 §8.1.1.5). */
export function parseCSeq(text: string): CSeq | null {
  const match = /^[ \t]*(\d{1,10})[ \t]+(\S+)[ \t]*$/.exec(text);
  if (match === null || !isToken(match[2]!)) return null;
  const seq = Number(match[1]);
  if (seq >= 2 ** 31) return null;
  return { seq, method: match[2]! };
}

export interface AuthHeader {
  scheme: string;
  /** Lower-cased parameter names; values unquoted. */
  params: Record<string, string>;
}

/**
 * WWW-Authenticate / Authorization / Proxy-* values: `Digest realm="a, b", nonce="x", qop="auth"`.
 * Commas inside quoted strings do not separate parameters.
 */
export function parseAuthHeader(value: string): AuthHeader | null {
  try {
    const cursor = new Cursor(value);
    cursor.skipWhitespace();
    const scheme = cursor.token();
    if (scheme.length === 0) return null;
    const params: Record<string, string> = {};
    if (cursor.skipWhitespace() === 0 && !cursor.done) return null;
    while (!cursor.done) {
      const name = cursor.token();
      if (name.length === 0) return null;
      cursor.skipWhitespace();
      if (cursor.peek() !== 0x3d) return null;
      cursor.pos++;
      cursor.skipWhitespace();
      let paramValue: string | null;
      if (cursor.peek() === 0x22) {
        const raw = cursor.quoted();
        paramValue = raw === null ? null : unquote(raw);
      } else {
        // unquoted values may hold '/' or ':' in the wild (e.g. uri=sip:a@b); read to the comma
        const start = cursor.pos;
        while (!cursor.done && cursor.peek() !== 0x2c && !isWhitespace(cursor.peek())) cursor.pos++;
        paramValue = value.slice(start, cursor.pos);
      }
      if (paramValue === null) return null;
      params[name.toLowerCase()] = paramValue;
      cursor.skipWhitespace();
      if (cursor.done) break;
      if (cursor.peek() !== 0x2c) return null;
      cursor.pos++;
      cursor.skipWhitespace();
    }
    return { scheme, params };
  } catch {
    return null;
  }
}

/** Builds a Digest header value; `unquoted` names (algorithm, qop in credentials, nc, stale) are bare. */
export function formatAuthHeader(auth: AuthHeader, unquoted: ReadonlySet<string> = DEFAULT_UNQUOTED): string {
  const parts = Object.entries(auth.params).map(([name, v]) => (unquoted.has(name) ? `${name}=${v}` : `${name}=${quote(v)}`));
  return `${auth.scheme} ${parts.join(', ')}`;
}

const DEFAULT_UNQUOTED: ReadonlySet<string> = new Set(['algorithm', 'nc', 'stale']);
