/**
 * An app answers a network request (`sip|<txnId>|` + `SIP/2.0 …`). The server rebuilds the
 * response from the stored request, applies the header policy, creates the UAS dialog on
 * the first response to INVITE/SUBSCRIBE, and keeps 2xx and reliable 1xx alive until
 * ACK/PRACK (protocol notes §4.2). The `response|OK` goes out before anything the network
 * may answer (ordering rule §4.9.2).
 */
import { randomUUID } from 'node:crypto';
import {
  createResponse, generateTag, getHeader, getHeaderValues, getTag, headerKey, parseCSeq, serializeMessage,
} from '../message/index.js';
import type { SipResponse } from '../message/types.js';
import { responseSentResponse, simpleResponse } from '../control/wire.js';
import type { AppConnection, AppSipCommand } from '../control/types.js';
import { createUasDialog } from '../dialog/create.js';
import { makeDialogId, type DialogUsage } from '../dialog/types.js';
import { responseDestination } from '../transport/index.js';
import { metaFromDest } from './app-frames.js';
import { cancelTimer, schedule, type CoreContext, type InboundTxn } from './context.js';
import { ensureContentType, filterAppHeaders, formatContact } from './header-policy.js';
import { endDialog } from './network-requests.js';
import { serverBye } from './server-requests.js';
import { rememberTcpFlow } from './registrations.js';

/** Rebuilt from the stored request, so app copies are ignored. */
const FROM_REQUEST = new Set(['via', 'from', 'to', 'call-id', 'cseq']);

function usageOf(method: string): DialogUsage | null {
  if (method === 'INVITE') return 'invite';
  if (method === 'SUBSCRIBE') return 'subscribe';
  return null;
}

function offers100rel(txn: InboundTxn): boolean {
  const values = [...getHeaderValues(txn.request, 'Supported'), ...getHeaderValues(txn.request, 'Require')];
  return values.some((v) => v.trim().toLowerCase() === '100rel');
}

export function onAppResponse(ctx: CoreContext, app: AppConnection, cmd: AppSipCommand, msg: SipResponse): void {
  const nok = (reason: string) => app.send(simpleResponse(cmd.msgId, 'NOK', reason));
  const txn = ctx.inbound.get(cmd.txnId);
  if (!txn || txn.appId !== app.id) return nok('Response not sent due to unknown transaction');
  if (txn.canceled) return nok('transaction was canceled');
  if (txn.finalSent) return nok('a final response was already sent');

  const { request, info } = txn;
  const status = msg.status;
  const usage = usageOf(request.method);
  const requestToTag = getTag(getHeader(request, 'To') ?? '');
  const self = ctx.selfFor({ protocol: info.protocol, address: info.source.address });
  const headers = filterAppHeaders(msg.headers, self).filter((h) => !FROM_REQUEST.has(headerKey(h.name)));

  if (requestToTag === null && status > 100 && txn.localTag === null) {
    txn.localTag = getTag(getHeader(msg, 'To') ?? '') ?? generateTag();
  }
  const res = createResponse(request, status, msg.reason || undefined, {
    toTag: status > 100 ? txn.localTag ?? undefined : undefined, headers, body: msg.body,
  });
  const contentType = ensureContentType(res);
  if (!contentType.ok) return nok(contentType.error);

  const wantsReliable = status > 100 && status < 200 && request.method === 'INVITE' &&
    getHeaderValues(res, 'Require').some((v) => v.toLowerCase() === '100rel');
  if (wantsReliable && !offers100rel(txn)) return nok('reliable provisional requested but the UAC does not support 100rel');
  if (wantsReliable) res.headers.push({ name: 'RSeq', value: String(txn.nextRSeq++) });

  const inDialog = requestToTag !== null;
  const needsContact = usage !== null && getHeader(res, 'Contact') === undefined &&
    ((status >= 200 && status < 300) || wantsReliable || (inDialog && status > 100));
  if (needsContact) {
    // Inside a dialog our Contact stays what the dialog already advertised.
    res.headers.push({ name: 'Contact', value: txn.dialog?.localContact || formatContact(self, info.protocol) });
  }

  // The first non-100 response to a new INVITE/SUBSCRIBE creates the UAS leg.
  if (usage && !inDialog && status > 100 && status < 300 && !txn.dialog) {
    txn.dialog = createUasDialog({
      request, info, usage, localTag: txn.localTag!, appId: app.id,
      localContact: getHeader(res, 'Contact') ?? formatContact(self, info.protocol),
    });
    ctx.dialogs.add(txn.dialog);
  }
  const dialog = txn.dialog;
  let dialogId = dialog?.id ?? '';
  if (!dialogId && usage && !inDialog && status > 100) {
    dialogId = makeDialogId(getHeader(request, 'Call-ID') ?? '', getTag(getHeader(request, 'From') ?? '') ?? '');
  }
  if (dialog && getHeader(res, 'Contact') !== undefined && (usage !== null)) {
    dialog.localContact = getHeader(res, 'Contact')!;
  }

  const dest = responseDestination(info.topVia ?? res, info);
  const isFinal = status >= 200;
  if (isFinal) txn.finalSent = true;
  if (isFinal && dialog) settleDialog(ctx, txn, res, inDialog);
  // Before respond(): a completed non-INVITE that nobody waits for shrinks to its response bytes.
  if (isFinal && request.method !== 'INVITE') txn.release();
  txn.serverTx.respond(res);
  // The bytes the transaction just sent, when it accepted the response (no second serialisation).
  const wire = txn.serverTx.lastResponse === res ? txn.serverTx.lastResponseBytes ?? serializeMessage(res) : serializeMessage(res);
  app.send(responseSentResponse(cmd.msgId, metaFromDest(dest, wire.length), txn.txnId, dialogId, wire.toString('utf8')));

  rememberTcpFlow(ctx, request, res, info);
  if (wantsReliable) retransmitReliable(ctx, txn, res);
  if (isFinal && txn.reliable) {
    cancelTimer(ctx, txn.reliable.timer);
    txn.reliable = null;
  }
  if (dialog && request.method === 'INVITE' && status >= 200 && status < 300) {
    const cseq = parseCSeq(getHeader(request, 'CSeq') ?? '')?.seq ?? 0;
    const handle = ctx.transactions.retransmit2xxUntilAck(res, dest, {
      onAckTimeout: () => {
        ctx.acksExpected.delete(dialog);
        serverBye(ctx, dialog, 'ACK timeout');
      },
    });
    // The initial INVITE's ACK carries the INVITE's txnId; a re-INVITE's ACK gets a new one.
    ctx.acksExpected.set(dialog, { txnId: inDialog ? randomUUID() : txn.txnId, cseq, handle });
  }
}

/** Dialog bookkeeping for a final response the app sends. */
function settleDialog(ctx: CoreContext, txn: InboundTxn, res: SipResponse, inDialog: boolean): void {
  const dialog = txn.dialog!;
  const success = res.status >= 200 && res.status < 300;
  if (txn.request.method === 'INVITE') {
    if (success) {
      dialog.state = 'confirmed';
      if (res.body.length > 0) dialog.localSdp = res.body.toString('utf8');
    } else {
      dialog.inviteInProgress = null;
      if (!inDialog && dialog.state === 'early') endDialog(ctx, dialog);
    }
  } else if (txn.request.method === 'SUBSCRIBE') {
    if (success) dialog.state = 'confirmed';
    else if (!inDialog && dialog.state === 'early') endDialog(ctx, dialog);
  }
}

/** RFC 3262 §3: resend the reliable 1xx at T1, 2·T1… until PRACK, giving up after 64·T1. */
function retransmitReliable(ctx: CoreContext, txn: InboundTxn, res: SipResponse): void {
  if (txn.reliable) cancelTimer(ctx, txn.reliable.timer);
  const rseq = Number(getHeader(res, 'RSeq'));
  const giveUpAt = Date.now() + 64 * ctx.timers.t1Ms;
  const state: NonNullable<InboundTxn['reliable']> = { rseq, timer: null };
  txn.reliable = state;
  const arm = (interval: number) => {
    state.timer = schedule(ctx, interval, () => {
      if (txn.reliable !== state || txn.finalSent || Date.now() >= giveUpAt) return;
      if (txn.info.protocol === 'udp') txn.serverTx.respond(res);
      arm(Math.min(interval * 2, ctx.timers.t2Ms));
    });
  };
  arm(ctx.timers.t1Ms);
}
