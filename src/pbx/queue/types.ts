/** The queue service's contract: dependencies, events and the live state the web UI reads. */
import type { Logger } from '../../log.js';
import type { QueueRepository, QueueStrategy } from '../../data/queue-types.js';
import type { MediaEngine } from '../../media/index.js';
import type { MediaDestination } from '../call/destinations.js';
import type { Timers } from '../call/fork.js';
import type { CallSrf } from '../call/srf-call-types.js';
import type { Leg } from '../call/switchboard.js';
import type { FindContacts } from '../registrar/contacts.js';

export interface QueueTiming {
  /** Milliseconds one configured second lasts (ring timeout, wrap-up, max wait, announcements): 1000 in service, less in tests. */
  secondMs?: number;
  /** How often waiting callers look for a free agent again (registrations, wrap-up ends), ms. */
  retryMs?: number;
}

export interface QueueServiceDeps {
  srf: CallSrf;
  engine: MediaEngine;
  queues: QueueRepository;
  findContacts: FindContacts;
  logger: Logger;
  /** Overflow to a voicemail box hands the answered caller to this destination. */
  voicemail?: MediaDestination;
  /** Agents on a call that did not come from a queue (optional; 486 from the phone is honoured anyway). */
  isBusy?: (extension: string) => boolean;
  /** Directory with moh.wav and <language>/queue-*.wav, digits/N.wav (default: the bundled assets/prompts). */
  promptsDir?: string;
  timing?: QueueTiming;
  clock?: () => number;
  timers?: Timers;
  /** Every notable step of a queued call (logs are written anyway): tests and live dashboards. */
  onEvent?: (event: QueueEvent) => void;
}

export type QueueEvent =
  | { kind: 'joined'; queue: string; caller: string; position: number }
  | { kind: 'ringing'; queue: string; caller: string; agents: string[] }
  | { kind: 'agent-outcome'; queue: string; caller: string; agent: string; outcome: string }
  | { kind: 'connected'; queue: string; caller: string; agent: string }
  | { kind: 'dtmf'; queue: string; caller: string; digit: string }
  | { kind: 'announced'; queue: string; caller: string; position: number }
  | { kind: 'overflow'; queue: string; caller: string; to: string; reason: 'max-wait' | 'no-agents' }
  | { kind: 'abandoned'; queue: string; caller: string; waitedMs: number }
  | { kind: 'replaced'; queue: string; caller: string; by: string }
  | { kind: 'agent-free'; queue: string; agent: string };

export type AgentState = 'idle' | 'ringing' | 'busy' | 'paused' | 'wrap-up' | 'offline';

export interface QueueLiveState {
  number: string;
  name: string;
  strategy: QueueStrategy;
  waiting: Array<{ caller: string; displayName?: string; since: number; waitedMs: number; ringing: boolean }>;
  longestWaitMs: number;
  /** The same in whole seconds (what the admin page shows). */
  longestWaitS: number;
  agents: Array<{ extension: string; state: AgentState; callsTaken: number; lastCallEndedAt: number | null }>;
}

export interface QueueService {
  destination: MediaDestination;
  /** Attended transfer whose Replaces names a caller waiting in a queue: `newcomer` takes that caller's place. */
  replace(callId: string, tags: string[], newcomer: Leg): Promise<boolean>;
  liveState(): QueueLiveState[];
  /** Pauses `extension` in `queue`, or in all its queues; returns the queues changed. */
  pause(extension: string, queue?: string): string[];
  resume(extension: string, queue?: string): string[];
  /** Callers waiting right now (all queues). */
  waitingCount(): number;
  /** Hangs up every waiting caller and clears every timer. */
  stop(): void;
}
