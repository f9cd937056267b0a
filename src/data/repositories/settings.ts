import type { Db } from '../db.js';
import type { SettingsRepository } from '../types.js';
import { ValidationError } from '../../errors.js';

/** Admin-editable settings as JSON values under string keys. */
export function createSettingsRepository(db: Db): SettingsRepository {
  const select = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
  const selectAll = db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings ORDER BY key');
  const upsert = db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  );
  const remove = db.prepare('DELETE FROM settings WHERE key = ?');

  return {
    get<T>(key: string): T | undefined {
      const row = select.get(key);
      return row ? (JSON.parse(row.value) as T) : undefined;
    },
    set(key: string, value: unknown): void {
      if (typeof key !== 'string' || key.length === 0 || key.length > 128) {
        throw new ValidationError(`setting key ${JSON.stringify(key)} is not allowed: expected 1–128 characters`, 'key');
      }
      // undefined cannot be stored as JSON; setting it means "back to the default".
      if (value === undefined) {
        remove.run(key);
        return;
      }
      upsert.run(key, JSON.stringify(value));
    },
    all(): Record<string, unknown> {
      const out: Record<string, unknown> = {};
      for (const row of selectAll.all()) out[row.key] = JSON.parse(row.value);
      return out;
    },
  };
}
