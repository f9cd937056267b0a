/**
 * Client transactions, RFC 3261 §17.1 (INVITE: Figure 5 with the RFC 6026 Accepted state;
 * non-INVITE: Figure 6).
 */
import { serializeMessage } from '../message/index.js';
import type { SipRequest, SipResponse } from '../message/types.js';
import type { Destination, InboundInfo } from '../transport/types.js';
import { runTerminated, type TxEnv } from './env.js';
import { buildNon2xxAck } from './requests.js';
import type {
  ClientTransaction, ClientTransactionHandlers, ClientTxState, TerminationReason,
} from './types.js';

export class ClientTx implements ClientTransaction {
  state: ClientTxState = 'pending';
  lastResponse: SipResponse | null = null;
  readonly method: string;
  readonly isInvite: boolean;
  private readonly reliable: boolean;
  private bytes: Buffer | null = null;
  get requestBytes(): Buffer | null { return this.bytes; }
  private ackBytes: Buffer | null = null;
  /** Timer A / E. */
  private retransmitTimer: NodeJS.Timeout | null = null;
  private retransmitInterval = 0;
  /** Timer B / F, then D / K / M. */
  private endTimer: NodeJS.Timeout | null = null;
  private terminatedCallbacks: Array<(r: TerminationReason) => void> = [];
  private reason: TerminationReason | null = null;
  /** CANCEL waiting for a provisional response (§9.1). */
  queuedCancel: ClientTx | null = null;
  /** Set on the INVITE once a provisional arrived, i.e. a CANCEL may be sent now. */
  provisionalSeen = false;

  constructor(
    private readonly env: TxEnv,
    /** Map key: branch + method (INVITE and its CANCEL share a branch). */
    readonly key: string,
    readonly branch: string,
    readonly request: SipRequest,
    readonly cseq: number,
    readonly dest: Destination,
    private readonly handlers: Partial<ClientTransactionHandlers>,
  ) {
    this.method = request.method;
    this.isInvite = request.method === 'INVITE';
    this.reliable = dest.protocol !== 'udp';
  }

  start(): void {
    const { timers } = this.env;
    this.env.trackClient(this.key, this);
    this.state = this.isInvite ? 'calling' : 'trying';
    this.bytes = serializeMessage(this.request);
    this.transmit(this.bytes);
    if (!this.reliable) {
      this.retransmitInterval = timers.t1;
      this.retransmitTimer = setTimeout(() => this.retransmit(), this.retransmitInterval);
    }
    this.endTimer = setTimeout(() => this.timeout(), timers.long);   // Timer B / F
  }

  /** Timer A doubles without bound; Timer E doubles up to T2, and is T2 once a provisional arrived. */
  private retransmit(): void {
    if (!this.bytes) return;
    this.transmit(this.bytes);
    const { t2 } = this.env.timers;
    if (this.isInvite) this.retransmitInterval *= 2;
    else this.retransmitInterval = this.state === 'proceeding' ? t2 : Math.min(2 * this.retransmitInterval, t2);
    this.retransmitTimer = setTimeout(() => this.retransmit(), this.retransmitInterval);
  }

  private timeout(): void {
    this.env.logger.info({ branch: this.branch, method: this.method }, 'client transaction timed out');
    this.terminate('timeout');
    this.call('onTimeout');
  }

  onResponse(res: SipResponse, info: InboundInfo): void {
    if (this.isInvite) this.inviteResponse(res, info);
    else this.nonInviteResponse(res, info);
  }

  private inviteResponse(res: SipResponse, info: InboundInfo): void {
    const s = this.state;
    if (s === 'calling' || s === 'proceeding') {
      this.clearRetransmit();
      this.clearEndTimer();   // Timer B only runs in Calling
      this.lastResponse = res;
      if (res.status < 200) {
        this.state = 'proceeding';
        this.provisionalSeen = true;
        this.call('onResponse', res, info);
        this.flushCancel();
      } else if (res.status < 300) {
        this.state = 'accepted';   // RFC 6026 Timer M: pass 2xx retransmissions up
        this.endTimer = setTimeout(() => this.terminate('completed'), this.env.timers.long);
        this.dropCancel();
        this.call('onResponse', res, info);
      } else {
        this.state = 'completed';
        this.ackBytes = serializeMessage(buildNon2xxAck(this.request, this.cseq, res));
        this.transmit(this.ackBytes);
        this.dropCancel();
        this.call('onResponse', res, info);
        if (this.reliable) this.terminate('completed');
        else this.endTimer = setTimeout(() => this.terminate('completed'), this.env.timers.timerD);
      }
    } else if (s === 'accepted') {
      if (res.status >= 200 && res.status < 300) this.call('onResponse', res, info);
    } else if (s === 'completed') {
      if (res.status >= 300 && this.ackBytes) this.transmit(this.ackBytes);   // absorbed
    }
  }

  private nonInviteResponse(res: SipResponse, info: InboundInfo): void {
    const s = this.state;
    if (s !== 'trying' && s !== 'proceeding') return;   // Completed absorbs retransmitted finals
    this.lastResponse = res;
    if (res.status < 200) {
      this.state = 'proceeding';
      this.call('onResponse', res, info);
      return;
    }
    this.state = 'completed';
    this.clearRetransmit();
    this.clearEndTimer();
    this.call('onResponse', res, info);
    if (this.reliable) this.terminate('completed');
    else this.endTimer = setTimeout(() => this.terminate('completed'), this.env.timers.t4);   // Timer K
  }

  private flushCancel(): void {
    const cancel = this.queuedCancel;
    this.queuedCancel = null;
    if (cancel && cancel.state === 'pending') cancel.start();
  }

  private dropCancel(): void {
    const cancel = this.queuedCancel;
    this.queuedCancel = null;
    if (cancel) cancel.terminate('cancelled');
  }

  onTerminated(cb: (reason: TerminationReason) => void): () => void {
    if (this.reason) {
      runTerminated([cb], this.reason, this.env.logger);
      return () => undefined;
    }
    this.terminatedCallbacks.push(cb);
    return () => {
      const at = this.terminatedCallbacks.indexOf(cb);
      if (at !== -1) this.terminatedCallbacks.splice(at, 1);
    };
  }

  terminate(reason: TerminationReason): void {
    if (this.reason) return;
    this.reason = reason;
    this.state = 'terminated';
    this.clearRetransmit();
    this.clearEndTimer();
    this.dropCancel();
    this.env.forget(this.key, 'client', this);
    const cbs = this.terminatedCallbacks;
    this.terminatedCallbacks = [];
    runTerminated(cbs, reason, this.env.logger);
  }

  private transmit(bytes: Buffer): void {
    this.env.transport.send(bytes, this.dest).catch((err: Error) => {
      if (this.reason) return;
      this.env.logger.info({ branch: this.branch, err: err.message }, 'client transaction transport error');
      this.terminate('transport-error');
      this.call('onTransportError', err);
    });
  }

  private clearRetransmit(): void {
    if (this.retransmitTimer) clearTimeout(this.retransmitTimer);
    this.retransmitTimer = null;
  }

  private clearEndTimer(): void {
    if (this.endTimer) clearTimeout(this.endTimer);
    this.endTimer = null;
  }

  private call<K extends keyof ClientTransactionHandlers>(
    name: K, ...args: Parameters<ClientTransactionHandlers[K]>
  ): void {
    const fn = this.handlers[name] as ((...a: unknown[]) => void) | undefined;
    if (!fn) return;
    try {
      fn(...args);
    } catch (err) {
      this.env.logger.error({ err, branch: this.branch, handler: name }, 'client transaction handler threw');
    }
  }
}
