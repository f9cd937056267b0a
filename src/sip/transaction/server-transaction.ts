/**
 * Server transactions, RFC 3261 §17.2 (INVITE: Figure 7 with the RFC 6026 Accepted state;
 * non-INVITE: Figure 8).
 */
import { createResponse, serializeMessage } from '../message/index.js';
import type { SipRequest, SipResponse } from '../message/types.js';
import { responseDestination } from '../transport/addressing.js';
import type { Destination, InboundInfo } from '../transport/types.js';
import { runTerminated, type TxEnv } from './env.js';
import type { ServerTransaction, ServerTxState, TerminationReason } from './types.js';

export class ServerTx implements ServerTransaction {
  state: ServerTxState;
  lastResponse: SipResponse | null = null;
  readonly method: string;
  readonly isInvite: boolean;
  private lastBytes: Buffer | null = null;
  get lastResponseBytes(): Buffer | null { return this.lastBytes; }
  private readonly dest: Destination;
  private readonly reliable: boolean;
  /** Timer G (INVITE non-2xx retransmit). */
  private retransmitTimer: NodeJS.Timeout | null = null;
  private retransmitInterval = 0;
  /** Timers H, I, J, L, or the pending-request guard. */
  private endTimer: NodeJS.Timeout | null = null;
  private terminatedCallbacks: Array<(r: TerminationReason) => void> = [];
  private reason: TerminationReason | null = null;
  /** True once the completed cache answers retransmissions for us. */
  private handedOff = false;

  constructor(
    private readonly env: TxEnv,
    readonly id: string,
    readonly request: SipRequest,
    readonly info: InboundInfo,
  ) {
    this.method = request.method;
    this.isInvite = request.method === 'INVITE';
    this.state = this.isInvite ? 'proceeding' : 'trying';
    this.reliable = info.protocol !== 'udp';
    this.dest = info.topVia ? responseDestination(info.topVia, info) : responseDestination(request, info);
  }

  /** Arms the guard against a core that never answers; sends 100 Trying for INVITE if asked. */
  start(autoTrying: boolean): void {
    this.endTimer = setTimeout(() => this.expirePending(), this.env.timers.pending);
    if (this.isInvite && autoTrying) this.transmit(createResponse(this.request, 100, 'Trying'));
  }

  private expirePending(): void {
    this.env.logger.warn({ tx: this.id, method: this.method }, 'core never answered request, dropping transaction');
    this.terminate('timeout');
  }

  respond(res: SipResponse): void {
    const final = res.status >= 200;
    const s = this.state;
    const allowed = s === 'trying' || s === 'proceeding' || (s === 'accepted' && res.status < 300 && final);
    if (!allowed) {
      this.env.logger.warn({ tx: this.id, state: s, status: res.status }, 'response ignored: transaction no longer accepts it');
      return;
    }
    this.transmit(res);
    if (!final) {
      this.state = 'proceeding';
      // A provisional from the core proves it is alive; INVITEs may then ring for as long as they like.
      if (this.isInvite) this.clearEndTimer();
      return;
    }
    this.clearEndTimer();
    const { timers } = this.env;
    if (this.isInvite && res.status < 300) {
      if (s === 'accepted') return;
      this.state = 'accepted';   // RFC 6026 Timer L: keep absorbing INVITE retransmissions
      this.endTimer = setTimeout(() => this.terminate('completed'), timers.long);
    } else if (this.isInvite) {
      this.state = 'completed';
      if (!this.reliable) {
        this.retransmitInterval = timers.t1;
        this.retransmitTimer = setTimeout(() => this.timerG(), this.retransmitInterval);
      }
      this.endTimer = setTimeout(() => this.ackTimeout(), timers.long);   // Timer H
    } else {
      this.state = 'completed';
      if (this.reliable) this.terminate('completed');   // Timer J = 0
      else this.handOff();
    }
  }

  /**
   * Timer J: only the response bytes are needed from now on, so the layer's completed cache
   * takes over and this object can be collected (unless someone waits for onTerminated).
   */
  private handOff(): void {
    this.handedOff = true;
    this.env.forget(this.id, 'server', this);
    this.env.completed.add(this.id, this.lastBytes!, this.dest, this.terminatedCallbacks.length > 0 ? this : null);
  }

  private timerG(): void {
    this.resend();
    this.retransmitInterval = Math.min(2 * this.retransmitInterval, this.env.timers.t2);
    this.retransmitTimer = setTimeout(() => this.timerG(), this.retransmitInterval);
  }

  private ackTimeout(): void {
    this.env.logger.info({ tx: this.id }, 'no ACK for non-2xx final response (Timer H)');
    this.terminate('ack-timeout');
  }

  /** A retransmission of the request arrived: re-send the last response (RFC 6026: not in Accepted). */
  onRetransmission(): void {
    if (this.state === 'proceeding' || this.state === 'completed') this.resend();
  }

  /** An ACK matched this INVITE transaction. Returns true if absorbed (ACK for our non-2xx). */
  onAck(): boolean {
    if (this.state === 'completed') {
      this.state = 'confirmed';
      this.clearRetransmit();
      this.clearEndTimer();
      if (this.reliable) this.terminate('completed');   // Timer I = 0
      else this.endTimer = setTimeout(() => this.terminate('completed'), this.env.timers.t4);
      return true;
    }
    return this.state === 'confirmed';
  }

  onTerminated(cb: (reason: TerminationReason) => void): () => void {
    if (this.reason) {
      runTerminated([cb], this.reason, this.env.logger);
      return () => undefined;
    }
    this.terminatedCallbacks.push(cb);
    if (this.handedOff && this.terminatedCallbacks.length === 1) this.env.completed.attach(this.id, this);
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
    this.env.forget(this.id, 'server', this);
    const cbs = this.terminatedCallbacks;
    this.terminatedCallbacks = [];
    runTerminated(cbs, reason, this.env.logger);
  }

  private transmit(res: SipResponse): void {
    this.lastResponse = res;
    this.lastBytes = serializeMessage(res);
    this.resend();
  }

  private resend(): void {
    if (!this.lastBytes) return;
    this.env.transport.send(this.lastBytes, this.dest).catch((err: Error) => {
      this.env.logger.warn({ tx: this.id, err: err.message }, 'sending response failed');
      this.terminate('transport-error');
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
}
