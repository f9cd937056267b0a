import type { Db } from '../db.js';
import type { MailOutboxRepository, OutboxEntry, OutboxFilter, OutboxStatus } from '../voicemail-types.js';
import { NotFoundError } from '../../errors.js';
import { checkEmail } from '../validate.js';
import { mapConstraintError } from '../sqlite-errors.js';

interface OutboxRow {
  id: number; message_id: number; recipient: string; status: OutboxStatus; attempts: number;
  next_attempt_at: number; last_error: string | null; created_at: number; sent_at: number | null;
}

/** SMTP replies can be long; the table keeps what an operator needs to see. */
const MAX_ERROR_LENGTH = 500;

const toEntry = (r: OutboxRow): OutboxEntry => ({
  id: r.id, messageId: r.message_id, recipient: r.recipient, status: r.status, attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at, lastError: r.last_error, createdAt: r.created_at, sentAt: r.sent_at,
});

const clip = (error: string) => (error.length > MAX_ERROR_LENGTH ? `${error.slice(0, MAX_ERROR_LENGTH - 1)}…` : error);

export function createMailOutboxRepository(db: Db): MailOutboxRepository {
  const insert = db.prepare(
    `INSERT INTO mail_outbox (message_id, recipient, status, attempts, next_attempt_at, created_at)
     VALUES (?, ?, 'pending', 0, ?, ?)`,
  );
  const byId = db.prepare<[number], OutboxRow>('SELECT * FROM mail_outbox WHERE id = ?');
  const dueRows = db.prepare<[number, number], OutboxRow>(
    `SELECT * FROM mail_outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
  );
  const nextDue = db.prepare<[], { at: number | null }>(`SELECT MIN(next_attempt_at) AS at FROM mail_outbox WHERE status = 'pending'`);
  const begin = db.prepare(`UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ? AND status = 'pending'`);
  const sent = db.prepare(`UPDATE mail_outbox SET status = 'sent', sent_at = ?, last_error = NULL WHERE id = ?`);
  const again = db.prepare(`UPDATE mail_outbox SET last_error = ?, next_attempt_at = ? WHERE id = ? AND status = 'pending'`);
  const failed = db.prepare(`UPDATE mail_outbox SET status = 'failed', last_error = ? WHERE id = ? AND status = 'pending'`);
  const retryOne = db.prepare(
    `UPDATE mail_outbox SET status = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ? AND status <> 'sent'`,
  );
  const retryAll = db.prepare(`UPDATE mail_outbox SET status = 'pending', attempts = 0, next_attempt_at = ? WHERE status <> 'sent'`);
  const undelivered = db.prepare<[string], { n: number }>(
    `SELECT COUNT(*) AS n FROM mail_outbox o JOIN voicemail_messages m ON m.id = o.message_id
     WHERE m.box = ? AND o.status <> 'sent'`,
  );

  return {
    enqueue(messageId, recipient, at) {
      const email = checkEmail(recipient, 'recipient');
      try {
        return toEntry(byId.get(Number(insert.run(messageId, email, at, at).lastInsertRowid))!);
      } catch (err) {
        throw mapConstraintError(err, `outbox row for message ${messageId} to ${email}`);
      }
    },
    get(id) {
      const r = byId.get(id);
      return r ? toEntry(r) : undefined;
    },
    list(filter: OutboxFilter = {}) {
      const where: string[] = [];
      const args: Array<string | number> = [];
      if (filter.statuses?.length) {
        where.push(`status IN (${filter.statuses.map(() => '?').join(', ')})`);
        args.push(...filter.statuses);
      }
      if (filter.messageId !== undefined) {
        where.push('message_id = ?');
        args.push(filter.messageId);
      }
      const limit = Math.max(1, Math.min(filter.limit ?? 1000, 10_000));
      const sql = `SELECT * FROM mail_outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ${limit}`;
      return db.prepare<Array<string | number>, OutboxRow>(sql).all(...args).map(toEntry);
    },
    due: (now, limit) => dueRows.all(now, limit).map(toEntry),
    nextDueAt: () => nextDue.get()?.at ?? null,
    beginAttempt(id, retryAt) {
      if (begin.run(retryAt, id).changes === 0) throw new NotFoundError(`outbox row ${id} is not pending`, 'id');
      return toEntry(byId.get(id)!);
    },
    markSent(id, at) {
      sent.run(at, id);
    },
    markRetry(id, error, retryAt) {
      again.run(clip(error), retryAt, id);
    },
    markFailed(id, error) {
      failed.run(clip(error), id);
    },
    retry: (id, now) => (id === 'all' ? retryAll.run(now).changes : retryOne.run(now, id).changes),
    undeliveredForBox: (box) => undelivered.get(box)!.n,
  };
}
