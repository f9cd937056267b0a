/**
 * Public API of the SIP transaction layer (RFC 3261 §17, with the RFC 6026 "Accepted" states).
 *
 * The layer sits on a TransportLayer. It absorbs retransmissions, retransmits on UDP,
 * runs every RFC timer and hands the core only what the core must see:
 *   - new requests (with their ServerTransaction), CANCELs (with the INVITE they target),
 *     and transaction-less requests (ACK for a 2xx) through `onRequest`;
 *   - responses to the core's own requests through the handlers given to `sendRequest`.
 */
import type { Logger } from '../../log.js';
import type { SipHeader, SipRequest, SipResponse } from '../message/types.js';
import type { Destination, InboundInfo, TransportLayer } from '../transport/types.js';

export interface TransactionTimers {
  /** RTT estimate, RFC default 500. */
  t1Ms: number;
  /** Max retransmit interval for non-INVITE requests and INVITE responses, RFC default 4000. */
  t2Ms: number;
  /** Max time a message stays in the network, RFC default 5000. */
  t4Ms: number;
  /** Timer D (client INVITE, UDP: keep absorbing non-2xx retransmissions). Default max(64·T1, 32 000) when T1 ≥ 500, else 64·T1. */
  timerDMs?: number;
  /**
   * A server transaction whose request the core never answers (INVITE: no response at all from
   * the core; non-INVITE: no final response) is dropped after this long, without sending anything
   * (drachtio behaviour). Default 128·T1 (64 s with the RFC T1).
   */
  pendingRequestTimeoutMs?: number;
}

export interface TransactionConfig {
  transport: TransportLayer;
  timers: TransactionTimers;
  logger: Logger;
  /** Send `100 Trying` to every new INVITE before the core sees it. Default true. */
  autoTrying?: boolean;
}

/**
 * Server transaction states. 'accepted' is RFC 6026: an INVITE answered with 2xx keeps absorbing
 * retransmitted INVITEs for 64·T1; the 2xx itself is retransmitted by the core via
 * `TransactionLayer.retransmit2xxUntilAck`.
 */
export type ServerTxState = 'trying' | 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';

/** Why a transaction ended; passed to onTerminated callbacks. */
export type TerminationReason =
  | 'completed'        // normal end (timers J/H/I/K/D/L/M or reliable transport shortcut)
  | 'ack-timeout'      // INVITE server tx: Timer H fired, no ACK for our non-2xx
  | 'timeout'          // client tx: Timer B/F; server tx: core never answered (pendingRequestTimeoutMs)
  | 'transport-error'  // a send failed
  | 'cancelled'        // client CANCEL dropped because the INVITE ended before it could be sent
  | 'stopped';         // the layer was stopped

export interface ServerTransaction {
  /** Transaction key (branch-based). Unique among open server transactions. */
  readonly id: string;
  /** The request as first received (top Via carries received/rport). */
  readonly request: SipRequest;
  readonly info: InboundInfo;
  readonly method: string;
  readonly state: ServerTxState;
  /** Last response sent (including the automatic 100 Trying), null before any. */
  readonly lastResponse: SipResponse | null;
  /** lastResponse as the bytes that went on the wire. */
  readonly lastResponseBytes: Buffer | null;
  /**
   * Sends a response to the request's sender (RFC 3261 §18.2.2 / RFC 3581 via
   * `responseDestination`) and stores it for retransmission. Calls after a final non-2xx
   * response are ignored (logged); a 2xx to an INVITE may be sent again (the core's 2xx
   * retransmissions go through `retransmit2xxUntilAck` instead).
   */
  respond(res: SipResponse): void;
  /**
   * Called once when the transaction ends; immediately if already terminated. Returns a
   * function that takes the callback back (a completed transaction that nobody waits for is
   * reduced to its response bytes, see completed-cache.ts).
   */
  onTerminated(cb: (reason: TerminationReason) => void): () => void;
}

/** 'pending': a CANCEL queued until the INVITE gets a provisional (§9.1); 'accepted': RFC 6026 (2xx seen, Timer M). */
export type ClientTxState = 'pending' | 'calling' | 'trying' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

export interface ClientTransactionHandlers {
  /**
   * Every provisional and final response, once; for an INVITE also every retransmitted 2xx
   * (so the core can re-send its ACK). Retransmitted non-2xx finals are absorbed (the layer
   * re-sends its own ACK for INVITE).
   */
  onResponse(res: SipResponse, info: InboundInfo): void;
  /** Timer B (INVITE) or F (non-INVITE) fired before a final response. The core reports 408. */
  onTimeout(): void;
  /** Sending failed (TCP connect refused/timeout, no listener for the address family…). The core reports 503. */
  onTransportError(err: Error): void;
}

export interface ClientTransaction {
  /** The top Via branch; INVITE and its CANCEL share it. */
  readonly branch: string;
  /** The request as sent, with our top Via. */
  readonly request: SipRequest;
  /** `request` as the bytes that went on the wire; null until sent (a CANCEL waiting for a provisional). */
  readonly requestBytes: Buffer | null;
  readonly method: string;
  readonly dest: Destination;
  readonly state: ClientTxState;
  /** Last response received, null before any. */
  readonly lastResponse: SipResponse | null;
  /**
   * Called once when the transaction ends; immediately if already terminated. Returns a
   * function that takes the callback back (a completed transaction that nobody waits for is
   * reduced to its response bytes, see completed-cache.ts).
   */
  onTerminated(cb: (reason: TerminationReason) => void): () => void;
}

export interface SendRequestOptions {
  /** Use this branch instead of a new one (must start with z9hG4bK). */
  branch?: string;
}

export interface RequestContext {
  /**
   * The server transaction for this request. Absent for transaction-less requests: an ACK that
   * matches no INVITE server transaction (ACK for a 2xx — the layer has already called
   * `ackReceived` for it).
   */
  serverTx?: ServerTransaction;
  /** For CANCEL: the INVITE server transaction it targets, if one matches (else answer 481). */
  cancelTarget?: ServerTransaction;
  info: InboundInfo;
}

export type RequestHandler = (req: SipRequest, ctx: RequestContext) => void;

/** A response that matched no client transaction (e.g. a 2xx retransmitted after Timer M). */
export type StrayResponseHandler = (res: SipResponse, info: InboundInfo) => void;

export interface Retransmit2xxOptions {
  /** 64·T1 passed with no ACK (retransmissions stopped). The core sends BYE. */
  onAckTimeout(): void;
}

export interface Retransmit2xxHandle {
  /** Stops retransmitting without calling onAckTimeout. */
  stop(): void;
}

export interface TransactionStats {
  /** Open server transactions, including completed non-INVITE ones still absorbing retransmissions (Timer J). */
  serverTransactions: number;
  clientTransactions: number;
  /** 2xx responses being retransmitted until ACK. */
  pending2xx: number;
  /** Inbound retransmitted requests absorbed by a server transaction. */
  absorbedRetransmissions: number;
  /** Responses that matched no client transaction. */
  strayResponses: number;
}

export interface TransactionLayer {
  /** Sets the single handler for requests the core must see (replaces any earlier one). */
  onRequest(handler: RequestHandler): void;
  /** Optional handler for responses that match no client transaction (dropped otherwise). */
  onStrayResponse(handler: StrayResponseHandler): void;
  /**
   * Starts a client transaction: prepends our top Via
   * (`SIP/2.0/<UDP|TCP> <sentBy>;branch=<new or given>;rport`) to a copy of `request` and sends it.
   * Must not be used for ACK (use sendStateless). Transport errors arrive via onTransportError.
   */
  sendRequest(
    request: SipRequest,
    dest: Destination,
    handlers: ClientTransactionHandlers,
    opts?: SendRequestOptions,
  ): ClientTransaction;
  /**
   * Sends a request outside any transaction (the ACK for a 2xx), with our top Via and a new
   * branch (or `opts.branch`). Resolves with the request as sent, so the core can re-send the
   * same bytes on a retransmitted 2xx; rejects on transport error.
   */
  sendStateless(request: SipRequest, dest: Destination, opts?: SendRequestOptions): Promise<SipRequest>;
  /**
   * CANCELs an INVITE client transaction (RFC 3261 §9.1): same Request-URI, Call-ID, From, To,
   * CSeq number (method CANCEL), top Via (same branch) and Route; `extraHeaders` (e.g. Reason)
   * appended. Sent as a non-INVITE client transaction once a provisional response has arrived
   * (queued until then). Returns null if the INVITE already has a final response or is not an INVITE.
   * The INVITE's 487 arrives on the INVITE's own handlers (and the layer ACKs it).
   */
  cancel(
    invite: ClientTransaction,
    extraHeaders?: SipHeader[],
    handlers?: Partial<ClientTransactionHandlers>,
  ): ClientTransaction | null;
  /**
   * Retransmits a 2xx to an INVITE (already sent once via ServerTransaction.respond) over UDP at
   * T1, 2·T1 … capped at T2, until `ackReceived(Call-ID, CSeq number)`; after 64·T1 without ACK
   * calls onAckTimeout. Over TCP nothing is retransmitted but the ACK timeout still applies.
   * Starting again for the same Call-ID/CSeq replaces the earlier one.
   */
  retransmit2xxUntilAck(response: SipResponse, dest: Destination, opts: Retransmit2xxOptions): Retransmit2xxHandle;
  /**
   * Stops the 2xx retransmission for this Call-ID/CSeq number. Returns true if one was running.
   * The layer calls this itself for every transaction-less ACK before passing it up.
   */
  ackReceived(callId: string, cseq: number): boolean;
  stats(): TransactionStats;
  /** Terminates every transaction (reason 'stopped') and clears every timer. Does not stop the transport. */
  stop(): void;
}
