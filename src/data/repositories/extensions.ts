import type { Db } from '../db.js';
import type { Extension, ExtensionRepository, NewExtension } from '../types.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import { mapConstraintError } from '../sqlite-errors.js';
import { checkDisplayName, checkEmails, checkExtensionNumber, checkSipPassword } from '../validate.js';

interface ExtensionRow {
  number: string;
  display_name: string;
  sip_password: string;
  emails: string;
  created_at: string;
  updated_at: string;
}

function toExtension(row: ExtensionRow): Extension {
  return {
    number: row.number,
    displayName: row.display_name,
    sipPassword: row.sip_password,
    emails: JSON.parse(row.emails) as string[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function createExtensionRepository(db: Db): ExtensionRepository {
  const insert = db.prepare(
    `INSERT INTO extensions (number, display_name, sip_password, emails, created_at, updated_at)
     VALUES (@number, @displayName, @sipPassword, @emails, @now, @now)`,
  );
  const selectOne = db.prepare<[string], ExtensionRow>('SELECT * FROM extensions WHERE number = ?');
  // Numeric order so 9 < 10 < 100, which is how people read extension lists.
  const selectAll = db.prepare<[], ExtensionRow>(
    'SELECT * FROM extensions ORDER BY CAST(number AS INTEGER), number',
  );
  const updateRow = db.prepare(
    `UPDATE extensions SET display_name = @displayName, sip_password = @sipPassword, emails = @emails,
       updated_at = @now WHERE number = @number`,
  );
  const deleteRow = db.prepare('DELETE FROM extensions WHERE number = ?');
  const devicesUsing = db.prepare<[string], { mac: string }>(
    'SELECT DISTINCT mac FROM device_lines WHERE extension = ? ORDER BY mac',
  );

  // Extensions share the dial plan with queues, entry numbers and department mailboxes.
  const queueWith = db.prepare<[string], { name: string }>('SELECT name FROM queues WHERE number = ?');
  const entryWith = db.prepare<[string], { number: string }>('SELECT number FROM entry_numbers WHERE number = ?');
  const departmentBoxWith = db.prepare<[string], { name: string }>('SELECT name FROM mailboxes WHERE box = ? AND extension IS NULL');

  /** What else answers on `number` in the dial plan, in words; undefined when nothing does. */
  function otherOwner(number: string): string | undefined {
    const queue = queueWith.get(number);
    if (queue) return `queue ${number} (${queue.name})`;
    if (entryWith.get(number)) return `entry number ${number}`;
    const box = departmentBoxWith.get(number);
    if (box) return `department mailbox ${number} (${box.name})`;
    return undefined;
  }

  function get(number: string): Extension | undefined {
    const row = selectOne.get(String(number).trim());
    return row ? toExtension(row) : undefined;
  }

  return {
    add(ext: NewExtension): Extension {
      const number = checkExtensionNumber(ext.number);
      const displayName = checkDisplayName(ext.displayName);
      const sipPassword = checkSipPassword(ext.sipPassword);
      const emails = checkEmails(ext.emails);
      if (selectOne.get(number)) throw new ConflictError(`extension ${number} already exists`, 'number');
      const owner = otherOwner(number);
      if (owner) throw new ConflictError(`${number} is already ${owner}; pick another number`, 'number');
      try {
        insert.run({ number, displayName, sipPassword, emails: JSON.stringify(emails), now: new Date().toISOString() });
      } catch (err) {
        throw mapConstraintError(err, `extension ${number}`);
      }
      return get(number)!;
    },

    get,

    freeNumberFrom(start: string): string | undefined {
      const first = checkExtensionNumber(start, 'start');
      // Same number of digits as `start`, counting up: 301, 302… stay in the 3xx block people expect.
      const last = 10 ** first.length - 1;
      for (let n = Number(first); n <= last; n++) {
        const candidate = String(n).padStart(first.length, '0');
        if (!selectOne.get(candidate) && otherOwner(candidate) === undefined) return candidate;
      }
      return undefined;
    },

    list(): Extension[] {
      return selectAll.all().map(toExtension);
    },

    update(number, patch): Extension {
      const current = get(number);
      if (!current) throw new NotFoundError(`extension ${number} does not exist`, 'number');
      const next = {
        number: current.number,
        displayName: patch.displayName === undefined ? current.displayName : checkDisplayName(patch.displayName),
        sipPassword: patch.sipPassword === undefined ? current.sipPassword : checkSipPassword(patch.sipPassword),
        emails: JSON.stringify(patch.emails === undefined ? current.emails : checkEmails(patch.emails)),
        now: new Date().toISOString(),
      };
      updateRow.run(next);
      return get(current.number)!;
    },

    remove(number: string): boolean {
      const key = String(number).trim();
      const users = devicesUsing.all(key).map((r) => r.mac);
      if (users.length > 0) {
        throw new ConflictError(
          `extension ${key} is still a line on device(s) ${users.join(', ')}; change or remove those devices first`,
          'number',
        );
      }
      try {
        return deleteRow.run(key).changes > 0;
      } catch (err) {
        // a device took this extension as a line between the check above and the delete
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
          throw new ConflictError(`extension ${key} is still a line on a device; change or remove that device first`, 'number');
        }
        throw err;
      }
    },
  };
}
