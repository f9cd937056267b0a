import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../log.js';
import { ConfigError } from '../errors.js';
import { migrations as allMigrations, type Migration } from './migrations/index.js';

export type Db = Database.Database;

export const DATABASE_FILE_NAME = 'hookflash.sqlite';

export interface OpenDatabaseOptions {
  /** Directory holding hookflash.sqlite (created if missing). */
  dataDir?: string;
  /** Explicit database file; wins over dataDir. */
  file?: string;
  logger: Logger;
  /** For tests of the migration runner; defaults to the real list. */
  migrations?: readonly Migration[];
  busyTimeoutMs?: number;
}

export function databasePath(opts: { dataDir?: string; file?: string }): string {
  if (opts.file) return opts.file === ':memory:' ? opts.file : resolve(opts.file);
  return resolve(join(opts.dataDir ?? './data', DATABASE_FILE_NAME));
}

/** Opens (creating if needed) the SQLite file, sets pragmas and applies pending migrations. */
export function openDatabase(opts: OpenDatabaseOptions): Db {
  const file = databasePath(opts);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    // WAL: the web UI reads while the provisioning pipeline writes, without blocking.
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.trunc(opts.busyTimeoutMs ?? 5000)}`);
    // NORMAL is durable across application crashes in WAL mode; only power loss may drop
    // the last transactions, which is fine for this data.
    db.pragma('synchronous = NORMAL');
    migrate(db, opts.migrations ?? allMigrations, opts.logger);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** Applies every migration newer than PRAGMA user_version, each in its own transaction. */
export function migrate(db: Db, migrations: readonly Migration[], logger: Logger): number {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const latest = sorted.at(-1)?.version ?? 0;
  const current = Number(db.pragma('user_version', { simple: true }));
  if (current > latest) {
    throw new ConfigError(
      `database ${db.name} has schema version ${current}, newer than this Hookflash knows (${latest}); ` +
        'upgrade Hookflash or restore a matching backup',
    );
  }
  for (const m of sorted) {
    if (m.version <= current) continue;
    const apply = db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    });
    try {
      apply();
    } catch (err) {
      throw new ConfigError(
        `database migration ${m.version} (${m.name}) failed and was rolled back: ${(err as Error).message}`,
      );
    }
    logger.info({ version: m.version, migration: m.name }, 'database migrated');
  }
  return Number(db.pragma('user_version', { simple: true }));
}
