/**
 * State shared by the core's handlers: the transaction ids apps know, the dialogs, and
 * the lower layers. Kept in one typed object so each handler file stays small.
 */
import type { Logger } from '../../log.js';
import type { AppConnection } from '../control/types.js';
import type { DialogStore } from '../dialog/dialog-store.js';
import type { Dialog } from '../dialog/types.js';
import type { SipRequest, SipResponse } from '../message/types.js';
import type { ClientTransaction, Retransmit2xxHandle, ServerTransaction, TransactionLayer } from '../transaction/types.js';
import type { Destination, InboundInfo, TransportLayer } from '../transport/types.js';
import type { OutboundTable } from './outbound-table.js';

export interface CoreTimers {
  t1Ms: number;
  t2Ms: number;
  t4Ms: number;
}

/** A network request handed to an app, waiting for (more of) its answer. */
export interface InboundTxn {
  readonly txnId: string;
  readonly serverTx: ServerTransaction;
  readonly request: SipRequest;
  readonly info: InboundInfo;
  readonly appId: string;
  /** The dialog the request belongs to, or the one its first response created. */
  dialog: Dialog | null;
  /** Our To tag (generated or taken from the app's first response). */
  localTag: string | null;
  finalSent: boolean;
  canceled: boolean;
  /** Reliable provisional (100rel) awaiting PRACK. */
  reliable: { rseq: number; timer: NodeJS.Timeout | null } | null;
  nextRSeq: number;
  /**
   * Forgets this transaction now instead of when its server transaction ends: a non-INVITE
   * needs nothing more once its final response is out, and holding it (request, raw bytes,
   * parsed headers) for Timer J's 32 s was most of the server's memory at registrar rates.
   */
  release(): void;
}

/** A request an app sent, whose responses go back to that app. */
export interface OutboundTxn {
  readonly txnId: string;
  readonly appId: string;
  readonly method: string;
  readonly clientTx: ClientTransaction;
  /** The request as sent (with our Via). */
  readonly request: SipRequest;
  readonly dest: Destination;
  /** Dialog id put on every response ('' for requests that make no dialog). */
  readonly dialogId: string;
  dialog: Dialog | null;
  finalStatus: number | null;
  /** The ACK the app had us send for a 2xx, re-sent on each retransmitted 2xx. */
  sentAck: { request: SipRequest; dest: Destination } | null;
  /** The app CANCELed this INVITE; a 2xx that wins the race is ACKed and then BYEd. */
  canceledByApp: boolean;
  cleanupTimer: NodeJS.Timeout | null;
}

export interface SelfAddress {
  /** Host apps and peers should use for us (the public host). */
  host: string;
  port: number;
}

export interface CoreContext {
  readonly logger: Logger;
  readonly transport: TransportLayer;
  readonly transactions: TransactionLayer;
  readonly dialogs: DialogStore;
  readonly timers: CoreTimers;
  readonly inbound: Map<string, InboundTxn>;
  /** ServerTransaction id → txnId (CANCEL and late lookups). */
  readonly inboundByServerTx: Map<string, string>;
  readonly outbound: OutboundTable;
  /** `user@host` of a registered TCP contact → connection it registered over. */
  /** 2xx sent on a dialog's INVITE, waiting for the ACK the app will be told about. */
  readonly acksExpected: Map<Dialog, { txnId: string; cseq: number; handle: Retransmit2xxHandle }>;
  readonly registeredFlows: Map<string, { connectionId: string; address: string; port: number }>;
  /** Timers not owned by a transaction (cleanup, 100rel, ACK cache); all cleared on stop. */
  readonly timerSet: Set<NodeJS.Timeout>;
  findApp(appId: string): AppConnection | undefined;
  pickApp(verb: string): AppConnection | null;
  /** Address to advertise (Contact, localhost rewrite) for traffic with `dest`. */
  selfFor(dest: Pick<Destination, 'protocol' | 'address'>): SelfAddress;
}

/** setTimeout that the core clears on stop. */
export function schedule(ctx: CoreContext, ms: number, fn: () => void): NodeJS.Timeout {
  const timer = setTimeout(() => {
    ctx.timerSet.delete(timer);
    fn();
  }, ms);
  ctx.timerSet.add(timer);
  return timer;
}

export function cancelTimer(ctx: CoreContext, timer: NodeJS.Timeout | null): void {
  if (!timer) return;
  clearTimeout(timer);
  ctx.timerSet.delete(timer);
}

export type { SipResponse };
