/**
 * Leader lines of the drachtio control protocol: parsing app commands and building the
 * `response` and `sip` frames the server sends. Token positions are a contract with
 * drachtio-srf (see drachtio-protocol.md §2.6 and §3), so they live in one place.
 */
import { randomUUID } from 'node:crypto';

const CRLF = '\r\n';

export interface ControlCommand {
  msgId: string;
  verb: string;
  /** Tokens after the verb, empty strings kept (they are significant). */
  args: string[];
  /** The SIP message after the leader line, or null when the frame has none. */
  sipText: string | null;
}

export type ParsedCommand = { ok: true; command: ControlCommand } | { ok: false; error: string };

export function parseCommand(payload: string): ParsedCommand {
  const crlf = payload.indexOf(CRLF);
  const leader = crlf === -1 ? payload : payload.slice(0, crlf);
  const sipText = crlf === -1 ? null : payload.slice(crlf + 2);
  if (leader.includes('\r') || leader.includes('\n')) {
    return { ok: false, error: 'leader line contains a bare CR or LF' };
  }
  const tokens = leader.split('|');
  const msgId = tokens[0] ?? '';
  const verb = tokens[1];
  if (msgId === '' || verb === undefined || verb === '') {
    return { ok: false, error: 'leader line lacks a message id or a command' };
  }
  return { ok: true, command: { msgId, verb, args: tokens.slice(2), sipText } };
}

/** Where and how a SIP message went or came: the meta tokens of both frame kinds. */
export interface WireMeta {
  protocol: string;   // udp | tcp | tls
  address: string;
  port: number;
  bytes: number;
  time?: Date;
}

export function newMsgId(): string {
  return randomUUID();
}

let stampMs = -1;
let stampText = '';

/** `HH:MM:SS.uuuuuu` in UTC, as the reference server stamps frames. */
export function formatStackTime(date: Date): string {
  // Every frame carries one; many frames share a millisecond under load.
  const ms = date.getTime();
  if (ms === stampMs) return stampText;
  stampMs = ms;
  stampText = formatStackTimeUncached(date);
  return stampText;
}

function formatStackTimeUncached(date: Date): string {
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.` +
    `${pad(date.getUTCMilliseconds() * 1000, 6)}`;
}

function withSip(leader: string[], sipText?: string): string {
  const line = leader.join('|');
  return sipText === undefined ? line : `${line}${CRLF}${sipText}`;
}

function metaTokens(meta: WireMeta): string[] {
  return [String(meta.bytes), meta.protocol, meta.address, String(meta.port), formatStackTime(meta.time ?? new Date())];
}

/** `OK|...` or a failure (`NO` for protocol/auth errors, `NOK` otherwise) with a reason text. */
export function simpleResponse(appMsgId: string, status: 'OK' | 'NO' | 'NOK', ...fields: string[]): string {
  return withSip([newMsgId(), 'response', appMsgId, status, ...fields]);
}

/** Reply to an app request that went out: positions 10 = txnId, 11 = `Msg sent:`. */
export function requestSentResponse(appMsgId: string, meta: WireMeta, txnId: string, sipText: string): string {
  return withSip([newMsgId(), 'response', appMsgId, 'OK', 'application', ...metaTokens(meta),
    txnId, 'Msg sent:', ''], sipText);
}

/** Reply to an app response that went out: positions 10 = txnId, 11 = dialogId. */
export function responseSentResponse(
  appMsgId: string, meta: WireMeta, txnId: string, dialogId: string, sipText: string,
): string {
  return withSip([newMsgId(), 'response', appMsgId, 'OK', 'application', ...metaTokens(meta),
    txnId, dialogId, '', 'Msg sent:'], sipText);
}

export interface SipFrameFields {
  source: 'network' | 'application';
  meta: WireMeta;
  txnId: string;
  dialogId: string;
  /** Local address the request arrived on (new network requests only). */
  receivedOn?: { address: string; port: number };
}

/** A SIP message for the app; srf ignores frames with ≤ 9 tokens, hence the trailing empty one. */
export function sipFrame(fields: SipFrameFields, sipText: string): string {
  const leader = [newMsgId(), 'sip', fields.source, ...metaTokens(fields.meta), fields.txnId, fields.dialogId];
  if (fields.receivedOn) leader.push(fields.receivedOn.address, String(fields.receivedOn.port));
  leader.push('');
  return withSip(leader, sipText);
}
