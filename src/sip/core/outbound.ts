/**
 * Requests apps send to the network: one client transaction each, announced to the app
 * with a `response|OK` carrying the txnId *before* any response is forwarded (ordering
 * rule §4.9.1), then every response relayed with the txnId and dialog id.
 */
import { randomUUID } from 'node:crypto';
import { createResponse, generateTag, getHeader, serializeMessage } from '../message/index.js';
import type { SipRequest, SipResponse } from '../message/types.js';
import { requestSentResponse, sipFrame } from '../control/wire.js';
import type { AppConnection } from '../control/types.js';
import { contactUri, updateUacDialogFromResponse } from '../dialog/create.js';
import type { Dialog } from '../dialog/types.js';
import type { Destination, InboundInfo } from '../transport/types.js';
import { forwardFromNetwork, metaFromDest } from './app-frames.js';
import { schedule, type CoreContext, type OutboundTxn } from './context.js';
import { endDialog } from './network-requests.js';

export interface OutboundOptions {
  dialog: Dialog | null;
  dialogId: string;
  /** True for requests inside an existing dialog (false for the INVITE/SUBSCRIBE that creates one). */
  inDialog: boolean;
}

export function startOutbound(
  ctx: CoreContext, app: AppConnection, msgId: string, request: SipRequest, dest: Destination, opts: OutboundOptions,
): OutboundTxn {
  const txnId = randomUUID();
  let announced = false;
  const held: Array<() => void> = [];
  const whenAnnounced = (fn: () => void) => (announced ? fn() : held.push(fn));
  let txn: OutboundTxn | null = null;
  const clientTx = ctx.transactions.sendRequest(request, dest, {
    onResponse: (res, info) => whenAnnounced(() => onResponse(ctx, txn!, res, info, opts.inDialog)),
    onTimeout: () => whenAnnounced(() => synthesizeFinal(ctx, txn!, 408)),
    onTransportError: (err) => whenAnnounced(() => synthesizeFinal(ctx, txn!, 503, `Service Unavailable (${err.message})`)),
  });
  txn = {
    txnId,
    appId: app.id,
    method: request.method,
    clientTx,
    request: clientTx.request,
    dest,
    dialogId: opts.dialogId,
    dialog: opts.dialog,
    finalStatus: null,
    sentAck: null,
    canceledByApp: false,
    cleanupTimer: null,
  };
  ctx.outbound.add(txn);
  const wire = clientTx.requestBytes ?? serializeMessage(clientTx.request);
  app.send(requestSentResponse(msgId, metaFromDest(dest, wire.length), txnId, wire.toString('utf8')));
  announced = true;
  for (const fn of held.splice(0)) fn();
  return txn;
}

function finish(ctx: CoreContext, txn: OutboundTxn, status: number): void {
  txn.finalStatus = status;
  // A non-INVITE is done: its client transaction absorbs retransmitted finals on its own, and
  // nothing else ever looks it up again (only INVITEs are ACKed or CANCELed by txnId).
  if (txn.method !== 'INVITE') {
    ctx.outbound.delete(txn);
    return;
  }
  // Kept for 64·T1 so the app can still ACK a 2xx and retransmitted 2xx get that ACK again.
  txn.cleanupTimer = schedule(ctx, 64 * ctx.timers.t1Ms, () => {
    ctx.outbound.delete(txn);
    // An app that never ACKed its re-INVITE's 2xx must not leave the dialog blocked.
    if (txn.method === 'INVITE' && txn.dialog?.inviteInProgress === 'outgoing' && !txn.sentAck) {
      txn.dialog.inviteInProgress = null;
    }
  });
}

function onResponse(ctx: CoreContext, txn: OutboundTxn, res: SipResponse, info: InboundInfo, inDialog: boolean): void {
  const status = res.status;
  const success = status >= 200 && status < 300;
  if (txn.finalStatus !== null) {
    // A retransmitted 2xx: our ACK got lost, so send the app's ACK again; the app saw it already.
    if (success && txn.sentAck) {
      ctx.transport.send(txn.sentAck.request, txn.sentAck.dest).catch(() => undefined);
    }
    return;
  }
  const dialog = txn.dialog;
  if (dialog && dialog.state !== 'terminated') {
    if (!inDialog) trackCreatingResponse(ctx, dialog, txn, res, info);
    else if (status >= 200) trackInDialogFinal(ctx, dialog, txn, res);
  }
  if (status >= 200) finish(ctx, txn, status);
  const app = ctx.findApp(txn.appId);
  if (app && !app.closed) forwardFromNetwork(app, info, txn.txnId, txn.dialogId, false);
}

function trackCreatingResponse(ctx: CoreContext, dialog: Dialog, txn: OutboundTxn, res: SipResponse, info: InboundInfo): void {
  const status = res.status;
  if (status > 100 && status < 300) {
    updateUacDialogFromResponse(dialog, res, info);
    if (status >= 200) dialog.state = 'confirmed';
  } else if (status >= 300 && dialog.state === 'early') {
    endDialog(ctx, dialog);
  }
  if (status >= 300 && txn.method === 'INVITE') dialog.inviteInProgress = null;
}

function trackInDialogFinal(ctx: CoreContext, dialog: Dialog, txn: OutboundTxn, res: SipResponse): void {
  const status = res.status;
  const challenged = status === 401 || status === 407;
  if (txn.method === 'BYE' && !challenged) return endDialog(ctx, dialog);
  // Only a SUBSCRIBE dialog ends with its subscription: a refer NOTIFY (transfer progress) rides
  // inside an INVITE dialog, and its final `terminated` must leave the call up (RFC 3515/6665).
  if (txn.method === 'NOTIFY' && dialog.usage === 'subscribe' && !challenged &&
      /^\s*terminated/i.test(getHeader(txn.request, 'Subscription-State') ?? '')) return endDialog(ctx, dialog);
  if (txn.method === 'INVITE') {
    if (status >= 200 && status < 300) {
      const target = contactUri(res);
      if (target) dialog.remoteTarget = target;
    } else {
      dialog.inviteInProgress = null;
    }
  }
  // RFC 3261 §12.2.1.2: 481/408 to an in-dialog request mean the dialog is gone.
  if (status === 481 || status === 408) endDialog(ctx, dialog);
}

/** Timer B/F or a transport failure becomes a response the app can handle like any other. */
function synthesizeFinal(ctx: CoreContext, txn: OutboundTxn, status: number, reason?: string): void {
  if (txn.finalStatus !== null) return;
  const res = createResponse(txn.request, status, reason, { toTag: generateTag() });
  if (txn.dialog && txn.dialog.state === 'early') endDialog(ctx, txn.dialog);
  else if (txn.dialog && txn.method === 'INVITE') txn.dialog.inviteInProgress = null;
  finish(ctx, txn, status);
  const app = ctx.findApp(txn.appId);
  if (!app || app.closed) return;
  const wire = serializeMessage(res);
  app.send(sipFrame({ source: 'network', meta: metaFromDest(txn.dest, wire.length), txnId: txn.txnId,
    dialogId: txn.dialogId }, wire.toString('utf8')));
}
