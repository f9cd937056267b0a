/**
 * The PBX's routing vocabulary: where a call can go, the per-extension forwarding rules, and
 * the read interfaces the rules use. src/data/ implements the stores; nothing here touches
 * SQLite or SIP.
 */
import type { Schedule } from './rules/schedule.js';

/** Where a call (or a forward) goes. */
export type Destination =
  | { kind: 'extension'; number: string }
  | { kind: 'queue'; number: string }
  | { kind: 'voicemail'; box: string }
  | { kind: 'hangup' };

/** The conditions a forward can apply to; the keys of ForwardingRules. */
export type ForwardCondition = 'always' | 'busy' | 'noAnswer' | 'unavailable';

/**
 * One extension's forwarding. `always` skips ringing the extension at all; the others apply to
 * the outcome of ringing it: busy (486), no answer within `after` seconds, unavailable (no
 * registered binding, or the phone could not take the call).
 */
export interface ForwardingRules {
  always?: Destination;
  busy?: Destination;
  noAnswer?: { after: number; to: Destination };
  unavailable?: Destination;
}

/** Reads (and, for star codes, writes) per-extension forwarding. Implemented by src/data/. */
export interface ForwardingStore {
  /** undefined or {} = no forwarding. */
  getForwarding(extension: string): ForwardingRules | undefined;
  setForwarding(extension: string, rules: ForwardingRules): void;
}

/**
 * An entry number (e.g. the office's main number) routed by business hours: in hours to one
 * destination, after hours (and on holidays) to another.
 */
export interface EntryNumber {
  number: string;
  schedule: Schedule;
  inHours: Destination;
  afterHours: Destination;
}

export interface ScheduleStore {
  getEntry(number: string): EntryNumber | undefined;
}

/** What exists in the numbering plan. */
export interface DirectoryLookup {
  isExtension(number: string): boolean;
  isQueue(number: string): boolean;
  isMailbox(box: string): boolean;
}
