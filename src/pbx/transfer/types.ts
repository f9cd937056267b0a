import type { Logger } from '../../log.js';
import type { MediaDestinations } from '../call/destinations.js';
import type { Dialler } from '../call/dial.js';
import type { Leg, Switchboard } from '../call/switchboard.js';

/** What a transfer records on the call records of the legs it touched. */
export interface TransferEvent {
  kind: 'transfer';
  type: 'blind' | 'attended';
  by: string;
  transferee: string;
  target: string;
  result: 'completed' | 'failed';
  status: number;
  /** Set when the target was voicemail or a queue (what the CDR shows for it). */
  destination?: { kind: string; [detail: string]: unknown };
}

export interface TransferDeps {
  switchboard: Switchboard;
  dialler: Dialler;
  logger: Logger;
  /** Records `event` on the CDR of each leg (deduplicated by record). */
  recordEvent(legs: Leg[], event: TransferEvent): void;
  /** Voicemail and queues as transfer targets (blind) and Replaces holders (attended). */
  destinations?: MediaDestinations;
}
