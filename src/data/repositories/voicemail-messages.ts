import type { Db } from '../db.js';
import type { NewVoicemailMessage, VoicemailMessage, VoicemailMessageRepository } from '../voicemail-types.js';
import { ValidationError } from '../../errors.js';
import { mapConstraintError } from '../sqlite-errors.js';

interface MessageRow {
  id: number; box: string; file: string; caller_number: string; caller_name: string | null;
  received_at: number; duration_ms: number; created_at: number;
}

const toMessage = (r: MessageRow): VoicemailMessage => ({
  id: r.id, box: r.box, file: r.file, callerNumber: r.caller_number, callerName: r.caller_name,
  receivedAt: r.received_at, durationMs: r.duration_ms, createdAt: r.created_at,
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
  };
}
