/**
 * Ringing one extension: an INVITE to every live binding at once (parallel fork). The first
 * 200 wins and the other legs are CANCELled (or, if their 200 raced in, hung up). Ringing
 * ends as a value, never an exception: answered (with the dialog), busy, no-answer (the ring
 * timer), unavailable (nothing registered), failed, or cancelled (the caller gave up).
 */
import type { Logger } from '../../log.js';
import type { ReachableContact } from '../registrar/contacts.js';
import type { CallSrf, SentInvite, SipResponseLike, SrfDialog } from './srf-call-types.js';

export type RingResult =
  | { kind: 'answered'; dialog: SrfDialog }
  | { kind: 'busy'; status: number }
  | { kind: 'no-answer' }
  | { kind: 'unavailable' }
  | { kind: 'failed'; status: number }
  | { kind: 'cancelled' };

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface RingRequest {
  contacts: ReachableContact[];
  /** The caller's SDP offer, passed unchanged so media flows phone to phone. */
  sdp: string;
  caller: { number: string; displayName?: string };
  timeoutMs: number;
  /** 180/183 from any leg, for relaying ringback to the caller. */
  onProvisional?: (res: SipResponseLike) => void;
  /** Aborting (the caller's CANCEL) cancels every leg. */
  signal?: AbortSignal;
}

/** 486 Busy Here and 600 Busy Everywhere mean busy; 603 Decline too (the user pressed "reject"). */
export function outcomeOfStatus(status: number): RingResult {
  if (status === 486 || status === 600 || status === 603) return { kind: 'busy', status };
  if (status === 408 || status === 480) return { kind: 'no-answer' };
  return { kind: 'failed', status };
}

interface ForkLeg {
  contact: ReachableContact;
  sent?: SentInvite;
  cancelWhenSent: boolean;
  settled: boolean;
}

export function ringContacts(srf: CallSrf, request: RingRequest, logger: Logger, timers: Timers = realTimers): Promise<RingResult> {
  const { contacts, signal } = request;
  if (contacts.length === 0) return Promise.resolve({ kind: 'unavailable' });
  if (signal?.aborted === true) return Promise.resolve({ kind: 'cancelled' });

  return new Promise<RingResult>((resolve) => {
    let done = false;
    const legs: ForkLeg[] = contacts.map((contact) => ({ contact, cancelWhenSent: false, settled: false }));
    const failures: number[] = [];

    const cancelOthers = (except?: ForkLeg): void => {
      for (const leg of legs) {
        if (leg === except || leg.settled) continue;
        if (leg.sent === undefined) leg.cancelWhenSent = true;
        else {
          try { leg.sent.cancel(); } catch (err) { logger.debug({ err }, 'CANCEL of a forked leg failed'); }
        }
      }
    };
    const finish = (result: RingResult, winner?: ForkLeg): void => {
      if (done) return;
      done = true;
      timers.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      cancelOthers(winner);
      resolve(result);
    };
    const onAbort = (): void => finish({ kind: 'cancelled' });
    signal?.addEventListener('abort', onAbort);
    const timer = timers.setTimeout(() => finish({ kind: 'no-answer' }), request.timeoutMs);

    for (const leg of legs) {
      srf.createUAC(leg.contact.uri, {
        localSdp: request.sdp,
        proxy: leg.contact.proxy,
        callingNumber: request.caller.number,
        ...(request.caller.displayName ? { callingName: request.caller.displayName } : {}),
      }, {
        cbRequest: (err, sent) => {
          if (err || sent === undefined) return;
          leg.sent = sent;
          if (leg.cancelWhenSent && !leg.settled) {
            try { sent.cancel(); } catch { /* the leg ended meanwhile */ }
          }
        },
        cbProvisional: (res) => { if (!done) request.onProvisional?.(res); },
      }).then((dialog) => {
        leg.settled = true;
        if (done) {
          // Lost the race to another leg (or to the caller's CANCEL): hang this one up.
          void dialog.destroy().catch(() => undefined);
          return;
        }
        finish({ kind: 'answered', dialog }, leg);
      }, (err: { status?: number; message?: string }) => {
        leg.settled = true;
        const status = typeof err?.status === 'number' ? err.status : 500;
        if (!done) logger.debug({ contact: leg.contact.uri, status }, `leg to ${leg.contact.uri} ended with ${status}`);
        failures.push(status);
        if (!done && legs.every((l) => l.settled)) finish(combineFailures(failures));
      });
    }
  });
}

/** All legs failed: busy if any phone said busy, else no-answer if any timed out, else failed. */
function combineFailures(statuses: number[]): RingResult {
  const outcomes = statuses.map(outcomeOfStatus);
  return outcomes.find((o) => o.kind === 'busy')
    ?? outcomes.find((o) => o.kind === 'no-answer')
    ?? outcomes[0]
    ?? { kind: 'failed', status: 500 };
}
