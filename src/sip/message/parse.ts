/**
 * Wire bytes → SipMessage. parseMessage never throws: every failure becomes
 * { ok:false, error, partial } with the error naming the line or header at fault, and the
 * partial header list lets the transport answer 400 to a broken request.
 */
import { isUtf8 } from 'node:buffer';
import type { ParseLimits, ParseResult, SipHeader, SipMessage } from './types.js';
import { headerKey, splitTopLevelCommas } from './headers.js';
import { isToken, parseCSeq, parseNameAddr, parseVia } from './values.js';
import { looksLikeAbsoluteUri, parseUri } from './uri.js';

/** ParseLimits plus a per-line cap; kept separate so the shared type stays unchanged. */
export interface SipParseLimits extends ParseLimits {
  /** Longest single header line (bytes, before unfolding). */
  maxLineLength: number;
}

export const DEFAULT_LIMITS: Readonly<SipParseLimits> = { maxBytes: 65535, maxHeaders: 200, maxLineLength: 16384 };

/** Limits plus how to find the body. */
export interface SipParseOptions extends SipParseLimits {
  /**
   * Take every byte after the blank line as the body and ignore Content-Length. For SIP text
   * that arrived already framed, e.g. from a drachtio app, whose Content-Length counts
   * characters rather than bytes (drachtio-protocol §2.4).
   */
  bodyIsRest: boolean;
  /**
   * Require Via, From, To, Call-ID and CSeq (default true). App-built text (drachtio §2.4)
   * legitimately leaves some out for the server to fill in; headers that are present are
   * still checked.
   */
  requireMandatory: boolean;
}

const LF = 0x0a;
const CR = 0x0d;

type Partial_ = { method: string | null; headers: SipHeader[] };

class ParseFailure extends Error {}

interface HeaderBlock {
  /** Offset of the first byte of the start line. */
  start: number;
  /** Offset just past the last header line's terminator (before the blank line). */
  end: number;
  /** Offset of the first body byte (after the blank line), or -1 if no blank line was found. */
  bodyStart: number;
  lineCount: number;
}

/**
 * Finds the header block by walking lines with indexOf (native, linear). Accepts bare LF
 * line ends as well as CRLF, and skips CRLFs before the start line (RFC 3261 §7.5).
 */
export function findHeaderBlock(data: Buffer, limits: SipParseLimits): HeaderBlock | string {
  let pos = 0;
  while (pos < data.length && (data[pos] === CR || data[pos] === LF)) pos++;
  const start = pos;
  let lineCount = 0;
  while (pos < data.length) {
    const nl = data.indexOf(LF, pos);
    const lineEnd = nl === -1 ? data.length : nl;
    const length = lineEnd - pos - (lineEnd > pos && data[lineEnd - 1] === CR ? 1 : 0);
    if (length > limits.maxLineLength) {
      return `line ${lineCount + 1} is longer than ${limits.maxLineLength} bytes`;
    }
    if (nl === -1) break;
    if (length === 0) return { start, end: pos, bodyStart: nl + 1, lineCount };
    lineCount++;
    // +1: the start line is not a header
    if (lineCount > limits.maxHeaders + 1) return `more than ${limits.maxHeaders} header lines`;
    pos = nl + 1;
  }
  return { start, end: data.length, bodyStart: -1, lineCount };
}

function describeLine(line: string): string {
  const shown = line.length > 60 ? line.slice(0, 60) + '…' : line;
  return JSON.stringify(shown);
}

/**
 * Splits the header block into unfolded headers. A malformed line is skipped and reported
 * (first one wins) so the headers after it still reach the partial result for a 400.
 */
function readHeaders(text: string, lineOffset: number, into: SipHeader[], limits: SipParseLimits): string | null {
  const lines = text.split('\n');
  let firstError: string | null = null;
  let previous: SipHeader | undefined;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const lineNo = i + lineOffset;
    if (line.length === 0) continue;
    let problem: string | null = null;
    const first = line.charCodeAt(0);
    const colon = line.indexOf(':');
    // a CR not followed by LF would be read as a line break by some peers and not by others
    if (line.indexOf('\r') !== -1) {
      problem = `line ${lineNo}: stray CR inside ${describeLine(line.slice(0, colon + 1) || line)}`;
    } else if (first === 0x20 || first === 0x09) {
      // RFC 3261 §7.3.1 folding: a continuation line joins the previous value with one space
      if (previous === undefined) {
        problem = `line ${lineNo}: continuation line before any header`;
      } else {
        const more = line.trim();
        if (more.length > 0) previous.value = previous.value.length > 0 ? `${previous.value} ${more}` : more;
        continue;
      }
    } else if (colon === -1) {
      problem = `line ${lineNo}: header line without ':' ${describeLine(line)}`;
    } else {
      const name = line.slice(0, colon).trimEnd();
      if (!isToken(name)) problem = `line ${lineNo}: invalid header name ${describeLine(name)}`;
      else {
        if (into.length >= limits.maxHeaders) throw new ParseFailure(`more than ${limits.maxHeaders} headers`);
        previous = { name, value: line.slice(colon + 1).trim() };
        into.push(previous);
        continue;
      }
    }
    firstError ??= problem;
    previous = undefined; // never fold continuation lines into a header before a broken line
  }
  return firstError;
}

function parseStartLine(line: string): { kind: 'request'; method: string; uri: string } | { kind: 'response'; status: number; reason: string } {
  if (line.startsWith('SIP/')) {
    const match = /^SIP\/(\d+\.\d+) (\d+) (.*)$/.exec(line) ?? /^SIP\/(\d+\.\d+) (\d+)$/.exec(line);
    if (match === null) throw new ParseFailure(`line 1: malformed status line ${describeLine(line)}`);
    if (match[1] !== '2.0') throw new ParseFailure(`line 1: unsupported SIP version SIP/${match[1]!}`);
    const code = match[2]!;
    if (code.length !== 3 || Number(code) < 100 || Number(code) > 699) {
      throw new ParseFailure(`line 1: status code ${code.length > 12 ? code.slice(0, 12) + '…' : code} is not 100-699`);
    }
    return { kind: 'response', status: Number(code), reason: match[3] ?? '' };
  }
  const parts = line.split(' ');
  if (parts.length !== 3 || parts.some((p) => p.length === 0)) {
    throw new ParseFailure(`line 1: request line must be "METHOD SP Request-URI SP SIP/2.0" with single spaces: ${describeLine(line)}`);
  }
  const [method, uri, version] = parts as [string, string, string];
  if (!isToken(method)) throw new ParseFailure(`line 1: invalid method ${describeLine(method)}`);
  if (!version.startsWith('SIP/')) throw new ParseFailure(`line 1: request line does not end in SIP/2.0: ${describeLine(line)}`);
  if (version !== 'SIP/2.0') throw new ParseFailure(`line 1: unsupported SIP version ${version}`);
  if (!looksLikeAbsoluteUri(uri)) throw new ParseFailure(`line 1: invalid Request-URI ${describeLine(uri)}`);
  const scheme = uri.slice(0, uri.indexOf(':')).toLowerCase();
  if (scheme === 'sip' || scheme === 'sips') {
    const parsed = parseUri(uri);
    if (parsed === null) throw new ParseFailure(`line 1: malformed SIP Request-URI ${describeLine(uri)}`);
    // '?' may appear inside the user part (RFC 4475 intmeth); only real ?headers are forbidden (§19.1.5)
    if (Object.keys(parsed.headers).length > 0) throw new ParseFailure(`line 1: Request-URI must not carry ?headers: ${describeLine(uri)}`);
  }
  return { kind: 'request', method, uri };
}

const SINGLE_VALUED = ['From', 'To', 'Call-ID', 'CSeq', 'Max-Forwards', 'Content-Length', 'Content-Type', 'Expires'];
const MANDATORY = ['Via', 'From', 'To', 'Call-ID', 'CSeq'];

/** Line indexes per lower-cased long header name, built in one pass over the headers. */
function indexHeaders(headers: SipHeader[]): Map<string, number[]> {
  const index = new Map<string, number[]>();
  for (let i = 0; i < headers.length; i++) {
    const key = headerKey(headers[i]!.name);
    const lines = index.get(key);
    if (lines === undefined) index.set(key, [i]);
    else lines.push(i);
  }
  return index;
}

/** Checks the headers every layer relies on, so later code can parse them without surprises. */
function validateHeaders(msg: SipMessage, requireMandatory: boolean): Map<string, number[]> {
  const index = indexHeaders(msg.headers);
  const first = (key: string): string | undefined => {
    const lines = index.get(key);
    return lines === undefined ? undefined : msg.headers[lines[0]!]!.value;
  };
  if (requireMandatory) {
    for (const name of MANDATORY) {
      if (!index.has(headerKey(name))) throw new ParseFailure(`missing mandatory ${name} header`);
    }
  }
  for (const name of SINGLE_VALUED) {
    const count = index.get(headerKey(name))?.length ?? 0;
    if (count > 1) throw new ParseFailure(`${name} header appears ${count} times; it must appear once`);
  }
  const cseqText = first('cseq');
  if (cseqText !== undefined) {
    const cseq = parseCSeq(cseqText);
    if (cseq === null) throw new ParseFailure(`CSeq header: ${describeLine(cseqText)} is not "<number below 2^31> <method>"`);
    if (msg.kind === 'request' && cseq.method !== msg.method) {
      throw new ParseFailure(`CSeq method ${cseq.method} does not match request method ${msg.method}`);
    }
  }
  const callId = first('call-id');
  if (callId !== undefined && (callId.length === 0 || /\s/.test(callId))) {
    throw new ParseFailure(`Call-ID header: ${describeLine(callId)} is empty or contains whitespace`);
  }
  for (const [key, name] of [['from', 'From'], ['to', 'To']] as const) {
    const value = first(key);
    if (value !== undefined && parseNameAddr(value) === null) throw new ParseFailure(`${name} header: ${describeLine(value)} is not a valid name-addr`);
  }
  const firstVia = first('via');
  if (firstVia !== undefined) {
    const topVia = splitTopLevelCommas(firstVia)[0];
    if (topVia === undefined) throw new ParseFailure('Via header is empty');
    if (parseVia(topVia) === null) throw new ParseFailure(`Via header: ${describeLine(topVia)} is malformed`);
  }
  for (const line of index.get('contact') ?? []) {
    for (const contact of splitTopLevelCommas(msg.headers[line]!.value)) {
      if (contact !== '*' && parseNameAddr(contact) === null) throw new ParseFailure(`Contact header: ${describeLine(contact)} is malformed`);
    }
  }
  const date = first('date');
  if (date !== undefined && !/ GMT$/.test(date)) throw new ParseFailure(`Date header: ${describeLine(date)} must be in GMT (RFC 3261 §20.17)`);
  return index;
}

function readContentLength(msg: SipMessage, index: Map<string, number[]>): number | null {
  const lines = index.get('content-length');
  if (lines === undefined) return null;
  const raw = msg.headers[lines[0]!]!.value;
  if (!/^\d{1,10}$/.test(raw)) throw new ParseFailure(`Content-Length ${describeLine(raw)} is not a non-negative number`);
  return Number(raw);
}

export function parseMessage(data: Buffer, limits?: Partial<SipParseOptions>): ParseResult {
  const effective: SipParseOptions = { bodyIsRest: false, requireMandatory: true, ...DEFAULT_LIMITS, ...limits };
  const partial: Partial_ = { method: null, headers: [] };
  try {
    if (data.length > effective.maxBytes) {
      // salvage the headers from the allowed prefix so the sender can still be answered
      try {
        parseInto(data.subarray(0, effective.maxBytes), effective, partial, false);
      } catch { /* only the size error matters */ }
      return failure(`message is ${data.length} bytes, over the limit of ${effective.maxBytes}`, partial);
    }
    return { ok: true, message: parseInto(data, effective, partial, true) };
  } catch (err) {
    const error = err instanceof ParseFailure ? err.message : `internal parser error: ${String(err)}`;
    return failure(error, partial);
  }
}

function failure(error: string, partial: Partial_): ParseResult {
  return { ok: false, error, partial: partial.method === null && partial.headers.length === 0 ? null : partial };
}

function parseInto(data: Buffer, limits: SipParseOptions, partial: Partial_, complete: boolean): SipMessage {
  const block = findHeaderBlock(data, limits);
  if (typeof block === 'string') throw new ParseFailure(block);
  if (block.start >= data.length) throw new ParseFailure('empty message');
  const firstNl = data.indexOf(LF, block.start);
  const startLineEnd = firstNl === -1 || firstNl > block.end ? block.end : firstNl;
  const startLineBytes = data.subarray(block.start, startLineEnd);
  const startLine = startLineBytes.toString('utf8').replace(/\r$/, '');
  // Remember the method early so a 400 can still be built if later lines are broken.
  const firstSpace = startLine.indexOf(' ');
  if (!startLine.startsWith('SIP/') && firstSpace > 0 && isToken(startLine.slice(0, firstSpace))) {
    partial.method = startLine.slice(0, firstSpace);
  }

  const headerStart = Math.min(startLineEnd + 1, block.end);
  let firstError: string | null = null;
  if (!isUtf8(startLineBytes)) firstError = 'line 1: start line is not valid UTF-8';
  else if (startLine.includes('\r')) firstError = 'line 1: stray CR inside the start line';
  let start: ReturnType<typeof parseStartLine> | null = null;
  if (firstError === null) {
    try {
      start = parseStartLine(startLine);
    } catch (err) {
      if (!(err instanceof ParseFailure)) throw err;
      firstError = err.message;
    }
  }
  const headerBytes = data.subarray(headerStart, block.end);
  // Fast path: one native UTF-8 check for the whole block; only on failure find the line.
  if (!isUtf8(headerBytes)) {
    const line = findInvalidUtf8Line(headerBytes);
    throw new ParseFailure(firstError ?? `line ${line.number}: header ${describeLine(line.name)} is not valid UTF-8`);
  }
  const headerError = readHeaders(headerBytes.toString('utf8'), 2, partial.headers, limits);
  if (firstError !== null) throw new ParseFailure(firstError);
  if (headerError !== null) throw new ParseFailure(headerError);
  if (!complete) throw new ParseFailure('truncated');
  if (block.bodyStart === -1) throw new ParseFailure('header block does not end with an empty line (CRLF CRLF)');

  const msg: SipMessage = start!.kind === 'request'
    ? { kind: 'request', method: start!.method, uri: start!.uri, headers: partial.headers, body: EMPTY }
    : { kind: 'response', status: start!.status, reason: start!.reason, headers: partial.headers, body: EMPTY };
  const index = validateHeaders(msg, limits.requireMandatory);
  const available = data.length - block.bodyStart;
  const declared = limits.bodyIsRest ? null : readContentLength(msg, index);
  // Datagram without Content-Length: the body is the rest of the datagram (RFC 3261 §18.3).
  const length = declared ?? available;
  if (length > available) throw new ParseFailure(`Content-Length ${length} but only ${available} body bytes`);
  if (length > 0) msg.body = Buffer.from(data.subarray(block.bodyStart, block.bodyStart + length));
  return msg;
}

const EMPTY = Buffer.alloc(0);

function findInvalidUtf8Line(headerBytes: Buffer): { number: number; name: string } {
  let pos = 0;
  for (let number = 2; pos <= headerBytes.length; number++) {
    const nl = headerBytes.indexOf(LF, pos);
    const end = nl === -1 ? headerBytes.length : nl;
    const line = headerBytes.subarray(pos, end);
    if (!isUtf8(line)) {
      const colon = line.indexOf(0x3a);
      return { number, name: line.subarray(0, colon === -1 ? Math.min(line.length, 40) : colon).toString('latin1') };
    }
    if (nl === -1) break;
    pos = nl + 1;
  }
  return { number: 0, name: '?' };
}
