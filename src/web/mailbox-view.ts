/** How mailboxes, messages and their e-mail delivery are shown (pages and API alike). */
import type { Mailbox, OutboxEntry, Repositories, VoicemailMessage } from '../data/types.js';
import { outboxProblems } from '../pbx/voicemail/problems.js';

/** Never the PIN hash: only whether a PIN is set. */
export function publicMailbox(m: Mailbox) {
  const { pinHash, ...rest } = m;
  return { ...rest, pinSet: pinHash !== null };
}

export function publicOutbox(o: OutboxEntry) {
  return {
    recipient: o.recipient, status: o.status, attempts: o.attempts, lastError: o.lastError,
    sentAt: o.sentAt === null ? null : new Date(o.sentAt).toISOString(),
    nextAttemptAt: o.status === 'pending' ? new Date(o.nextAttemptAt).toISOString() : null,
  };
}

export function messageView(repos: Pick<Repositories, 'mailOutbox'>, m: VoicemailMessage) {
  return {
    id: m.id, box: m.box, callerNumber: m.callerNumber, callerName: m.callerName,
    receivedAt: new Date(m.receivedAt).toISOString(), durationS: Math.round(m.durationMs / 100) / 10,
    outbox: repos.mailOutbox.list({ messageId: m.id, limit: 50 }).map(publicOutbox),
  };
}

/** Voicemail e-mails that failed or wait too long, as the dashboard lists them. */
export function outboxProblemsView(repos: Pick<Repositories, 'mailOutbox' | 'voicemailMessages'>, now: number, box?: string) {
  return outboxProblems(repos, { now, limit: 200 })
    .filter((p) => box === undefined || p.box === box)
    .map((p) => ({
      box: p.box, callerNumber: p.callerNumber, recipient: p.recipient, kind: p.kind, attempts: p.attempts,
      lastError: p.lastError, createdAt: new Date(p.createdAt).toISOString(),
    }));
}
