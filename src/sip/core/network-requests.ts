/**
 * Requests from the network: new ones go round-robin to an app that routed the method,
 * in-dialog ones to the app owning the dialog; CANCEL and ACK follow drachtio's rules
 * (protocol notes §3, §4.1, §4.4, §4.5).
 */
import { randomUUID } from 'node:crypto';
import { getHeader, getHeaderValues, getTag, parseCSeq, parseNameAddr } from '../message/index.js';
import type { SipRequest } from '../message/types.js';
import type { Dialog } from '../dialog/types.js';
import { contactUri } from '../dialog/create.js';
import type { RequestContext, ServerTransaction } from '../transaction/types.js';
import type { InboundInfo } from '../transport/types.js';
import { forwardFromNetwork } from './app-frames.js';
import { cancelTimer, type CoreContext, type InboundTxn } from './context.js';
import { replyLocally } from './replies.js';

/** Methods that only make sense inside a dialog: out of one they get 481. */
const DIALOG_ONLY = new Set(['BYE', 'UPDATE', 'PRACK']);

export function onNetworkRequest(ctx: CoreContext, req: SipRequest, rc: RequestContext): void {
  if (req.method === 'ACK') return onAck(ctx, req, rc.info);
  const serverTx = rc.serverTx;
  if (!serverTx) return;
  if (req.method === 'CANCEL') return onCancel(ctx, serverTx, rc.cancelTarget, rc.info);
  const toTag = getTag(getHeader(req, 'To') ?? '');
  if (toTag !== null) return onInDialog(ctx, req, serverTx, toTag);
  return onNewRequest(ctx, req, serverTx);
}

function track(ctx: CoreContext, serverTx: ServerTransaction, appId: string, dialog: Dialog | null): InboundTxn {
  const txn: InboundTxn = {
    txnId: randomUUID(),
    serverTx,
    request: serverTx.request,
    info: serverTx.info,
    appId,
    dialog,
    localTag: dialog ? dialog.localTag : null,
    finalSent: false,
    canceled: false,
    reliable: null,
    nextRSeq: 1,
    release: () => {
      unsubscribe();
      if (txn.reliable) cancelTimer(ctx, txn.reliable.timer);
      txn.reliable = null;
      forget();
    },
  };
  const forget = (): void => {
    if (ctx.inbound.get(txn.txnId) === txn) ctx.inbound.delete(txn.txnId);
    if (ctx.inboundByServerTx.get(serverTx.id) === txn.txnId) ctx.inboundByServerTx.delete(serverTx.id);
  };
  ctx.inbound.set(txn.txnId, txn);
  ctx.inboundByServerTx.set(serverTx.id, txn.txnId);
  const unsubscribe = serverTx.onTerminated(() => {
    // INVITEs are kept until the transaction ends so late app answers and CANCELs still find them.
    if (txn.reliable) cancelTimer(ctx, txn.reliable.timer);
    // An app that never answered a re-INVITE must not block the next one with 491 forever.
    if (txn.dialog && txn.request.method === 'INVITE' && !txn.finalSent && txn.dialog.inviteInProgress === 'incoming') {
      txn.dialog.inviteInProgress = null;
    }
    // An early dialog whose INVITE/SUBSCRIBE never got a final answer dies with its transaction.
    const creating = getTag(getHeader(txn.request, 'To') ?? '') === null;
    if (creating && txn.dialog && txn.dialog.state === 'early') endDialog(ctx, txn.dialog);
    forget();
  });
  return txn;
}

function registerCheck(req: SipRequest): string | null {
  const contacts = getHeaderValues(req, 'Contact');
  for (const contact of contacts) {
    if (contact === '*') {
      if (contacts.length > 1 || getHeader(req, 'Expires')?.trim() !== '0') return 'Contact * needs Expires: 0';
    } else if (!parseNameAddr(contact)) {
      return 'malformed Contact';
    }
  }
  return null;
}

function onNewRequest(ctx: CoreContext, req: SipRequest, serverTx: ServerTransaction): void {
  if (DIALOG_ONLY.has(req.method)) return replyLocally(serverTx, 481);
  if (req.method === 'REGISTER') {
    const problem = registerCheck(req);
    if (problem) return replyLocally(serverTx, 400, `Bad Request (${problem})`);
  }
  const app = ctx.pickApp(req.method.toLowerCase());
  if (!app) {
    ctx.logger.debug({ method: req.method }, 'sip core: no app routes this method');
    return replyLocally(serverTx, 503);
  }
  const txn = track(ctx, serverTx, app.id, null);
  forwardFromNetwork(app, serverTx.info, txn.txnId, '', true);
}

function onInDialog(ctx: CoreContext, req: SipRequest, serverTx: ServerTransaction, toTag: string): void {
  const callId = getHeader(req, 'Call-ID') ?? '';
  const fromTag = getTag(getHeader(req, 'From') ?? '');
  const dialog = ctx.dialogs.findByTags(callId, toTag, fromTag);
  if (!dialog) return replyLocally(serverTx, 481);
  const app = ctx.findApp(dialog.appId);
  if (!app || app.closed) {
    // The owner is gone (§4.8): nobody can answer, but a BYE still ends the dialog.
    if (req.method === 'BYE') endDialog(ctx, dialog);
    return replyLocally(serverTx, 481);
  }
  const cseq = parseCSeq(getHeader(req, 'CSeq') ?? '')?.seq ?? 0;
  if (dialog.remoteCSeq !== null && cseq < dialog.remoteCSeq) return replyLocally(serverTx, 500, 'CSeq Out of Order');
  dialog.remoteCSeq = cseq;
  adoptRemoteTag(dialog, req, fromTag);

  switch (req.method) {
    case 'INVITE':
      if (dialog.inviteInProgress) return replyLocally(serverTx, 491);
      dialog.inviteInProgress = 'incoming';
      break;
    case 'BYE':
      endDialog(ctx, dialog);
      break;
    case 'PRACK':
      stopReliableProvisional(ctx, dialog, getHeader(req, 'RAck') ?? '');
      break;
    case 'NOTIFY':
      if (dialog.usage === 'subscribe' && /^\s*terminated/i.test(getHeader(req, 'Subscription-State') ?? '') &&
          !/^\s*refer\b/i.test(getHeader(req, 'Event') ?? '')) {
        endDialog(ctx, dialog);
      } else if (dialog.usage === 'subscribe') {
        dialog.state = 'confirmed';
      }
      break;
    default:
      break;
  }
  const txn = track(ctx, serverTx, app.id, dialog);
  forwardFromNetwork(app, serverTx.info, txn.txnId, dialog.id, false);
}

/** A NOTIFY may reach a subscriber before the SUBSCRIBE's 2xx (RFC 6665 §4.1.2.4). */
function adoptRemoteTag(dialog: Dialog, req: SipRequest, fromTag: string | null): void {
  if (dialog.remoteTag !== '' || fromTag === null) return;
  dialog.remoteTag = fromTag;
  dialog.remoteParty = getHeader(req, 'From') ?? dialog.remoteParty;
  dialog.remoteTarget = contactUri(req) ?? dialog.remoteTarget;
}

export function endDialog(ctx: CoreContext, dialog: Dialog): void {
  const waiting = ctx.acksExpected.get(dialog);
  if (waiting) {
    waiting.handle.stop();
    ctx.acksExpected.delete(dialog);
  }
  ctx.dialogs.remove(dialog);
}

function stopReliableProvisional(ctx: CoreContext, dialog: Dialog, rack: string): void {
  const rseq = Number.parseInt(rack.trim().split(/\s+/)[0] ?? '', 10);
  for (const txn of ctx.inbound.values()) {
    if (txn.dialog === dialog && txn.reliable && txn.reliable.rseq === rseq) {
      cancelTimer(ctx, txn.reliable.timer);
      txn.reliable = null;
    }
  }
}

function onAck(ctx: CoreContext, req: SipRequest, info: InboundInfo): void {
  const callId = getHeader(req, 'Call-ID') ?? '';
  const toTag = getTag(getHeader(req, 'To') ?? '');
  if (toTag === null) return;
  const dialog = ctx.dialogs.findByTags(callId, toTag, getTag(getHeader(req, 'From') ?? ''));
  if (!dialog) return;
  const expected = ctx.acksExpected.get(dialog);
  const cseq = parseCSeq(getHeader(req, 'CSeq') ?? '')?.seq;
  if (!expected || expected.cseq !== cseq) return;   // a retransmitted ACK: already delivered
  expected.handle.stop();
  ctx.acksExpected.delete(dialog);
  dialog.inviteInProgress = null;
  const app = ctx.findApp(dialog.appId);
  if (app && !app.closed) forwardFromNetwork(app, info, expected.txnId, dialog.id, false);
}

function onCancel(
  ctx: CoreContext, cancelTx: ServerTransaction, target: ServerTransaction | undefined, info: InboundInfo,
): void {
  const txnId = target ? ctx.inboundByServerTx.get(target.id) : undefined;
  const txn = txnId ? ctx.inbound.get(txnId) : undefined;
  if (!target || !txn) return replyLocally(cancelTx, 481);
  replyLocally(cancelTx, 200);
  if (txn.finalSent) return;   // too late to cancel; the final response stands
  txn.canceled = true;
  txn.finalSent = true;
  if (txn.reliable) cancelTimer(ctx, txn.reliable.timer);
  txn.reliable = null;
  replyLocally(txn.serverTx, 487, undefined, [], txn.localTag ?? undefined);
  const dialogId = txn.dialog?.id ?? '';
  if (txn.dialog && txn.dialog.state === 'early') endDialog(ctx, txn.dialog);
  const app = ctx.findApp(txn.appId);
  if (app && !app.closed) forwardFromNetwork(app, info, txn.txnId, dialogId, false);
}
