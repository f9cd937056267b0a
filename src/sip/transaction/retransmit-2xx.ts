/**
 * The UAS core's 2xx-to-INVITE retransmission (RFC 3261 §13.3.1.4): the INVITE server
 * transaction is gone once it sent the 2xx, so the core re-sends it until the ACK arrives.
 */
import { getHeader, parseCSeq, serializeMessage } from '../message/index.js';
import type { SipResponse } from '../message/types.js';
import type { Destination } from '../transport/types.js';
import type { TxEnv } from './env.js';
import type { Retransmit2xxHandle, Retransmit2xxOptions } from './types.js';

interface Pending {
  retransmitTimer: NodeJS.Timeout | null;
  timeoutTimer: NodeJS.Timeout;
}

export interface Retransmitter2xx {
  start(response: SipResponse, dest: Destination, opts: Retransmit2xxOptions): Retransmit2xxHandle;
  ackReceived(callId: string, cseq: number): boolean;
  count(): number;
  stopAll(): void;
}

const ackKey = (callId: string, cseq: number) => `${callId} ${cseq}`;

export function createRetransmitter2xx(env: Omit<TxEnv, 'forget'>): Retransmitter2xx {
  const pending = new Map<string, Pending>();

  function stopKey(key: string, entry: Pending): void {
    if (pending.get(key) !== entry) return;
    pending.delete(key);
    if (entry.retransmitTimer) clearTimeout(entry.retransmitTimer);
    clearTimeout(entry.timeoutTimer);
  }

  function start(response: SipResponse, dest: Destination, opts: Retransmit2xxOptions): Retransmit2xxHandle {
    const callId = getHeader(response, 'Call-ID');
    const cseqText = getHeader(response, 'CSeq');
    const cseq = cseqText === undefined ? null : parseCSeq(cseqText);
    if (callId === undefined || !cseq) throw new Error('2xx retransmission needs a response with Call-ID and CSeq');
    const key = ackKey(callId, cseq.seq);
    const previous = pending.get(key);
    if (previous) stopKey(key, previous);

    const bytes = serializeMessage(response);
    const { t1, t2, long } = env.timers;
    let interval = t1;
    const entry: Pending = {
      retransmitTimer: null,
      timeoutTimer: setTimeout(() => {
        stopKey(key, entry);
        env.logger.info({ callId, cseq: cseq.seq }, 'no ACK for 2xx within 64*T1');
        try {
          opts.onAckTimeout();
        } catch (err) {
          env.logger.error({ err }, 'onAckTimeout handler threw');
        }
      }, long),
    };
    const retransmit = () => {
      env.transport.send(bytes, dest).catch((err: Error) => {
        env.logger.debug({ callId, err: err.message }, '2xx retransmission failed');
      });
      interval = Math.min(2 * interval, t2);
      entry.retransmitTimer = setTimeout(retransmit, interval);
    };
    // Reliable transports deliver the first copy; only the ACK timeout applies (§13.3.1.4).
    if (dest.protocol === 'udp') entry.retransmitTimer = setTimeout(retransmit, interval);
    pending.set(key, entry);
    return { stop: () => stopKey(key, entry) };
  }

  function ackReceived(callId: string, cseq: number): boolean {
    const key = ackKey(callId, cseq);
    const entry = pending.get(key);
    if (!entry) return false;
    stopKey(key, entry);
    return true;
  }

  function stopAll(): void {
    for (const [key, entry] of [...pending]) stopKey(key, entry);
  }

  return { start, ackReceived, count: () => pending.size, stopAll };
}
