import type { Db } from '../db.js';
import type { NewVoicemailMessage, VoicemailMessage, VoicemailMessageRepository } from '../voicemail-types.js';
import { ValidationError } from '../../errors.js';
import { mapConstraintError } from '../sqlite-errors.js';

interface MessageRow {
  id: number; box: string; file: string; caller_number: string; caller_name: string | null;
  received_at: number; duration_ms: number; created_at: number; heard_at: number | null;
}

const toMessage = (r: MessageRow): VoicemailMessage => ({
  id: r.id, box: r.box, file: r.file, callerNumber: r.caller_number, callerName: r.caller_name,
  receivedAt: r.received_at, durationMs: r.duration_ms, createdAt: r.created_at, heardAt: r.heard_at ?? null,
});

function checkMillis(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ValidationError(`${field} ${JSON.stringify(value)} is not a non-negative number of milliseconds`, field);
  }
  return Math.round(value);
}

export function createVoicemailMessageRepository(db: Db): VoicemailMessageRepository {
  const insert = db.prepare(
    `INSERT INTO voicemail_messages (box, file, caller_number, caller_name, received_at, duration_ms, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const byId = db.prepare<[number], MessageRow>('SELECT * FROM voicemail_messages WHERE id = ?');
  const forBox = db.prepare<[string, number], MessageRow>(
    'SELECT * FROM voicemail_messages WHERE box = ? ORDER BY received_at DESC, id DESC LIMIT ?',
  );
  const delivered = db.prepare<[number], MessageRow>(
    `SELECT m.* FROM voicemail_messages m WHERE m.received_at < ?
       AND NOT EXISTS (SELECT 1 FROM mail_outbox o WHERE o.message_id = m.id AND o.status <> 'sent')
     ORDER BY m.id`,
  );
  const deleteOne = db.prepare('DELETE FROM voicemail_messages WHERE id = ?');
  const newForBox = db.prepare<[string, number], MessageRow>(
    'SELECT * FROM voicemail_messages WHERE box = ? AND heard_at IS NULL ORDER BY received_at, id LIMIT ?',
  );
  const setHeard = db.prepare('UPDATE voicemail_messages SET heard_at = ? WHERE id = ? AND heard_at IS NULL');
  const countBox = db.prepare<[string], { fresh: number | null; heard: number | null }>(
    `SELECT SUM(CASE WHEN heard_at IS NULL THEN 1 ELSE 0 END) AS fresh,
            SUM(CASE WHEN heard_at IS NULL THEN 0 ELSE 1 END) AS heard
       FROM voicemail_messages WHERE box = ?`,
  );
  const pendingMail = db.prepare<[number], { n: number }>(
    "SELECT COUNT(*) AS n FROM mail_outbox WHERE message_id = ? AND status = 'pending'",
  );

  return {
    add(m: NewVoicemailMessage) {
      if (typeof m.file !== 'string' || m.file === '') throw new ValidationError('message file is missing', 'file');
      if (typeof m.callerNumber !== 'string') throw new ValidationError('callerNumber must be a string', 'callerNumber');
      try {
        const id = Number(insert.run(
          m.box, m.file, m.callerNumber, m.callerName ?? null, checkMillis(m.receivedAt, 'receivedAt'),
          checkMillis(m.durationMs, 'durationMs'), checkMillis(m.createdAt, 'createdAt'),
        ).lastInsertRowid);
        return toMessage(byId.get(id)!);
      } catch (err) {
        throw mapConstraintError(err, `voicemail file ${m.file}`);
      }
    },
    get(id) {
      const r = byId.get(id);
      return r ? toMessage(r) : undefined;
    },
    listForBox: (box, limit = 100) => forBox.all(box, Math.max(1, Math.min(limit, 10_000))).map(toMessage),
    deliveredBefore: (before) => delivered.all(before).map(toMessage),
    remove: (id) => deleteOne.run(id).changes > 0,
    listNew: (box, limit = 100) => newForBox.all(box, Math.max(1, Math.min(limit, 10_000))).map(toMessage),
    markHeard: (id, at) => setHeard.run(checkMillis(at, 'heardAt'), id).changes > 0,
    counts(box) {
      const row = countBox.get(box);
      return { new: row?.fresh ?? 0, old: row?.heard ?? 0 };
    },
    mailPending: (id) => (pendingMail.get(id)?.n ?? 0) > 0,
  };
}
