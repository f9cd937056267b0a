import type { Db } from '../db.js';
import type { Mailbox, MailboxLanguage, MailboxRepository, NewMailbox } from '../voicemail-types.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { checkDisplayName, checkEmails, checkExtensionNumber } from '../validate.js';
import { mapConstraintError } from '../sqlite-errors.js';

interface MailboxRow {
  box: string; name: string; language: MailboxLanguage; pin_hash: string | null; emails: string;
  extension: string | null; greeting_file: string | null; created_at: string; updated_at: string;
}

/** Extensions are 2–4 digits; department mailboxes may use longer numbers of their own. */
const MAILBOX_NUMBER = /^\d{2,6}$/;

export function checkMailboxNumber(value: unknown, field = 'box'): string {
  const text = typeof value === 'string' ? value.trim() : String(value);
  if (!MAILBOX_NUMBER.test(text)) {
    throw new ValidationError(`mailbox ${JSON.stringify(value)} is not a mailbox number (expected 2–6 digits, e.g. "102")`, field);
  }
  return text;
}

export function checkMailboxLanguage(value: unknown, field = 'language'): MailboxLanguage {
  if (value !== 'pl' && value !== 'en') {
    throw new ValidationError(`language ${JSON.stringify(value)} is not supported (expected "pl" or "en")`, field);
  }
  return value;
}

function checkPinHash(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  // Only hashes are stored; refusing anything else stops a caller from saving a clear PIN.
  if (typeof value !== 'string' || !value.startsWith('scrypt$')) throw new ValidationError('pinHash must be a scrypt hash', 'pin');
  return value;
}

const toMailbox = (r: MailboxRow): Mailbox => ({
  box: r.box, name: r.name, language: r.language, pinHash: r.pin_hash, emails: JSON.parse(r.emails) as string[],
  extension: r.extension, greetingFile: r.greeting_file, createdAt: r.created_at, updatedAt: r.updated_at,
});

export function createMailboxRepository(db: Db): MailboxRepository {
  const insert = db.prepare(
    `INSERT INTO mailboxes (box, name, language, pin_hash, emails, extension, greeting_file, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)`,
  );
  const byBox = db.prepare<[string], MailboxRow>('SELECT * FROM mailboxes WHERE box = ?');
  const all = db.prepare<[], MailboxRow>('SELECT * FROM mailboxes ORDER BY CAST(box AS INTEGER), box');
  const save = db.prepare(
    `UPDATE mailboxes SET name = ?, language = ?, pin_hash = ?, emails = ?, extension = ?, greeting_file = ?, updated_at = ?
     WHERE box = ?`,
  );
  const deleteOne = db.prepare('DELETE FROM mailboxes WHERE box = ?');
  const extensionExists = db.prepare<[string], { number: string }>('SELECT number FROM extensions WHERE number = ?');

  function checkExtension(value: unknown): string | null {
    if (value === undefined || value === null) return null;
    const number = checkExtensionNumber(value, 'extension');
    if (!extensionExists.get(number)) throw new ValidationError(`extension ${number} does not exist`, 'extension');
    return number;
  }

  return {
    add(m: NewMailbox) {
      const box = checkMailboxNumber(m.box);
      const name = checkDisplayName(m.name, 'name');
      const language = checkMailboxLanguage(m.language ?? 'pl');
      const emails = checkEmails(m.emails ?? []);
      const extension = checkExtension(m.extension);
      const pinHash = checkPinHash(m.pinHash);
      if (byBox.get(box)) throw new ConflictError(`mailbox ${box} already exists`, 'box');
      const now = new Date().toISOString();
      try {
        insert.run(box, name, language, pinHash, JSON.stringify(emails), extension, now, now);
      } catch (err) {
        throw mapConstraintError(err, `mailbox ${box}`);
      }
      return toMailbox(byBox.get(box)!);
    },
    get(box) {
      const r = byBox.get(String(box).trim());
      return r ? toMailbox(r) : undefined;
    },
    list: () => all.all().map(toMailbox),
    update(box, patch) {
      const current = byBox.get(String(box).trim());
      if (!current) throw new NotFoundError(`mailbox ${box} does not exist`, 'box');
      const name = patch.name !== undefined ? checkDisplayName(patch.name, 'name') : current.name;
      const language = patch.language !== undefined ? checkMailboxLanguage(patch.language) : current.language;
      const emails = patch.emails !== undefined ? JSON.stringify(checkEmails(patch.emails)) : current.emails;
      const extension = patch.extension !== undefined ? checkExtension(patch.extension) : current.extension;
      const pinHash = patch.pinHash !== undefined ? checkPinHash(patch.pinHash) : current.pin_hash;
      const greeting = patch.greetingFile !== undefined ? patch.greetingFile : current.greeting_file;
      save.run(name, language, pinHash, emails, extension, greeting, new Date().toISOString(), current.box);
      return toMailbox(byBox.get(current.box)!);
    },
    remove: (box) => deleteOne.run(String(box).trim()).changes > 0,
  };
}
