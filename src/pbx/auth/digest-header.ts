/**
 * Parsing and formatting of `Digest` credentials (RFC 3261 §25.1 / RFC 2617 auth-params).
 * Hand-written because values are quoted strings that may contain commas and escaped quotes,
 * which a split on "," gets wrong.
 */

export type ParsedDigestHeader =
  | { ok: true; params: Map<string, string> }
  | { ok: false; error: string };

const TOKEN = /[A-Za-z0-9\-.!%*_+`'~]/;
/** Longest header we parse: real ones are ~400 bytes; this bounds work on hostile input. */
const MAX_HEADER_LENGTH = 4096;

/** Parses `Digest a="x, y", b=token, …`; parameter names are lower-cased, duplicates are an error. */
export function parseDigestHeader(header: string): ParsedDigestHeader {
  if (header.length > MAX_HEADER_LENGTH) {
    return { ok: false, error: `header is longer than ${MAX_HEADER_LENGTH} characters` };
  }
  const text = header.trim();
  const scheme = /^(\S+)\s+/.exec(text);
  if (!scheme || scheme[1]!.toLowerCase() !== 'digest') {
    return { ok: false, error: 'scheme is not Digest' };
  }
  const params = new Map<string, string>();
  let i = scheme[0].length;
  while (i < text.length) {
    let nameEnd = i;
    while (nameEnd < text.length && TOKEN.test(text[nameEnd]!)) nameEnd++;
    const name = text.slice(i, nameEnd).toLowerCase();
    if (name === '') return { ok: false, error: `expected a parameter name at offset ${i}` };
    i = skipSpaces(text, nameEnd);
    if (text[i] !== '=') return { ok: false, error: `parameter "${name}" has no "="` };
    i = skipSpaces(text, i + 1);
    let value = '';
    if (text[i] === '"') {
      i++;
      let closed = false;
      while (i < text.length) {
        const ch = text[i]!;
        if (ch === '\\' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
        } else if (ch === '"') {
          closed = true;
          i++;
          break;
        } else {
          value += ch;
          i++;
        }
      }
      if (!closed) return { ok: false, error: `parameter "${name}" has an unterminated quoted string` };
    } else {
      const start = i;
      while (i < text.length && TOKEN.test(text[i]!)) i++;
      value = text.slice(start, i);
      if (value === '') return { ok: false, error: `parameter "${name}" has an empty value` };
    }
    if (params.has(name)) return { ok: false, error: `parameter "${name}" appears twice` };
    params.set(name, value);
    i = skipSpaces(text, i);
    if (i < text.length) {
      if (text[i] !== ',') return { ok: false, error: `expected "," after parameter "${name}"` };
      i = skipSpaces(text, i + 1);
    }
  }
  return { ok: true, params };
}

function skipSpaces(text: string, from: number): number {
  let i = from;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return i;
}

/** Quotes a value for a header: backslash-escapes `"` and `\`. */
export function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  algorithm?: string;
  opaque?: string;
  qop?: string;
  nc?: string;
  cnonce?: string;
}

/** Formats an Authorization / Proxy-Authorization value, as a client (or a test) sends it. */
export function formatDigestAuthorization(c: DigestCredentials): string {
  const parts = [
    `username=${quote(c.username)}`,
    `realm=${quote(c.realm)}`,
    `nonce=${quote(c.nonce)}`,
    `uri=${quote(c.uri)}`,
    `response=${quote(c.response)}`,
  ];
  if (c.algorithm !== undefined) parts.push(`algorithm=${c.algorithm}`);
  if (c.opaque !== undefined) parts.push(`opaque=${quote(c.opaque)}`);
  if (c.qop !== undefined) parts.push(`qop=${c.qop}`);
  if (c.nc !== undefined) parts.push(`nc=${c.nc}`);
  if (c.cnonce !== undefined) parts.push(`cnonce=${quote(c.cnonce)}`);
  return `Digest ${parts.join(', ')}`;
}
