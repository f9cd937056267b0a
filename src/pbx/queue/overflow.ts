/**
 * Where a queue caller goes when the queue gives up: after the maximum wait (the answered
 * caller: another queue keeps the music playing, voicemail gets the leg, an extension is rung
 * like an agent), or at once when no agent can take calls (voicemail or another queue get the
 * call still unanswered). Queue-to-queue hops are bounded and never revisit a queue.
 */
import type { Logger } from '../../log.js';
import type { Queue, QueueRepository } from '../../data/queue-types.js';
import type { CallDisposition } from '../../data/types.js';
import type { Arrival, DestinationContext, MediaDestination, TakeResult } from '../call/destinations.js';
import { asTwoWayOffer } from '../call/sdp.js';
import type { SrfDialog } from '../call/srf-call-types.js';
import type { QueueEvent } from './types.js';
import type { WaitingCaller } from './waiting-caller.js';

/** Queue-to-queue overflows one call may take (a → b → c …); the repository forbids a → a. */
export const MAX_QUEUE_HOPS = 5;

/** What overflow needs from the queue service. */
export interface OverflowScope {
  logger: Logger;
  queues: QueueRepository;
  voicemail: MediaDestination | undefined;
  emit(event: QueueEvent): void;
  clearTimers(w: WaitingCaller): void;
  remove(w: WaitingCaller): void;
  dispatch(queue: string): void;
  hangUp(w: WaitingCaller, why: string, disposition?: CallDisposition): void;
  enter(w: WaitingCaller, q: Queue): void;
  dropQueueMedia(w: WaitingCaller): void;
  connect(w: WaitingCaller, dialog: SrfDialog, party: string, agentOf: string | null): Promise<void>;
  takeInto(arrival: Arrival, ctx: DestinationContext, visited: string[]): Promise<TakeResult>;
}

export async function overflowWaiting(s: OverflowScope, w: WaitingCaller, q: Queue, reason: 'max-wait' | 'no-agents'): Promise<void> {
  if (w.phase === 'leaving' && reason === 'max-wait') return;
  w.phase = 'leaving';
  w.ringing?.abort();
  s.clearTimers(w);
  s.remove(w);
  const o = q.overflow;
  const to = o.kind === 'voicemail' ? `voicemail ${o.box}` : `${o.kind} ${o.number}`;
  s.logger.info({ queue: q.number, caller: w.ctx.caller.number, reason }, `queue ${q.number}: ${w.ctx.caller.number} overflows to ${to} (${reason})`);
  s.emit({ kind: 'overflow', queue: q.number, caller: w.ctx.caller.number, to, reason });
  s.dispatch(q.number);
  if (w.leg.gone) return;
  switch (o.kind) {
    case 'queue': {
      const next = s.queues.get(o.number);
      if (next === undefined || w.visited.includes(o.number) || w.visited.length >= MAX_QUEUE_HOPS) {
        s.hangUp(w, next === undefined ? `overflow queue ${o.number} does not exist` : `queue overflow loop (${[...w.visited, o.number].join(' → ')})`);
        return;
      }
      s.enter(w, next);
      return;
    }
    case 'voicemail': {
      const voicemail = s.voicemail;
      if (voicemail === undefined) {
        s.hangUp(w, 'voicemail is not available');
        return;
      }
      s.dropQueueMedia(w);
      let result: TakeResult;
      try {
        result = await voicemail.take({ kind: 'leg', leg: w.leg }, {
          ...w.ctx, step: { kind: 'voicemail', box: o.box, cause: 'no-answer', path: [...w.ctx.step.path, o.box] },
        });
      } catch (err) {
        s.logger.error({ err }, `queue ${q.number}: voicemail ${o.box} crashed taking the call`);
        result = { kind: 'refused', status: 500, reason: 'voicemail failed' };
      }
      if (result.kind === 'refused' && !w.leg.gone) {
        s.logger.warn({ status: result.status }, `queue ${q.number}: voicemail ${o.box} refused the call (${result.reason}); hanging up`);
        w.ctx.switchboard.outcomes.endsAs(w.ctx.callRecordId, 'failed');
        w.ctx.switchboard.release(w.leg);
      }
      return;
    }
    case 'extension': {
      // The caller keeps hearing music while the extension (with its own forwarding) rings.
      const end = await w.ctx.dialler.dial({
        dialled: o.number, sdp: asTwoWayOffer(w.leg.dialog.remote.sdp), caller: w.ctx.caller, signal: w.hangup.signal, logger: s.logger,
      });
      if (end.kind === 'answered') {
        if (!w.leg.gone && w.leg.dialog.connected) await s.connect(w, end.dialog, end.step.extension, null);
        else void end.dialog.destroy().catch(() => undefined);
        return;
      }
      // The overflow extension's own result (busy, no-answer…); a caller who gave up meanwhile abandoned.
      const disposition = end.kind !== 'ended' ? 'failed' : end.disposition === 'cancelled' ? 'abandoned' : end.disposition;
      s.hangUp(w, `overflow extension ${o.number} did not take the call (${end.kind === 'ended' ? end.reason : 'media destination'})`, disposition);
      return;
    }
  }
}

/** Nobody can take calls: voicemail or another queue get the call as it came, unanswered. */
export async function overflowArrival(s: OverflowScope, arrival: Arrival, ctx: DestinationContext, q: Queue, visited: string[]): Promise<TakeResult | null> {
  const o = q.overflow;
  const to = o.kind === 'voicemail' ? `voicemail ${o.box}` : `${o.kind} ${o.number}`;
  if (o.kind === 'extension') return null;
  s.logger.info({ queue: q.number, caller: ctx.caller.number }, `queue ${q.number}: no agent can take calls; ${ctx.caller.number} goes to ${to}`);
  s.emit({ kind: 'overflow', queue: q.number, caller: ctx.caller.number, to, reason: 'no-agents' });
  if (o.kind === 'voicemail') {
    if (s.voicemail === undefined) return { kind: 'refused', status: 480, reason: `queue ${q.number} has no free agent and voicemail is not available` };
    return s.voicemail.take(arrival, { ...ctx, step: { kind: 'voicemail', box: o.box, cause: 'unavailable', path: [...ctx.step.path, o.box] } });
  }
  if (visited.includes(o.number) || visited.length >= MAX_QUEUE_HOPS) {
    return { kind: 'refused', status: 482, reason: `queue overflow loop (${[...visited, o.number].join(' → ')})` };
  }
  return s.takeInto(arrival, { ...ctx, step: { kind: 'queue', number: o.number, cause: 'unavailable', path: [...ctx.step.path, o.number] } }, visited);
}
