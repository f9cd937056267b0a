/** Call queue records and the repository contract (implemented in repositories/queues.ts). */

export type QueueStrategy = 'ring-all' | 'round-robin' | 'least-recent' | 'fewest-calls';
export const QUEUE_STRATEGIES: readonly QueueStrategy[] = ['ring-all', 'round-robin', 'least-recent', 'fewest-calls'];

export type QueueLanguage = 'pl' | 'en';

/** Where a caller goes after the maximum wait, or at once when no agent can take calls. */
export type QueueOverflow =
  | { kind: 'voicemail'; box: string }
  | { kind: 'extension'; number: string }
  | { kind: 'queue'; number: string };

export interface QueueMember {
  extension: string;
  /** 1-based position in the queue's member list. */
  order: number;
  paused: boolean;
  /** Epoch ms the agent's last queue call ended; null = never. */
  lastCallEndedAt: number | null;
  callsTaken: number;
}

export interface Queue {
  number: string;
  name: string;
  strategy: QueueStrategy;
  ringTimeoutS: number;
  wrapUpS: number;
  maxWaitS: number;
  /** Seconds between "your position is N" announcements; null = off. */
  announcePositionS: number | null;
  language: QueueLanguage;
  overflow: QueueOverflow;
  /** In order. */
  members: QueueMember[];
  createdAt: string;
  updatedAt: string;
}

export interface NewQueue {
  number: string;
  name?: string;
  strategy?: QueueStrategy;
  ringTimeoutS?: number;
  wrapUpS?: number;
  maxWaitS?: number;
  announcePositionS?: number | null;
  language?: QueueLanguage;
  /** A destination, or text: "500" / "voicemail:500", "extension:101", "queue:31". */
  overflow: QueueOverflow | string;
  /** Extension numbers in order. */
  members?: string[];
}

export type QueuePatch = Partial<Omit<NewQueue, 'number' | 'members'>>;

export const QUEUE_DEFAULTS = Object.freeze({
  strategy: 'ring-all' as QueueStrategy,
  ringTimeoutS: 15,
  wrapUpS: 5,
  maxWaitS: 60,
  announcePositionS: null as number | null,
  language: 'pl' as QueueLanguage,
});

export interface QueueRepository {
  /** ValidationError (bad field, unknown member, number taken by an extension/mailbox/entry number), ConflictError. */
  add(q: NewQueue): Queue;
  get(number: string): Queue | undefined;
  list(): Queue[];
  update(number: string, patch: QueuePatch): Queue;   // NotFoundError
  remove(number: string): boolean;
  /** Appends (or moves to `order`, 1-based) an extension; ValidationError for an unknown extension. */
  addMember(queue: string, extension: string, order?: number): Queue;
  removeMember(queue: string, extension: string): boolean;
  /** Pauses/resumes an agent in one queue, or in all its queues; returns the queues changed. */
  setPaused(extension: string, paused: boolean, queue?: string): string[];
  /** The queues `extension` is a member of. */
  queuesOf(extension: string): string[];
  /** Statistics for least-recent / fewest-calls. Unknown pairs are ignored (the member was removed meanwhile). */
  recordCallTaken(queue: string, extension: string): void;
  recordCallEnded(queue: string, extension: string, at: number): void;
}
