/** Internal: what each transaction needs from its layer. */
import type { Logger } from '../../log.js';
import type { TransportLayer } from '../transport/types.js';
import type { ClientTx } from './client-transaction.js';
import type { CompletedCache } from './completed-cache.js';
import type { TerminationReason, TransactionTimers } from './types.js';

export interface ResolvedTimers {
  t1: number;
  t2: number;
  t4: number;
  /** 64·T1: Timers B, F, H, J, L, M. */
  long: number;
  timerD: number;
  pending: number;
}

export function resolveTimers(t: TransactionTimers): ResolvedTimers {
  for (const [name, v] of Object.entries(t)) {
    if (v !== undefined && (!Number.isFinite(v) || v <= 0)) throw new Error(`timer ${name} must be a positive number, got ${v}`);
  }
  const long = 64 * t.t1Ms;
  return {
    t1: t.t1Ms,
    t2: t.t2Ms,
    t4: t.t4Ms,
    long,
    timerD: t.timerDMs ?? (t.t1Ms >= 500 ? Math.max(long, 32_000) : long),
    pending: t.pendingRequestTimeoutMs ?? 128 * t.t1Ms,
  };
}

export interface TxEnv {
  transport: TransportLayer;
  timers: ResolvedTimers;
  logger: Logger;
  /** Called by a transaction when it terminates or hands off, so the layer forgets it (if still `tx`). */
  forget(key: string, kind: 'server' | 'client', tx: object): void;
  /** Compact store for completed non-INVITE server transactions over UDP. */
  completed: CompletedCache;
  /** Called by a client transaction when it starts sending (a queued CANCEL starts late). */
  trackClient(key: string, tx: ClientTx): void;
}

/** Runs termination callbacks, isolating the transaction from callers' bugs. */
export function runTerminated(cbs: Array<(r: TerminationReason) => void>, reason: TerminationReason, logger: Logger): void {
  for (const cb of cbs) {
    try {
      cb(reason);
    } catch (err) {
      logger.error({ err }, 'transaction onTerminated callback threw');
    }
  }
}
