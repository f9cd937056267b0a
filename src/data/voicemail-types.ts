/** Voicemail records and repository contracts (implemented in repositories/{mailboxes,voicemail-messages,mail-outbox}.ts). */

export type MailboxLanguage = 'pl' | 'en';

export interface Mailbox {
  box: string;                  // 2–6 digits: an extension's number or a department's own number
  name: string;
  language: MailboxLanguage;
  /** scrypt hash of the PIN (src/pbx/voicemail/pin.ts); null = no PIN set. */
  pinHash: string | null;
  emails: string[];
  /** The extension this mailbox belongs to; null for a department mailbox. */
  extension: string | null;
  /** Greeting WAV relative to dataDir; null = the default prompt. */
  greetingFile: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewMailbox {
  box: string;
  name: string;
  language?: MailboxLanguage;
  pinHash?: string | null;
  emails?: string[];
  extension?: string | null;
}

export type MailboxPatch = Partial<Omit<NewMailbox, 'box'>> & { greetingFile?: string | null };

export interface MailboxRepository {
  add(m: NewMailbox): Mailbox;                      // ConflictError if the box exists
  get(box: string): Mailbox | undefined;
  list(): Mailbox[];
  update(box: string, patch: MailboxPatch): Mailbox; // NotFoundError
  remove(box: string): boolean;
}

export interface VoicemailMessage {
  id: number;
  box: string;
  /** WAV path relative to dataDir. */
  file: string;
  callerNumber: string;
  callerName: string | null;
  receivedAt: number;           // epoch ms
  durationMs: number;
  createdAt: number;
  /** When its owner heard it by phone (epoch ms); null = new. */
  heardAt?: number | null;
}

export type NewVoicemailMessage = Omit<VoicemailMessage, 'id' | 'heardAt'>;

/** What message-waiting indication (MWI) reports for a mailbox. */
export interface MessageCounts {
  new: number;
  old: number;
}

export interface VoicemailMessageRepository {
  add(m: NewVoicemailMessage): VoicemailMessage;
  get(id: number): VoicemailMessage | undefined;
  listForBox(box: string, limit?: number): VoicemailMessage[];
  /** Messages received before `before` whose every outbox row is sent (safe to delete). */
  deliveredBefore(before: number): VoicemailMessage[];
  remove(id: number): boolean;
  /** Messages not heard by phone yet, oldest first (the order they are played). */
  listNew(box: string, limit?: number): VoicemailMessage[];
  markHeard(id: number, at: number): boolean;
  counts(box: string): MessageCounts;
  /** True while any recipient's e-mail of the message is still pending (deleting it would lose the mail). */
  mailPending(id: number): boolean;
}

/** pending: waiting for (another) attempt; sent: the recipient's server accepted it; failed: permanent. */
export type OutboxStatus = 'pending' | 'sent' | 'failed';

export interface OutboxEntry {
  id: number;
  messageId: number;
  recipient: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: number;        // epoch ms
  lastError: string | null;
  createdAt: number;
  sentAt: number | null;
}

export interface OutboxFilter {
  statuses?: OutboxStatus[];
  messageId?: number;
  limit?: number;
}

export interface MailOutboxRepository {
  /** One row per recipient; a second enqueue of the same (message, recipient) is a ConflictError. */
  enqueue(messageId: number, recipient: string, at: number): OutboxEntry;
  get(id: number): OutboxEntry | undefined;
  list(filter?: OutboxFilter): OutboxEntry[];
  /** Pending rows whose next attempt is due at `now`, oldest first. */
  due(now: number, limit: number): OutboxEntry[];
  /** The earliest next_attempt_at of any pending row, or null when nothing is pending. */
  nextDueAt(): number | null;
  /**
   * Counts an attempt before it is made and pushes the next attempt to `retryAt`, so a crash
   * mid-send leaves a row that is retried later rather than lost or hammered.
   */
  beginAttempt(id: number, retryAt: number): OutboxEntry;
  markSent(id: number, at: number): void;
  /** Temporary failure: stays pending until `retryAt`. */
  markRetry(id: number, error: string, retryAt: number): void;
  markFailed(id: number, error: string): void;
  /** Failed or pending rows back to pending, due at `now`, attempts reset; returns how many. */
  retry(id: number | 'all', now: number): number;
  /** Rows of a mailbox's messages that are not sent yet (pending or failed). */
  undeliveredForBox(box: string): number;
}
