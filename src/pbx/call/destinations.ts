/**
 * The seam between call handling and destinations that answer with media (voicemail, queues).
 * Call handling decides WHEN a call reaches one (a router step, a blind transfer, an attended
 * transfer naming a call a destination holds); the destination decides what happens to it.
 */
import type { Logger } from '../../log.js';
import type { CallStep } from '../rules/plan.js';
import type { Dialler } from './dial.js';
import type { IncomingRequest, ResponseSender } from './srf-call-types.js';
import type { Leg, Switchboard } from './switchboard.js';

export type MediaStep = Extract<CallStep, { kind: 'queue' | 'voicemail' }>;

/** How the call reaches a media destination: a new INVITE not answered yet, or an answered leg (blind transfer to a queue/voicemail). */
export type Arrival =
  | { kind: 'invite'; req: IncomingRequest; res: ResponseSender; hangup: AbortSignal }
  | { kind: 'leg'; leg: Leg };

export interface DestinationContext {
  caller: { number: string; displayName?: string };
  step: MediaStep;
  callRecordId: number | undefined;
  logger: Logger;
  switchboard: Switchboard;
  dialler: Dialler;
}

export type TakeResult = { kind: 'taken' } | { kind: 'refused'; status: number; reason: string };

export interface MediaDestination {
  /**
   * Answers or refuses. Once it has taken the call, the destination tells the call record when
   * someone answered and how the call ends (ctx.switchboard.outcomes); call handling does not.
   */
  take(arrival: Arrival, ctx: DestinationContext): Promise<TakeResult>;
}

export interface MediaDestinations {
  voicemail?: MediaDestination;
  queue?: MediaDestination;
  /** Attended transfer whose Replaces names a call a media destination holds (e.g. the transferor's call into a queue). */
  replace?(callId: string, tags: string[], newcomer: Leg): Promise<boolean>;
}

/** The destination that takes `step`, if call handling has one. */
export function destinationFor(destinations: MediaDestinations | undefined, step: MediaStep): MediaDestination | undefined {
  return step.kind === 'voicemail' ? destinations?.voicemail : destinations?.queue;
}
