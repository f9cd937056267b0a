import type { Db } from '../db.js';
import type { EntryNumberRepository, ForwardingRepository, StoredEntryNumber } from '../types.js';
import { ValidationError } from '../../errors.js';
import { checkExtensionNumber } from '../validate.js';

/*
 * Forwarding rules and entry numbers are stored as JSON objects. Their meaning (destinations,
 * schedules) belongs to src/pbx/rules, which validates before saving and compiles on reading;
 * here only "is it an object" and "does the extension exist" are enforced.
 */

const ENTRY_NUMBER = /^\d{2,6}$/;
const MAX_JSON = 64 * 1024;

function checkObject(value: unknown, where: string): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(`${where}: expected an object`);
  }
  const json = JSON.stringify(value);
  if (json.length > MAX_JSON) throw new ValidationError(`${where}: larger than ${MAX_JSON} bytes of JSON`);
  return json;
}

export function createForwardingRepository(db: Db): ForwardingRepository {
  const selectOne = db.prepare<[string], { rules: string }>('SELECT rules FROM forwarding WHERE extension = ?');
  const upsert = db.prepare(
    `INSERT INTO forwarding (extension, rules, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (extension) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at`,
  );
  const deleteOne = db.prepare('DELETE FROM forwarding WHERE extension = ?');
  const extensionExists = db.prepare<[string], { number: string }>('SELECT number FROM extensions WHERE number = ?');

  return {
    get(extension) {
      const row = selectOne.get(String(extension).trim());
      return row ? (JSON.parse(row.rules) as Record<string, unknown>) : undefined;
    },
    set(extension, rules) {
      const number = checkExtensionNumber(extension, 'extension');
      const json = checkObject(rules, `forwarding of extension ${number}`);
      if (!extensionExists.get(number)) {
        throw new ValidationError(`forwarding: extension ${number} does not exist`, 'extension');
      }
      if (json === '{}') deleteOne.run(number);
      else upsert.run(number, json, new Date().toISOString());
    },
  };
}

interface EntryRow {
  number: string;
  definition: string;
  updated_at: string;
}

const toEntry = (row: EntryRow): StoredEntryNumber => ({
  number: row.number,
  definition: JSON.parse(row.definition) as Record<string, unknown>,
  updatedAt: row.updated_at,
});

export function createEntryNumberRepository(db: Db): EntryNumberRepository {
  const selectOne = db.prepare<[string], EntryRow>('SELECT * FROM entry_numbers WHERE number = ?');
  const selectAll = db.prepare<[], EntryRow>('SELECT * FROM entry_numbers ORDER BY CAST(number AS INTEGER), number');
  const upsert = db.prepare(
    `INSERT INTO entry_numbers (number, definition, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (number) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at`,
  );
  const deleteOne = db.prepare('DELETE FROM entry_numbers WHERE number = ?');
  const extensionExists = db.prepare<[string], { number: string }>('SELECT number FROM extensions WHERE number = ?');

  return {
    get(number) {
      const row = selectOne.get(String(number).trim());
      return row ? toEntry(row) : undefined;
    },
    list: () => selectAll.all().map(toEntry),
    save(number, definition) {
      const key = typeof number === 'string' ? number.trim() : '';
      if (!ENTRY_NUMBER.test(key)) {
        throw new ValidationError(`entry number ${JSON.stringify(number)} is not a number of 2–6 digits`, 'number');
      }
      // One number, one meaning: dialling it must not be ambiguous between a phone and a menu.
      if (extensionExists.get(key)) throw new ValidationError(`entry number ${key} is already an extension`, 'number');
      upsert.run(key, checkObject(definition, `entry number ${key}`), new Date().toISOString());
      return toEntry(selectOne.get(key)!);
    },
    remove: (number) => deleteOne.run(String(number).trim()).changes > 0,
  };
}
