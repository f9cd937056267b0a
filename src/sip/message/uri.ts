/**
 * SIP/SIPS/tel URIs (RFC 3261 §19.1, §25.1; RFC 3966). Parsing returns null for anything
 * that does not fit the grammar closely enough to be used safely; it never throws.
 */
import type { SipUri } from './types.js';

const HEX = '0123456789ABCDEF';

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/**
 * Decodes %XX escapes as UTF-8 bytes. A '%' not followed by two hex digits stays literal
 * (RFC 4475 esc02 shows such text must survive), and invalid UTF-8 becomes U+FFFD.
 */
export function unescapePercent(text: string): string {
  if (text.indexOf('%') === -1) return text;
  const chunks: Buffer[] = [];
  let literalStart = 0;
  for (let i = 0; i + 2 < text.length; i++) {
    if (text.charCodeAt(i) !== 0x25) continue;
    const high = hexValue(text.charCodeAt(i + 1));
    const low = hexValue(text.charCodeAt(i + 2));
    if (high < 0 || low < 0) continue;
    chunks.push(Buffer.from(text.slice(literalStart, i), 'utf8'), Buffer.of(high * 16 + low));
    i += 2;
    literalStart = i + 1;
  }
  chunks.push(Buffer.from(text.slice(literalStart), 'utf8'));
  return Buffer.concat(chunks).toString('utf8');
}

/** Escapes every byte of `text` whose character is not allowed unescaped by `allowed`. */
function escapeExcept(text: string, allowed: (code: number) => boolean): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (byte < 0x80 && allowed(byte)) out += String.fromCharCode(byte);
    else out += '%' + HEX[byte >> 4]! + HEX[byte & 15]!;
  }
  return out;
}

function isAlphaNum(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** RFC 3261 "unreserved" = alphanum / mark. */
function isUnreserved(code: number): boolean {
  return isAlphaNum(code) || "-_.!~*'()".includes(String.fromCharCode(code));
}

const isUserChar = (c: number): boolean => isUnreserved(c) || '&=+$,;?/'.includes(String.fromCharCode(c));
const isPasswordChar = (c: number): boolean => isUnreserved(c) || '&=+$,'.includes(String.fromCharCode(c));
const isParamChar = (c: number): boolean => isUnreserved(c) || '[]/:&+$'.includes(String.fromCharCode(c));
const isHeaderChar = (c: number): boolean => isUnreserved(c) || '[]/?:+$'.includes(String.fromCharCode(c));

const HOSTNAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;

function validPort(text: string): number | null {
  if (text.length === 0 || text.length > 5 || !/^\d+$/.test(text)) return null;
  const port = Number(text);
  return port <= 65535 ? port : null;
}

/** Parses ";a=b;c" into lower-cased names with unescaped values (null = no value). */
function parseUriParams(text: string, into: Record<string, string | null>): boolean {
  for (const piece of text.split(';')) {
    if (piece.length === 0) return false;
    const eq = piece.indexOf('=');
    const name = eq === -1 ? piece : piece.slice(0, eq);
    if (name.length === 0 || /[\s<>"]/.test(piece)) return false;
    into[unescapePercent(name).toLowerCase()] = eq === -1 ? null : unescapePercent(piece.slice(eq + 1));
  }
  return true;
}

export function parseUri(text: string): SipUri | null {
  try {
    return parseUriUnguarded(text.trim());
  } catch {
    return null;
  }
}

function parseUriUnguarded(text: string): SipUri | null {
  const colon = text.indexOf(':');
  if (colon <= 0) return null;
  const scheme = text.slice(0, colon).toLowerCase();
  if (scheme !== 'sip' && scheme !== 'sips' && scheme !== 'tel') return null;
  let rest = text.slice(colon + 1);
  if (rest.length === 0 || /[\s<>"]/.test(rest)) return null;

  if (scheme === 'tel') {
    const semi = rest.indexOf(';');
    const number = semi === -1 ? rest : rest.slice(0, semi);
    if (!/^[+0-9A-Fa-f*#().\-p w]+$/.test(number)) return null;
    const params: Record<string, string | null> = {};
    if (semi !== -1 && !parseUriParams(rest.slice(semi + 1), params)) return null;
    return { scheme, user: number, password: null, host: '', port: null, params, headers: {} };
  }

  // user and password cannot hold an unescaped '@', params and headers cannot either,
  // so the first '@' ends the userinfo even when the user part contains ';' or '?'.
  let user: string | null = null;
  let password: string | null = null;
  const at = rest.indexOf('@');
  if (at !== -1) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const pwColon = userinfo.indexOf(':');
    const rawUser = pwColon === -1 ? userinfo : userinfo.slice(0, pwColon);
    if (rawUser.length === 0) return null;
    user = unescapePercent(rawUser);
    if (pwColon !== -1) password = unescapePercent(userinfo.slice(pwColon + 1));
  }

  const headers: Record<string, string> = {};
  const question = rest.indexOf('?');
  if (question !== -1) {
    for (const pair of rest.slice(question + 1).split('&')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) return null;
      headers[unescapePercent(pair.slice(0, eq))] = unescapePercent(pair.slice(eq + 1));
    }
    rest = rest.slice(0, question);
  }

  const params: Record<string, string | null> = {};
  const semi = rest.indexOf(';');
  if (semi !== -1) {
    if (!parseUriParams(rest.slice(semi + 1), params)) return null;
    rest = rest.slice(0, semi);
  }

  let host: string;
  let port: number | null = null;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close === -1) return null;
    host = rest.slice(1, close);
    if (!IPV6.test(host) || host.indexOf(':') === -1) return null;
    const after = rest.slice(close + 1);
    if (after.length > 0) {
      if (after[0] !== ':') return null;
      port = validPort(after.slice(1));
      if (port === null) return null;
    }
  } else {
    const portColon = rest.indexOf(':');
    host = portColon === -1 ? rest : rest.slice(0, portColon);
    if (portColon !== -1) {
      port = validPort(rest.slice(portColon + 1));
      if (port === null) return null;
    }
    if (!HOSTNAME.test(host)) return null;
  }
  return { scheme, user, password, host, port, params, headers };
}

export function formatUri(uri: SipUri): string {
  let out = uri.scheme + ':';
  if (uri.scheme === 'tel') {
    out += uri.user ?? '';
  } else {
    if (uri.user !== null) {
      out += escapeExcept(uri.user, isUserChar);
      if (uri.password !== null) out += ':' + escapeExcept(uri.password, isPasswordChar);
      out += '@';
    }
    out += uri.host.indexOf(':') !== -1 ? `[${uri.host}]` : uri.host;
    if (uri.port !== null) out += ':' + uri.port;
  }
  for (const [name, value] of Object.entries(uri.params)) {
    out += ';' + escapeExcept(name, isParamChar);
    if (value !== null) out += '=' + escapeExcept(value, isParamChar);
  }
  const headerEntries = Object.entries(uri.headers);
  if (headerEntries.length > 0) {
    out += '?' + headerEntries
      .map(([name, value]) => escapeExcept(name, isHeaderChar) + '=' + escapeExcept(value, isHeaderChar))
      .join('&');
  }
  return out;
}

/** Cheap check that a text looks like "scheme:something" with no whitespace or <>. */
export function looksLikeAbsoluteUri(text: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>]+$/.test(text);
}
