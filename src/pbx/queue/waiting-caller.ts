/** One caller waiting in a queue: the small per-call object the queue service runs. */
import type { MediaEndpoint } from '../../media/index.js';
import type { DestinationContext } from '../call/destinations.js';
import type { Leg } from '../call/switchboard.js';
import type { HoldMusic } from './hold-music.js';

export type Phase = 'waiting' | 'ringing' | 'leaving';

export interface WaitingCaller {
  queue: string;
  /** Queues this call has been in, first to current (overflow loop guard). */
  visited: string[];
  ctx: DestinationContext;
  leg: Leg;
  endpoint: MediaEndpoint;
  music: HoldMusic;
  since: number;
  enteredQueueAt: number;
  phase: Phase;
  /** The current ring attempt; a newer attempt replaces it (see service.ts ring()). */
  ringing: AbortController | null;
  /** Ends the overflow dial to an extension when the caller hangs up. */
  hangup: AbortController;
  /** Agents rung without an answer this round (sequential strategies). */
  tried: Set<string>;
  nextRingAt: number;
  timers: unknown[];
  digits: string;
}
