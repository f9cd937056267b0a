import t from 'tap';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { openRepositories, DATABASE_FILE_NAME } from '../../src/data/index.js';
import { openDatabase } from '../../src/data/db.js';
import { migrations } from '../../src/data/migrations/index.js';
import { silentLogger } from '../../src/log.js';
import { ConfigError } from '../../src/errors.js';

const logger = silentLogger();

t.test('creates the data dir, uses WAL and foreign keys, migrates to the latest version', (t) => {
  const dataDir = join(t.testdir(), 'nested', 'data');
  const repos = openRepositories({ dataDir, logger });
  repos.close();
  const file = join(dataDir, DATABASE_FILE_NAME);
  t.ok(existsSync(file), 'database file created under a new directory');
  const db = openDatabase({ dataDir, logger });
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(db.pragma('foreign_keys', { simple: true }), 1);
  t.ok(Number(db.pragma('busy_timeout', { simple: true })) > 0);
  t.equal(db.pragma('user_version', { simple: true }), migrations.at(-1)!.version);
  db.close();
  t.end();
});

t.test('reopening keeps data and does not re-run migrations', (t) => {
  const dataDir = t.testdir();
  const first = openRepositories({ dataDir, logger });
  first.extensions.add({ number: '10', displayName: 'Anna', sipPassword: 'secret-pass-1' });
  first.close();
  const second = openRepositories({ dataDir, logger });
  t.equal(second.extensions.get('10')?.displayName, 'Anna');
  second.close();
  const third = openRepositories({ dataDir, logger });
  t.equal(third.extensions.list().length, 1);
  third.close();
  t.end();
});

t.test('a failing migration rolls back completely and names itself', (t) => {
  const file = join(t.testdir(), 'x.sqlite');
  const bad = [
    ...migrations,
    {
      version: 99,
      name: 'broken',
      up(db: Database.Database) {
        db.exec('CREATE TABLE half_done (x INTEGER)');
        db.exec('THIS IS NOT SQL');
      },
    },
  ];
  t.throws(() => openDatabase({ file, logger, migrations: bad }), { name: 'ConfigError', message: /migration 99 \(broken\)/ });
  const db = new Database(file);
  t.equal(db.pragma('user_version', { simple: true }), migrations.at(-1)!.version, 'earlier migrations kept');
  const table = db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get();
  t.equal(table, undefined, 'no half-applied table');
  db.close();
  t.end();
});

t.test('refuses a database from a newer version', (t) => {
  const file = join(t.testdir(), 'new.sqlite');
  const db = new Database(file);
  db.pragma('user_version = 999');
  db.close();
  t.throws(() => openDatabase({ file, logger }), ConfigError);
  t.throws(() => openDatabase({ file, logger }), { message: /schema version 999/ });
  t.end();
});

t.test('SQLite constraint errors from a lost race become clear errors', async (t) => {
  const { mapConstraintError } = await import('../../src/data/sqlite-errors.js');
  const db = openDatabase({ dataDir: t.testdir(), logger });
  const now = new Date().toISOString();
  const insert = db.prepare("INSERT INTO extensions (number, display_name, sip_password, created_at, updated_at) VALUES ('10', 'A', 'x', ?, ?)");
  insert.run(now, now);
  let raw: unknown;
  try {
    insert.run(now, now);
  } catch (err) {
    raw = err;
  }
  t.match(mapConstraintError(raw, 'extension 10'), { name: 'ConflictError', message: 'extension 10 already exists' });
  try {
    db.prepare("INSERT INTO device_lines (mac, position, extension) VALUES ('0011223344aa', 1, '10')").run();
  } catch (err) {
    raw = err;
  }
  t.match(mapConstraintError(raw, 'device 0011223344aa'), { name: 'ValidationError' });
  const other = new Error('disk I/O');
  t.equal(mapConstraintError(other, 'x'), other, 'other errors pass through');
  db.close();
});
