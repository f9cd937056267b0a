/**
 * `sip` commands from apps (protocol notes §2.4): responses, requests inside a dialog
 * (including ACK and PRACK), CANCEL of an app INVITE, and new requests.
 */
import { randomUUID, randomInt } from 'node:crypto';
import {
  generateCallId, generateTag, getHeader, getTag, headerKey, parseCSeq, parseUri, serializeMessage,
} from '../message/index.js';
import type { SipHeader, SipRequest } from '../message/types.js';
import { requestSentResponse, simpleResponse } from '../control/wire.js';
import type { AppConnection, AppSipCommand } from '../control/types.js';
import { createUacDialog, withTag } from '../dialog/create.js';
import { buildInDialogRequest } from '../dialog/request.js';
import { metaFromDest } from './app-frames.js';
import { onAppResponse } from './app-responses.js';
import { parseAppMessage } from './app-message.js';
import type { CoreContext, OutboundTxn } from './context.js';
import { dialogDestination, resolveUri } from './destinations.js';
import { ensureContentType, filterAppHeaders, formatContact } from './header-policy.js';
import { startOutbound } from './outbound.js';
import { serverBye } from './server-requests.js';

/** Placed by the server for a new request; the app's values (if any) are used in their place. */
const NEW_REQUEST_OWNED = new Set(['from', 'to', 'call-id', 'cseq', 'max-forwards', 'contact']);
/** A CANCEL copies these from its INVITE (RFC 3261 §9.1); app copies are ignored. */
const CANCEL_IGNORED = new Set(['from', 'to', 'call-id', 'cseq', 'contact', 'p-asserted-identity', 'max-forwards']);

export function onAppSipCommand(ctx: CoreContext, app: AppConnection, cmd: AppSipCommand): void {
  const nok = (reason: string) => app.send(simpleResponse(cmd.msgId, 'NOK', reason));
  const parsed = parseAppMessage(cmd.sipText);
  if (!parsed.ok) return nok(`malformed SIP message: ${parsed.error}`);
  const msg = parsed.message;
  if (msg.kind === 'response') {
    if (!cmd.txnId) return nok('a response needs a transaction id');
    return onAppResponse(ctx, app, cmd, msg);
  }
  const run = cmd.dialogId ? inDialogRequest(ctx, app, cmd, msg)
    : cmd.txnId ? Promise.resolve(cancelRequest(ctx, app, cmd, msg))
      : newRequest(ctx, app, cmd, msg);
  run.catch((err: unknown) => {
    ctx.logger.error({ err, method: msg.method }, 'sip core: app request failed');
    nok('internal error sending request');
  });
}

async function newRequest(ctx: CoreContext, app: AppConnection, cmd: AppSipCommand, msg: SipRequest): Promise<void> {
  const nok = (reason: string) => app.send(simpleResponse(cmd.msgId, 'NOK', reason));
  const callIdGiven = getHeader(msg, 'Call-ID');
  const existing = callIdGiven ? ctx.dialogs.findByCallId(callIdGiven, app.id) : undefined;
  if (existing && existing.state !== 'terminated' && msg.method !== 'INVITE' && msg.method !== 'SUBSCRIBE') {
    return inDialogRequest(ctx, app, { ...cmd, dialogId: existing.id }, msg);
  }
  if (!parseUri(msg.uri)) return nok(`invalid request uri ${msg.uri}`);
  const resolved = await resolveUri(ctx, cmd.routeUrl || msg.uri);
  if (!resolved.ok) return nok(resolved.error);
  const dest = resolved.dest;
  const self = ctx.selfFor(dest);
  const appHeaders = filterAppHeaders(msg.headers, self);
  const appValue = (name: string) => appHeaders.find((h) => headerKey(h.name) === name)?.value;

  const fromValue = appValue('from') ?? `<sip:${self.host.includes(':') ? `[${self.host}]` : self.host}:${self.port}>`;
  const from = getTag(fromValue) ? fromValue : withTag(fromValue, generateTag());
  const cseqGiven = parseCSeq(appValue('cseq') ?? '');
  const cseq = cseqGiven ? cseqGiven.seq : randomInt(1, 1 << 16);
  const headers: SipHeader[] = [
    { name: 'From', value: from },
    { name: 'To', value: appValue('to') ?? `<${msg.uri}>` },
    { name: 'Call-ID', value: callIdGiven ?? generateCallId() },
    { name: 'CSeq', value: `${cseq} ${msg.method}` },
    { name: 'Max-Forwards', value: appValue('max-forwards') ?? '70' },
  ];
  const contact = appValue('contact');
  if (contact) headers.push({ name: 'Contact', value: contact });
  else if (msg.method === 'INVITE' || msg.method === 'SUBSCRIBE') {
    headers.push({ name: 'Contact', value: formatContact(self, dest.protocol) });
  }
  headers.push(...appHeaders.filter((h) => !NEW_REQUEST_OWNED.has(headerKey(h.name))));
  const request: SipRequest = { kind: 'request', method: msg.method, uri: msg.uri, headers, body: msg.body };
  const contentType = ensureContentType(request);
  if (!contentType.ok) return nok(contentType.error);
  if (app.closed) return;

  const usage = msg.method === 'INVITE' ? 'invite' : msg.method === 'SUBSCRIBE' ? 'subscribe' : null;
  if (!usage) {
    startOutbound(ctx, app, cmd.msgId, request, dest, { dialog: null, dialogId: '', inDialog: false });
    return;
  }
  const dialog = createUacDialog({ request, usage, appId: app.id, flow: { ...dest } });
  ctx.dialogs.add(dialog);
  startOutbound(ctx, app, cmd.msgId, request, dest, { dialog, dialogId: dialog.id, inDialog: false });
}

function cancelRequest(ctx: CoreContext, app: AppConnection, cmd: AppSipCommand, msg: SipRequest): void {
  const nok = (reason: string) => app.send(simpleResponse(cmd.msgId, 'NOK', reason));
  if (msg.method !== 'CANCEL') return nok('only CANCEL may name a transaction id');
  const invite = ctx.outbound.get(cmd.txnId);
  if (!invite || invite.appId !== app.id || invite.method !== 'INVITE') return nok('unknown transaction');
  const self = ctx.selfFor(invite.dest);
  const extra = filterAppHeaders(msg.headers, self).filter((h) => !CANCEL_IGNORED.has(headerKey(h.name)));
  const ignore = () => undefined;
  const cancelTx = ctx.transactions.cancel(invite.clientTx, extra, { onResponse: ignore, onTimeout: ignore, onTransportError: ignore });
  if (!cancelTx) return nok('INVITE already received a final response');
  invite.canceledByApp = true;
  const wire = cancelTx.requestBytes ?? serializeMessage(cancelTx.request);
  app.send(requestSentResponse(cmd.msgId, metaFromDest(invite.dest, wire.length), randomUUID(), wire.toString('utf8')));
}

/** The INVITE of this dialog whose 2xx still waits for the app's ACK, newest first. */
function inviteAwaitingAck(ctx: CoreContext, dialogId: string, appId: string): OutboundTxn | undefined {
  let found: OutboundTxn | undefined;
  for (const txn of ctx.outbound.invitesInDialog(appId, dialogId)) {
    if (txn.sentAck === null && txn.finalStatus !== null && txn.finalStatus >= 200 && txn.finalStatus < 300) found = txn;
  }
  return found;
}

/** A BYE while our re-INVITE is unanswered: CANCEL the re-INVITE first (protocol notes §4.4). */
function cancelPendingReInvite(ctx: CoreContext, dialogId: string, appId: string): void {
  for (const txn of [...ctx.outbound.invitesInDialog(appId, dialogId)]) {
    if (txn.finalStatus === null) {
      const ignore = () => undefined;
      ctx.transactions.cancel(txn.clientTx, [], { onResponse: ignore, onTimeout: ignore, onTransportError: ignore });
    }
  }
}

async function inDialogRequest(ctx: CoreContext, app: AppConnection, cmd: AppSipCommand, msg: SipRequest): Promise<void> {
  const nok = (reason: string) => app.send(simpleResponse(cmd.msgId, 'NOK', reason));
  const dialog = ctx.dialogs.findById(cmd.dialogId, app.id);
  const ackFor = msg.method === 'ACK' ? inviteAwaitingAck(ctx, cmd.dialogId, app.id) : undefined;
  if (msg.method === 'ACK' && !ackFor) return nok('ACK for non-success final response is generated by server');
  if (!dialog) return nok('unable to find dialog for dialog id provided');
  const self = ctx.selfFor({ protocol: dialog.flow.protocol, address: dialog.flow.address });
  const headers = filterAppHeaders(msg.headers, self);
  const wantsContact = msg.method === 'INVITE' || msg.method === 'SUBSCRIBE' || msg.method === 'REFER';
  if (wantsContact && !headers.some((h) => headerKey(h.name) === 'contact')) {
    headers.push({ name: 'Contact', value: dialog.localContact || formatContact(self, dialog.flow.protocol) });
  }
  const inviteCSeq = ackFor ? parseCSeq(getHeader(ackFor.request, 'CSeq') ?? '')?.seq : undefined;
  const request = buildInDialogRequest(dialog, { method: msg.method, appUri: msg.uri, headers, body: msg.body, cseq: inviteCSeq });
  const contentType = ensureContentType(request);
  if (!contentType.ok) return nok(contentType.error);
  const resolved = await dialogDestination(ctx, dialog, request.uri);
  if (!resolved.ok) return nok(resolved.error);
  if (app.closed) return;

  if (ackFor) {
    ackFor.sentAck = { request, dest: resolved.dest };   // claimed before the await: one ACK per 2xx
    const sent = await ctx.transactions.sendStateless(request, resolved.dest);
    ackFor.sentAck = { request: sent, dest: resolved.dest };
    dialog.inviteInProgress = null;
    const wire = serializeMessage(sent);
    app.send(requestSentResponse(cmd.msgId, metaFromDest(resolved.dest, wire.length), randomUUID(), wire.toString('utf8')));
    // The app gave up on this call before the 2xx arrived: complete it, then end it (§4.5).
    if (ackFor.canceledByApp) serverBye(ctx, dialog, 'ACK-BYE due to cancel race condition');
    return;
  }
  if (msg.method === 'INVITE') dialog.inviteInProgress = 'outgoing';
  if (msg.method === 'BYE') cancelPendingReInvite(ctx, dialog.id, app.id);
  startOutbound(ctx, app, cmd.msgId, request, resolved.dest, { dialog, dialogId: dialog.id, inDialog: true });
}
